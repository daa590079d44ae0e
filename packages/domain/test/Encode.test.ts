import { describe, expect, it } from "@effect/vitest"
import { Arbitrary, DateTime, FastCheck as fc, Schema } from "effect"
import { ServiceAccountEvent } from "../src/index.js"
import { toProposed, toProposedDecided } from "../src/store/encode.js"

const events = Arbitrary.make(ServiceAccountEvent)

describe("encoding decided events", () => {
  it("gives exactly what Schema.encode gives, field order included", () => {
    fc.assert(
      fc.property(fc.array(events, { minLength: 1, maxLength: 4 }), (batch) => {
        const command = { commandId: "cmd", hash: "h" }
        let checked: ReturnType<typeof toProposed>
        try {
          checked = toProposed("s", batch, { idempotencyKey: "k", command })
        } catch {
          // An optional field present as `undefined` has no JSON form: the deciders never build such an event.
          return fc.pre(false)
        }
        const fast = toProposedDecided("s", batch, { idempotencyKey: "k", command })
        expect(fast).toStrictEqual(checked)
        expect(fast.map((event) => JSON.stringify(event.data))).toStrictEqual(
          checked.map((event) => JSON.stringify(event.data))
        )
      }),
      { numRuns: 300 }
    )
  })

  it("leaves out fields the schema does not declare, as Schema.encode does", () => {
    const [event] = fc.sample(events, { numRuns: 1, seed: 42 })
    if (event === undefined) throw new Error("no sample")
    const extended = { ...event, extra: "not in the schema" } as unknown as ServiceAccountEvent
    const [fast] = toProposedDecided("s", [extended], { idempotencyKey: "k" })
    expect(fast?.data).toStrictEqual(Schema.encodeSync(ServiceAccountEvent)(event))
  })

  it("hands what it cannot encode itself to Schema, which refuses it", () => {
    const [event] = fc.sample(events, { numRuns: 1, seed: 7 })
    if (event === undefined) throw new Error("no sample")
    const zoned = DateTime.unsafeMakeZoned(0, { timeZone: "Europe/Paris" })
    const bad = { ...event, occurredAt: zoned } as unknown as ServiceAccountEvent
    expect(() => toProposedDecided("s", [bad], { idempotencyKey: "k" })).toThrow()
  })
})
