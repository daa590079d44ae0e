/**
 * Stored events decode fast (the member its `_tag` names, excess properties looked for first, repeated values
 * remembered) yet exactly as the strict union schema decodes them: the same events accepted, with the same result,
 * and the same refused, with the same message. Checked on the golden history and on variants of its events.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, ParseResult, Schema } from "effect"
import { decode, type Json, Ndjson, type RecordedEvent, ServiceAccountEvent } from "../src/index.js"
import { domainEvents } from "./golden.js"

const strict = Schema.decodeUnknownEither(ServiceAccountEvent, { onExcessProperty: "error" })
const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

const variants = (data: { readonly [key: string]: Json }): ReadonlyArray<unknown> => {
  const actor = data.actor as { readonly [key: string]: Json }
  const { _tag, ...untagged } = data
  return [
    data,
    { ...data, extra: 1 },
    { ...data, actor: { ...actor, extra: true } },
    { ...data, actor: { ...actor, role: "" } },
    { ...data, actor: { userId: actor.userId } },
    { ...data, actor: "admin" },
    { ...data, organizationId: "" },
    { ...data, organizationId: 42 },
    { ...data, serviceAccountId: "not-a-uuid" },
    { ...data, occurredAt: "yesterday" },
    { ...data, _tag: "Unknown" },
    untagged,
    { ...data, _tag: 7 },
    ...(data._tag === "TokenIssued"
      ? [
          { ...data, scopes: ["read", "read"] },
          { ...data, scopes: [] },
          { ...data, scopes: ["read,write"] },
          { ...data, scopes: ["admin"] },
          { ...data, scopes: "read" }
        ]
      : []),
    null,
    [data]
  ]
}

const stored = (recorded: RecordedEvent, data: unknown): RecordedEvent => ({
  ...recorded,
  data: data as Json,
  type: typeof data === "object" && data !== null && "_tag" in data && typeof data._tag === "string" ? data._tag : "x"
})

describe("decoding stored events", () => {
  it.effect("gives what the strict union schema gives, for every variant, twice (remembered values included)", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      let checked = 0
      for (let round = 0; round < 2; round++) {
        for (const event of events) {
          const data = Schema.encodeSync(ServiceAccountEvent)(event.event) as { readonly [key: string]: Json }
          for (const variant of variants(data)) {
            const recorded = stored(
              {
                streamId: event.streamId,
                revision: event.revision,
                position: event.position,
                eventId: event.eventId,
                type: event.event._tag,
                data: null,
                metadata: event.metadata,
                recordedAt: event.recordedAt
              },
              variant
            )
            const ours = decode(recorded)
            const reference = strict(variant)
            expect(Either.isRight(ours)).toBe(Either.isRight(reference))
            if (Either.isRight(ours) && Either.isRight(reference)) expect(ours.right.event).toEqual(reference.right)
            if (Either.isLeft(ours) && Either.isLeft(reference) && recorded.type === tagOf(variant)) {
              const first = ParseResult.ArrayFormatter.formatErrorSync(reference.left)[0]
              expect(ours.left.reason).toContain(first?.message.replace(/,? actual[\s\S]*$/, "") ?? "")
            }
            checked++
          }
        }
      }
      expect(checked).toBeGreaterThan(400)
    })
  )

  it("reads an NDJSON line as its strict schema does: excess properties and bad fields are reported", () => {
    const [, line] = text.split("\n")
    const good = JSON.parse(line ?? "{}")
    const read = (value: unknown) => Ndjson.decodeLine({ number: 2, text: JSON.stringify(value), terminated: true })
    expect(Either.isRight(read(good))).toBe(true)
    const refused = (value: unknown) =>
      Either.match(read(value), { onLeft: (e) => e.message, onRight: () => "accepted" })
    expect(refused({ ...good, extra: 1 })).toMatch(/^line 2: extra: is unexpected/)
    expect(refused({ ...good, revision: "01", eventId: "x" })).toBe(
      "line 2: revision: must be a string of decimal digits; eventId: must be a UUID"
    )
    expect(refused({ ...good, position: "18446744073709551616" })).toBe("line 2: position: must fit in 64 bits")
    expect(refused({ ...good, recordedAt: "2026-13-45T00:00:00Z" })).toMatch(/^line 2: recordedAt: must be an ISO-8601/)
    expect(refused({ ...good, metadata: [] })).toMatch(/^line 2: metadata: /)
    // JSON.parse reads 1e999 as Infinity, which is no JSON value.
    const raw = (edit: (line: string) => string) =>
      Either.match(Ndjson.decodeLine({ number: 2, text: edit(JSON.stringify(good)), terminated: true }), {
        onLeft: (e) => e.message,
        onRight: () => "accepted"
      })
    expect(raw((l) => l.replace('"data":{', '"data":{"n":1e999,'))).toMatch(/^line 2: data: /)
    expect(raw((l) => l.replace('"metadata":{', '"metadata":{"n":[1,-1e999],'))).toMatch(/^line 2: metadata\.n: /)
    expect(raw((l) => l.replace('"metadata":{', '"metadata":{"n":[1,-1e99],'))).toBe("accepted")
  })

  it("reads every line, and every variant of its fields, to what the EventLine schema decodes it to", () => {
    const schema = Schema.decodeUnknownEither(Ndjson.EventLine, { onExcessProperty: "error", errors: "all" })
    const lines = text
      .split("\n")
      .slice(1)
      .filter((line) => line !== "")
    const variants = (good: { readonly [key: string]: unknown }): ReadonlyArray<unknown> => [
      good,
      { ...good, stream: "" },
      { ...good, stream: 7 },
      { ...good, type: "" },
      { ...good, revision: "0" },
      { ...good, revision: "01" },
      { ...good, revision: 3 },
      { ...good, position: "18446744073709551615" },
      { ...good, position: "18446744073709551616" },
      { ...good, position: "-1" },
      { ...good, eventId: String(good.eventId).toUpperCase() },
      { ...good, eventId: `${String(good.eventId)}0` },
      { ...good, eventId: String(good.eventId).replace(/^./, "g") },
      { ...good, recordedAt: "2026-02-30T00:00:00Z" },
      { ...good, recordedAt: "2026-01-01T00:00:00.123456789Z" },
      { ...good, recordedAt: "2026-01-01T00:00:00+01:00" },
      { ...good, recordedAt: "2026-01-01T25:00:00Z" },
      { ...good, data: null },
      { ...good, data: [1, "x", { y: [true] }] },
      { ...good, metadata: [] },
      { ...good, metadata: null },
      { ...good, metadata: { nested: { deep: [1, 2] } } },
      { ...good, extra: 1 },
      Object.fromEntries(Object.entries(good).filter(([key]) => key !== "data")),
      [good],
      "line",
      null
    ]
    let checked = 0
    for (const line of lines) {
      for (const variant of variants(JSON.parse(line))) {
        const ours = Ndjson.decodeLine({ number: 2, text: JSON.stringify(variant), terminated: true })
        const reference = schema(variant)
        expect(Either.isRight(ours)).toBe(Either.isRight(reference))
        if (Either.isRight(ours) && Either.isRight(reference)) {
          const { stream, ...rest } = reference.right
          expect(ours.right).toEqual({ streamId: stream, ...rest })
        }
        checked++
      }
    }
    expect(checked).toBeGreaterThan(200)
  })
})

const tagOf = (variant: unknown) =>
  typeof variant === "object" && variant !== null && "_tag" in variant ? variant._tag : undefined
