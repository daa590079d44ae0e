/**
 * `decodeEither` (internal/compiled.ts) runs a schema's own checks without Effect's bookkeeping; it must give
 * exactly what the schema's decoder gives — the same value for an input it accepts, the same error otherwise — for
 * every schema the library uses it with and for schemas made of every kind of node it follows or hands back.
 */
import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, Either, FastCheck as fc, Schema } from "effect"
import {
  Caller,
  CreateServiceAccount,
  DeleteServiceAccount,
  IssueToken,
  Ndjson,
  RevokeToken,
  ServiceAccountCreated,
  ServiceAccountDeleted,
  TokenIssued,
  TokenRevoked
} from "../src/index.js"
import { decodeEither } from "../src/fast/compiled.js"
import { SnapshotChunk, SnapshotChunkText } from "../src/service/snapshotChunks.js"

/** Every kind of node: optional and required fields, `X | undefined`, literal unions, other unions, arrays, tuples,
 * index signatures, transformations (final, composed, property signatures), declarations, refinements, brands. */
const Mixed = Schema.Struct({
  name: Schema.Trim.pipe(Schema.minLength(1), Schema.maxLength(8), Schema.brand("Name")),
  count: Schema.NumberFromString.pipe(Schema.int(), Schema.between(-5, 5)),
  kind: Schema.Literal("a", "b", 3, true, null),
  when: Schema.DateTimeUtc,
  maybe: Schema.optional(Schema.String.pipe(Schema.pattern(/^[a-z]*$/))),
  exactly: Schema.optionalWith(Schema.Boolean, { exact: true }),
  either: Schema.Union(Schema.Number, Schema.Struct({ n: Schema.Number })),
  undefinedOr: Schema.UndefinedOr(Schema.String),
  list: Schema.Array(Schema.Struct({ id: Schema.UUID, tags: Schema.Array(Schema.Literal("x", "y")) })),
  pair: Schema.Tuple(Schema.String, Schema.Number),
  triple: Schema.Tuple(Schema.UUID, Schema.NullOr(Schema.NumberFromString), Schema.Array(Schema.Literal("x"))),
  variant: Schema.Union(
    Schema.Struct({ kind: Schema.Literal("number"), n: Schema.Number.pipe(Schema.int()) }),
    Schema.Struct({ kind: Schema.Literal("text"), s: Schema.String, at: Schema.DateTimeUtc }),
    Schema.TaggedStruct("Tagged", { kind: Schema.Literal("tagged") })
  ),
  record: Schema.Record({ key: Schema.String, value: Schema.Number }),
  defaulted: Schema.optionalWith(Schema.String, { default: () => "d" }),
  big: Schema.BigInt,
  composed: Schema.compose(Schema.Trim, Schema.NumberFromString)
})

const schemas = {
  Mixed,
  CreateServiceAccount,
  IssueToken,
  RevokeToken,
  DeleteServiceAccount,
  ServiceAccountCreated,
  TokenIssued,
  TokenRevoked,
  ServiceAccountDeleted,
  SnapshotChunk,
  SnapshotChunkText
} as const

/** Mostly `valid`, now and then `invalid`. */
const mostly = <A>(valid: fc.Arbitrary<A>, invalid: fc.Arbitrary<A>): fc.Arbitrary<A> =>
  fc.oneof({ arbitrary: valid, weight: 19 }, { arbitrary: invalid, weight: 1 })

const hostId = mostly(fc.stringMatching(/^[\x21-\x7e]{1,12}$/), fc.string({ maxLength: 4 }))

/** Encoded callers (the schema's own arbitrary rarely meets its filters): mostly valid, some not. */
const callers = fc.record(
  {
    organization: fc.record({
      id: hostId,
      plan: mostly(fc.constantFrom("free", "team", "enterprise"), fc.constant("other")),
      tenantUrl: mostly(fc.webUrl(), fc.string({ maxLength: 6 }))
    }),
    actor: fc.record({
      userId: hostId,
      role: mostly(fc.constantFrom("administrator", "member", "viewer"), fc.constant(""))
    }),
    commandId: hostId
  },
  { requiredKeys: ["organization", "actor"] }
)

/** Encoded event lines, with a generated event as their data. */
const eventLines = fc.record({
  stream: mostly(fc.constant("serviceAccountDirectory-acme"), fc.string({ maxLength: 3 })),
  revision: mostly(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.constantFrom("01", "-1", "x")),
  position: fc.bigInt({ min: 0n, max: 2n ** 64n }).map(String),
  eventId: mostly(fc.uuid(), fc.string({ maxLength: 4 })),
  type: mostly(fc.constant("TokenIssued"), fc.constant("")),
  data: Arbitrary.make(TokenIssued).map((event) => Schema.encodeSync(TokenIssued)(event) as unknown),
  metadata: mostly<unknown>(fc.dictionary(fc.string({ maxLength: 4 }), fc.jsonValue()), fc.constant([])),
  recordedAt: mostly(
    fc.date({ min: new Date(0), max: new Date(4102444800000), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.constant("yesterday")
  )
})

/** Schemas whose inputs are generated here rather than from the schema's arbitrary. */
const generated = [
  { name: "Caller", schema: Caller, encoded: callers },
  { name: "Ndjson.EventLine", schema: Ndjson.EventLine, encoded: eventLines }
] as const

/** Encoded inputs, then variants of them: one field replaced by anything, removed, or the whole input swapped. */
const variantsOf = (encoded: fc.Arbitrary<unknown>): fc.Arbitrary<unknown> =>
  fc.oneof(
    encoded,
    fc.tuple(encoded, fc.string({ maxLength: 12 }), fc.anything()).map(([value, key, replacement]) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return replacement
      const keys = Object.keys(value)
      const target = keys.length === 0 ? key : (keys[key.length % keys.length] ?? key)
      return { ...value, [target]: replacement }
    }),
    fc.tuple(encoded, fc.nat()).map(([value, n]) => {
      if (typeof value !== "object" || value === null || Array.isArray(value)) return value
      const keys = Object.keys(value)
      const copy: Record<string, unknown> = { ...value }
      if (keys.length > 0) delete copy[keys[n % keys.length] as string]
      return copy
    }),
    fc.anything()
  )

const inputs = <A, I>(schema: Schema.Schema<A, I>): fc.Arbitrary<unknown> =>
  variantsOf(Arbitrary.make(schema).map((value) => Schema.encodeSync(schema)(value) as unknown))

const cases = [
  ...Object.entries(schemas).map(([name, schema]) => ({
    name,
    schema: schema as Schema.Schema<unknown, unknown>,
    input: inputs(schema as Schema.Schema<unknown, unknown>)
  })),
  ...generated.map(({ name, schema, encoded }) => ({
    name,
    schema: schema as Schema.Schema<unknown, unknown>,
    input: variantsOf(encoded)
  }))
]

describe("compiled decoding", () => {
  for (const { name, schema: s, input: arbitrary } of cases) {
    it(`decodes ${name} exactly as the schema does, accepted and refused (property)`, () => {
      const fast = decodeEither(s)
      const reference = Schema.decodeUnknownEither(s)
      let accepted = 0
      fc.assert(
        fc.property(arbitrary, (input) => {
          const got = fast(input)
          const expected = reference(input)
          expect(got._tag).toBe(expected._tag)
          if (Either.isRight(got) && Either.isRight(expected)) {
            accepted++
            expect(got.right).toEqual(expected.right)
            // The same fields in the same order, as the schema's decoder builds them.
            if (typeof expected.right === "object" && expected.right !== null) {
              expect(Object.keys(got.right as object)).toEqual(Object.keys(expected.right))
            }
          } else if (Either.isLeft(got) && Either.isLeft(expected)) {
            expect(got.left.message).toBe(expected.left.message)
          }
        }),
        { numRuns: 300 }
      )
      // The property saw accepted inputs, not only refusals.
      expect(accepted).toBeGreaterThan(30)
    })
  }

  it("decodes fixed tuples and discriminated unions at their edges exactly as the schema does", () => {
    const tuple = Schema.Tuple(Schema.String, Schema.NullOr(Schema.NumberFromString))
    const union = Schema.Union(
      Schema.Struct({ kind: Schema.Literal("a"), n: Schema.Number }),
      Schema.Struct({ kind: Schema.Literal("b"), n: Schema.String })
    )
    const inputs: ReadonlyArray<readonly [Schema.Schema<unknown, unknown>, unknown]> = [
      [tuple as Schema.Schema<unknown, unknown>, ["x", "1"]],
      [tuple as Schema.Schema<unknown, unknown>, ["x", null]],
      [tuple as Schema.Schema<unknown, unknown>, ["x"]],
      [tuple as Schema.Schema<unknown, unknown>, ["x", "1", "extra"]],
      [tuple as Schema.Schema<unknown, unknown>, { 0: "x", 1: "1", length: 2 }],
      [union as Schema.Schema<unknown, unknown>, { kind: "a", n: 1 }],
      [union as Schema.Schema<unknown, unknown>, { kind: "b", n: "1" }],
      [union as Schema.Schema<unknown, unknown>, { kind: "a", n: "1" }],
      [union as Schema.Schema<unknown, unknown>, { kind: "c", n: 1 }],
      [union as Schema.Schema<unknown, unknown>, { n: 1 }],
      [union as Schema.Schema<unknown, unknown>, [1]]
    ]
    for (const [schema, input] of inputs) {
      const got = decodeEither(schema)(input)
      const expected = Schema.decodeUnknownEither(schema)(input)
      expect(got, JSON.stringify(input)).toEqual(expected)
    }
  })

  it("decodes `X | null` and bigints at their edges exactly as the schema does", () => {
    const row = Schema.Struct({
      revoked: Schema.NullOr(Schema.Literal("Manual", "ServiceAccountDeleted")),
      lastUsed: Schema.NullOr(Schema.NumberFromString),
      pair: Schema.NullOr(Schema.Tuple(Schema.String, Schema.String)),
      count: Schema.BigIntFromSelf
    })
    const valid = { revoked: null, lastUsed: "12", pair: ["a", "b"], count: 1n }
    const inputs: ReadonlyArray<unknown> = [
      valid,
      { ...valid, revoked: "Manual", lastUsed: null, pair: null },
      { ...valid, revoked: "Other" },
      { ...valid, revoked: 0 },
      { ...valid, revoked: undefined },
      { ...valid, lastUsed: 12 },
      { ...valid, lastUsed: "twelve" },
      { ...valid, pair: ["a"] },
      { ...valid, pair: "a,b" },
      { ...valid, count: 1 },
      { ...valid, count: "1" }
    ]
    for (const input of inputs) {
      const got = decodeEither(row)(input)
      const expected = Schema.decodeUnknownEither(row)(input)
      expect(got, String(JSON.stringify(input, (_, v) => (typeof v === "bigint" ? `${v}n` : v)))).toEqual(expected)
    }
  })

  it("hands a refusal to the schema's decoder with the options it was given", () => {
    const strict = decodeEither(CreateServiceAccount, { errors: "all", onExcessProperty: "error" })
    const refused = strict({ _tag: "CreateServiceAccount", name: "", extra: 1 })
    expect(Either.isLeft(refused) && refused.left.message).toContain("extra")
  })
})
