/**
 * The store keeps exactly what printing a value as JSON text and parsing it back would give — made directly when
 * the value is plain JSON data — deep-frozen, and shared with no caller.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Json } from "@service-accounts/domain"
import { FastCheck as fc } from "effect"
import { storeData, storeMetadata } from "../src/internal/json.js"

const viaText = (value: unknown): unknown => JSON.parse(JSON.stringify(value))

const isDeepFrozen = (value: unknown): boolean =>
  typeof value !== "object" || value === null || (Object.isFrozen(value) && Object.values(value).every(isDeepFrozen))

/** Values that are JSON data, and values JSON text treats otherwise than a copy would. */
const awkward = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.jsonValue(),
    fc.constantFrom(-0, Number.NaN, Number.POSITIVE_INFINITY, undefined, new Date(0), { toJSON: () => "custom" }),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(fc.constantFrom("a", "b", "__proto__", "1", "toString"), tie("value"), {
      maxKeys: 4
    })
  )
})).value

describe("stored copies", () => {
  it("are what JSON text gives back, deep-frozen and new", () => {
    fc.assert(
      fc.property(awkward, (value) => {
        fc.pre(JSON.stringify(value) !== undefined)
        const stored = storeData(value as Json, "data")
        expect(stored).toStrictEqual(viaText(value))
        expect(Object.is(stored, -0)).toBe(false)
        expect(isDeepFrozen(stored)).toBe(true)
        if (typeof value === "object" && value !== null) expect(stored).not.toBe(value)
      }),
      { numRuns: 500 }
    )
  })

  it("keep a __proto__ key as an own key, as JSON.parse does", () => {
    const data = JSON.parse('{"__proto__": {"polluted": true}, "a": 1}')
    const stored = storeData(data, "data")
    expect(Object.getPrototypeOf(stored)).toBe(Object.prototype)
    expect(Object.keys(stored as object)).toEqual(["__proto__", "a"])
    expect(({} as { polluted?: boolean }).polluted).toBeUndefined()
  })

  it("refuse what has no JSON form: a bigint, a cycle, metadata that is not an object", () => {
    const cycle: { [key: string]: unknown } = {}
    cycle.self = cycle
    expect(() => storeData({ big: 1n } as unknown as Json, "data of event e")).toThrow(/data of event e is not JSON/)
    expect(() => storeData(cycle as Json, "data of event e")).toThrow(/is not JSON/)
    expect(() => storeMetadata([1] as unknown as { [key: string]: Json }, "metadata")).toThrow(/not a JSON object/)
  })
})
