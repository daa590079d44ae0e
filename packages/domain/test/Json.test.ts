/**
 * `isJson` walks every event a store hands out, so it is written without building arrays of values; it must say what
 * the plain definition says (arrays and plain objects of strings, finite numbers, booleans and null) for any value.
 */
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { isJson } from "../src/fast/json.js"

const reference = (value: unknown): boolean => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value)
    case "object":
      if (value === null) return true
      if (Array.isArray(value)) return value.every(reference)
      if (value instanceof Uint8Array) return false
      return Object.values(value).every(reference)
    default:
      return false
  }
}

class Point {
  constructor(readonly x: number) {}
}

const odd = fc.oneof(
  fc.constant(Number.NaN),
  fc.constant(Number.POSITIVE_INFINITY),
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Symbol("s")),
  fc.bigInt(),
  fc.uint8Array({ maxLength: 3 }),
  fc.date(),
  fc.integer().map((x) => new Point(x)),
  fc.constant(Object.create({ inherited: Number.NaN }))
)

describe("isJson", () => {
  it("agrees with the plain definition on any value, nested in objects and arrays", () => {
    const value = fc.letrec((tie) => ({
      node: fc.oneof(
        { depthSize: "small" },
        fc.jsonValue(),
        odd,
        fc.array(tie("node"), { maxLength: 4 }),
        fc.dictionary(fc.string(), tie("node"), { maxKeys: 4 })
      )
    })).node
    fc.assert(
      fc.property(value, (v) => {
        expect(isJson(v)).toBe(reference(v))
      }),
      { numRuns: 2000 }
    )
  })

  it("reads only own properties, as Object.values does", () => {
    const withInherited: object = Object.create({ inherited: Number.NaN })
    expect(isJson(withInherited)).toBe(true)
    expect(isJson({ own: Number.NaN })).toBe(false)
    expect(isJson({ nested: [1, "a", null, { deep: new Uint8Array(1) }] })).toBe(false)
    expect(isJson(JSON.parse('{"a":[1,2,{"b":null}],"c":"d"}'))).toBe(true)
  })
})
