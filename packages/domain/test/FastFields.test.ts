/**
 * The hand-written checks of ids, digests, counters and times (`isUuid`, `isDecimal`, `isoMillis`, and through them a line's
 * `isEventId` and `isoTimeOf`, and the compiled decoders of `ServiceAccountId`, `TokenId`, `SecretHash` and `Schema.DateTimeUtc`) give exactly what the schema or `Date` they stand in for gives:
 * checked on generated valid values and on broken ones.
 */
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, FastCheck as fc, Schema } from "effect"
import { decodeEither } from "../src/fast/compiled.js"
import { isoMillis } from "../src/fast/isoTime.js"
import { isDecimal, isoTimeOf, isEventId } from "../src/history/lineFields.js"
import { SecretHash, ServiceAccountId, TokenId } from "../src/index.js"

/** A text with one character replaced by another (from a set that holds near misses and awkward characters). */
const mutated = (texts: fc.Arbitrary<string>): fc.Arbitrary<string> =>
  fc
    .tuple(
      texts,
      fc.nat(),
      fc.constantFrom("0", "9", "a", "f", "A", "F", "g", "G", "z", "Z", "T", "-", ":", ".", " ", "\n", "é", "٣", "")
    )
    .map(([text, at, replacement]) => {
      const index = text.length === 0 ? 0 : at % text.length
      return `${text.slice(0, index)}${replacement}${text.slice(index + 1)}`
    })

const isSchemaUuid = Schema.is(Schema.UUID)

/** Holds the compiled decoder of `schema` to the schema's own on 5,000 inputs; returns how many were accepted. */
const acceptedAsTheSchemaDoes = <A, I>(schema: Schema.Schema<A, I>, inputs: fc.Arbitrary<unknown>): number => {
  const compiled = decodeEither(schema)
  const effect = Schema.decodeUnknownEither(schema)
  let accepted = 0
  fc.assert(
    fc.property(inputs, (input) => {
      const ours = compiled(input)
      expect(ours).toEqual(effect(input))
      if (Either.isRight(ours)) accepted++
    }),
    { numRuns: 5000 }
  )
  return accepted
}

const uuids = fc.oneof(
  fc.uuid(),
  fc.uuid().map((uuid) => uuid.toUpperCase()),
  fc
    .tuple(fc.uuid(), fc.array(fc.boolean(), { minLength: 36, maxLength: 36 }))
    .map(([uuid, upper]) => Array.from(uuid, (c, i) => (upper[i] === true ? c.toUpperCase() : c)).join(""))
)

const uuidLike = fc.oneof(
  uuids,
  mutated(uuids),
  mutated(mutated(uuids)),
  uuids.map((uuid) => `${uuid}0`),
  uuids.map((uuid) => uuid.slice(1)),
  uuids.map((uuid) => `${uuid}\n`),
  fc.string(),
  fc.stringMatching(/^[0-9a-fA-F-]{36}$/)
)

describe("ids checked by hand", () => {
  it("an event id: accepted exactly when Schema.UUID accepts it", () => {
    let accepted = 0
    fc.assert(
      fc.property(uuidLike, (input) => {
        expect(isEventId(input)).toBe(isSchemaUuid(input))
        if (isEventId(input)) accepted++
      }),
      { numRuns: 5000 }
    )
    expect(accepted).toBeGreaterThan(500)
    for (const input of [undefined, null, 7, {}, ["a"]]) expect(isEventId(input)).toBe(false)
  })

  it("an account's and a token's id: the compiled decoder gives what the schema gives", () => {
    for (const schema of [ServiceAccountId, TokenId]) {
      const inputs = fc.oneof(fc.uuid(), mutated(fc.uuid()), uuidLike, fc.constantFrom(undefined, null, 7, {}))
      expect(acceptedAsTheSchemaDoes(schema, inputs)).toBeGreaterThan(1000)
    }
  })
})

const digests = fc.stringMatching(/^[0-9a-f]{64}$/)

describe("a token's digest checked without the filter", () => {
  it("the compiled decoder of SecretHash gives what the schema gives", () => {
    const inputs = fc.oneof(
      digests,
      mutated(digests),
      digests.map((digest) => digest.toUpperCase()),
      digests.map((digest) => `${digest}0`),
      digests.map((digest) => digest.slice(1)),
      digests.map((digest) => `${digest}\n`),
      fc.stringMatching(/^[0-9a-gA-G]{64}$/),
      fc.string(),
      fc.constantFrom(undefined, null, 7, {}, ["a"])
    )
    expect(acceptedAsTheSchemaDoes(SecretHash, inputs)).toBeGreaterThan(500)
  })
})

/** Times as `toISOString` writes them, over the years it writes with four digits. */
const isoTexts = fc
  .date({ min: new Date("0000-01-01T00:00:00.000Z"), max: new Date("9999-12-31T23:59:59.999Z"), noInvalidDate: true })
  .map((date) => date.toISOString())

/** Texts of the usual shape with any digits (days and times out of range included). */
const shapedTexts = fc
  .tuple(
    fc.stringMatching(/^[0-9]{4}$/),
    fc.stringMatching(/^[0-9]{2}$/),
    fc.stringMatching(/^[0-9]{2}$/),
    fc.stringMatching(/^[0-9]{2}$/),
    fc.stringMatching(/^[0-9]{2}$/),
    fc.stringMatching(/^[0-9]{2}$/),
    fc.stringMatching(/^[0-9]{3}$/)
  )
  .map(([y, mo, d, h, mi, s, ms]) => `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`)

const times = fc.oneof(
  isoTexts,
  shapedTexts,
  mutated(isoTexts),
  isoTexts.map((text) => text.replace(".000Z", "Z")),
  isoTexts.map((text) => text.replace("Z", "+01:00")),
  isoTexts.map((text) => text.slice(0, -1)),
  fc.string()
)

// What `isoTimeOf` was before `isoMillis`: the pattern, then `Date`.
const isoTimePattern = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const referenceIsoTimeOf = (text: string): number | undefined => {
  if (!isoTimePattern.test(text)) return undefined
  const time = new Date(text).getTime()
  return Number.isNaN(time) ? undefined : time
}

describe("isoMillis", () => {
  it("gives Date's reading of every text it reads, in any order (the day it keeps included)", () => {
    let read = 0
    fc.assert(
      fc.property(fc.array(times, { maxLength: 20 }), (texts) => {
        for (const text of texts) {
          const millis = isoMillis(text)
          if (millis === undefined) continue
          read++
          expect(Object.is(millis, new Date(text).getTime())).toBe(true)
        }
      }),
      { numRuns: 1000 }
    )
    expect(read).toBeGreaterThan(1000)
  })

  it("reads every time toISOString writes with a four-digit year", () => {
    fc.assert(
      fc.property(isoTexts, (text) => {
        expect(isoMillis(text)).toBe(new Date(text).getTime())
      })
    )
  })

  it("leaves isoTimeOf as the pattern and Date had it", () => {
    fc.assert(
      fc.property(fc.array(times, { maxLength: 20 }), (texts) => {
        for (const text of texts) expect(isoTimeOf(text)?.getTime()).toBe(referenceIsoTimeOf(text))
      }),
      { numRuns: 1000 }
    )
  })

  it("leaves the compiled decoder of Schema.DateTimeUtc as Effect's decoder has it", () => {
    const compiled = decodeEither(Schema.DateTimeUtc)
    const effect = Schema.decodeUnknownEither(Schema.DateTimeUtc)
    fc.assert(
      fc.property(fc.array(fc.oneof(times, fc.constantFrom(7, null, undefined)), { maxLength: 20 }), (inputs) => {
        for (const input of inputs) {
          const ours = compiled(input)
          const theirs = effect(input)
          expect(Either.isRight(ours)).toBe(Either.isRight(theirs))
          if (Either.isRight(ours) && Either.isRight(theirs)) {
            expect(DateTime.isUtc(ours.right)).toBe(true)
            expect(ours.right.epochMillis).toBe(theirs.right.epochMillis)
          }
          if (Either.isLeft(ours) && Either.isLeft(theirs)) expect(ours.left.message).toBe(theirs.left.message)
        }
      }),
      { numRuns: 1000 }
    )
  })
})

describe("isDecimal", () => {
  it("accepts exactly what the counter's pattern accepts", () => {
    const pattern = /^(0|[1-9][0-9]{0,19})$/
    const counters = fc.oneof(
      fc.bigInt({ min: 0n, max: 2n ** 70n }).map(String),
      fc.stringMatching(/^[0-9]{0,22}$/),
      fc.constantFrom(
        "0",
        "00",
        "01",
        "",
        "-1",
        "+1",
        "1e3",
        " 1",
        "1 ",
        "١",
        "18446744073709551616",
        "99999999999999999999"
      )
    )
    let accepted = 0
    fc.assert(
      fc.property(fc.oneof(counters, counters, mutated(counters), fc.string()), (text) => {
        expect(isDecimal(text)).toBe(pattern.test(text))
        if (isDecimal(text)) accepted++
      }),
      { numRuns: 5000 }
    )
    expect(accepted).toBeGreaterThan(1000)
  })
})
