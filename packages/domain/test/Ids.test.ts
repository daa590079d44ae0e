import { createHash } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc, Schema } from "effect"
import { derivedEventId, ServiceAccountId, uuidFromBytes } from "../src/index.js"

/** The definition, written the plain way: the bytes in hex, version 4 and variant 10xx set, dashes 8-4-4-4-12. */
const plain = (bytes: Uint8Array): string => {
  const b = Array.from({ length: 16 }, (_, i) => bytes[i] ?? 0)
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const hex = b.map((byte) => byte.toString(16).padStart(2, "0")).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

describe("uuidFromBytes", () => {
  it("formats 16 bytes as a version-4 UUID, as defined, each result its own string", () => {
    const results: Array<string> = []
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20 }), (bytes) => {
        const uuid = uuidFromBytes(bytes)
        expect(uuid).toBe(plain(bytes))
        expect(Schema.is(ServiceAccountId)(uuid)).toBe(true)
        results.push(uuid)
      }),
      { numRuns: 1000 }
    )
    // Formatting the next UUID does not change the ones already handed out.
    expect(uuidFromBytes(new Uint8Array(16).fill(0xff))).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff")
    expect(
      results.every((uuid) => /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(uuid))
    ).toBe(true)
  })
})

describe("derivedEventId", () => {
  it("is what uuidFromBytes makes of the first 16 bytes of SHA-256(stream, NUL, key, NUL, index)", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), fc.nat(), (streamId, key, index) => {
        const digest = createHash("sha256").update(`${streamId}\u0000${key}\u0000${index}`, "utf8").digest()
        expect(derivedEventId(streamId, key, index)).toBe(uuidFromBytes(digest.subarray(0, 16)))
      }),
      { numRuns: 1000 }
    )
  })
})
