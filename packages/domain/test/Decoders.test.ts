/**
 * The service's decoders take shortcuts for valid input (no strict pass when there is no unknown field; IssueToken
 * decoded without its default's transformation): they must give exactly what the strict schema decode gives —
 * the same value, field order included, and the same problems.
 */
import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { Caller, type InvalidInput, IssueToken } from "../src/index.js"
import { decodeCaller, decodeIssue } from "../src/model/decoders.js"
import { toInvalidInput } from "../src/model/input.js"

const strictly = <A, I>(schema: Schema.Schema<A, I>) => {
  const decode = Schema.decodeUnknownEither(schema, { errors: "all", onExcessProperty: "error" })
  return (value: unknown) => {
    const result = decode(value)
    return Either.isRight(result)
      ? { ok: JSON.stringify(result.right) }
      : { problems: toInvalidInput("input", result.left).issues.map(({ path, message }) => ({ path, message })) }
  }
}

const ours =
  <A>(decode: (value: unknown) => Either.Either<A, InvalidInput>) =>
  (value: unknown) => {
    const result = decode(value)
    return Either.isRight(result)
      ? { ok: JSON.stringify(result.right) }
      : { problems: result.left.issues.map(({ path, message }) => ({ path, message })) }
  }

const uuid = fc.uuid().map((id) => id.toLowerCase())
const field = <A>(value: fc.Arbitrary<A>) => fc.option(fc.oneof(value, fc.anything()), { nil: undefined })

const issueInput = fc.record(
  {
    serviceAccountId: field(uuid),
    name: field(fc.oneof(fc.string(), fc.constantFrom(" deploy ", "ci", "", "a\u0000b"))),
    scopes: field(fc.oneof(fc.subarray(["read", "write"]), fc.constantFrom(["read", "read"], ["admin"], []))),
    extra: fc.option(fc.string(), { nil: undefined })
  },
  { requiredKeys: [] }
)

const callerInput = fc.record(
  {
    organization: field(
      fc.record(
        {
          id: field(fc.constantFrom("acme", "", "a b")),
          plan: field(fc.constantFrom("enterprise", "free")),
          tenantUrl: field(fc.constantFrom("https://acme.example.com", "ftp://x", "https://u:p@x.example", "nope")),
          extra: fc.option(fc.string(), { nil: undefined })
        },
        { requiredKeys: [] }
      )
    ),
    actor: field(
      fc.record(
        {
          userId: field(fc.constantFrom("alice", "")),
          role: field(fc.constantFrom("administrator", "viewer", ""))
        },
        { requiredKeys: [] }
      )
    ),
    commandId: field(fc.constantFrom("cmd-1", "", "with space"))
  },
  { requiredKeys: [] }
)

describe("the service's decoders", () => {
  it("decode IssueToken exactly as the strict schema does", () => {
    const expected = strictly(IssueToken)
    const actual = ours(decodeIssue)
    fc.assert(
      fc.property(issueInput, (input) => {
        const plain = JSON.parse(JSON.stringify(input))
        expect(actual(plain)).toStrictEqual(expected({ ...plain, _tag: "IssueToken" }))
      }),
      { numRuns: 1000 }
    )
  })

  it("decode callers exactly as the strict schema does", () => {
    const expected = strictly(Caller)
    const actual = ours(decodeCaller)
    fc.assert(
      fc.property(callerInput, (input) => {
        const plain = JSON.parse(JSON.stringify(input))
        expect(actual(plain)).toStrictEqual(expected(plain))
      }),
      { numRuns: 1000 }
    )
  })

  it("fill in the default scopes, in the field order IssueToken gives", () => {
    const decoded = decodeIssue({ serviceAccountId: "0b7c1a4e-2f1d-4c3a-9b2e-1a2b3c4d5e6f", name: " deploy " })
    expect(Either.isRight(decoded) && JSON.stringify(decoded.right)).toBe(
      '{"_tag":"IssueToken","serviceAccountId":"0b7c1a4e-2f1d-4c3a-9b2e-1a2b3c4d5e6f","name":"deploy","scopes":["read","write"]}'
    )
  })

  it("remember a caller of the usual form: the same content gives the same frozen value, never another's", () => {
    const caller = (id: string, plan: string) => ({
      organization: { id, plan, tenantUrl: "https://acme.example.com" },
      actor: { userId: "alice", role: "administrator" }
    })
    const first = decodeCaller(caller("acme", "enterprise"))
    const again = decodeCaller(caller("acme", "enterprise"))
    if (Either.isLeft(first) || Either.isLeft(again)) throw new Error("expected callers")
    expect(again.right).toBe(first.right)
    expect(Object.isFrozen(first.right) && Object.isFrozen(first.right.organization)).toBe(true)
    expect(Object.isFrozen(first.right.actor)).toBe(true)
    // Fields that would run together in a plain concatenation stay apart.
    const a = decodeCaller(caller("ab", "c"))
    const b = decodeCaller(caller("a", "bc"))
    expect(Either.isRight(a) && Either.isRight(b) && [a.right.organization, b.right.organization]).toStrictEqual([
      { id: "ab", plan: "c", tenantUrl: "https://acme.example.com" },
      { id: "a", plan: "bc", tenantUrl: "https://acme.example.com" }
    ])
    // A refused caller is refused every time, with the same problems.
    const bad = caller("a b", "enterprise")
    expect(ours(decodeCaller)(bad)).toStrictEqual(strictly(Caller)(bad))
    expect(ours(decodeCaller)(bad)).toStrictEqual(strictly(Caller)(bad))
  })

  it("read each field of a caller once, and decode what was read", () => {
    let reads = 0
    const organization = { plan: "enterprise", tenantUrl: "https://acme.example.com" } as Record<string, unknown>
    Object.defineProperty(organization, "id", {
      enumerable: true,
      get: () => (reads++ === 0 ? "first-org" : "second-org")
    })
    const decoded = decodeCaller({ organization, actor: { userId: "alice", role: "administrator" } })
    expect(Either.isRight(decoded) && decoded.right.organization.id).toBe("first-org")
    expect(reads).toBe(1)
    // The next read gives another value: decoded as such, not as the remembered one.
    const next = decodeCaller({ organization, actor: { userId: "alice", role: "administrator" } })
    expect(Either.isRight(next) && next.right.organization.id).toBe("second-org")
  })
})
