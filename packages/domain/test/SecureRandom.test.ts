import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makePooledRandom, SecureRandom } from "../src/index.js"

const draw = (random: { readonly bytes: (length: number) => Effect.Effect<Uint8Array> }, length: number) =>
  Effect.runSync(random.bytes(length))

const hex = (bytes: Uint8Array) => Buffer.from(bytes).toString("hex")

describe("SecureRandom (pooled)", () => {
  it("serves each request with the length asked, across refills of the pool", () => {
    const random = makePooledRandom(64)
    const lengths = [0, 1, 16, 15, 16, 7, 16, 16, 3, 16, 1, 16, 16, 16, 9]
    for (const length of lengths) expect(draw(random, length)).toHaveLength(length)
  })

  it("never hands out the same bytes twice", () => {
    const random = makePooledRandom(256)
    const seen = new Set<string>()
    for (let i = 0; i < 2_000; i++) seen.add(hex(draw(random, 16)))
    expect(seen.size).toBe(2_000)
  })

  it("hands out copies: changing what was handed out changes nothing later", () => {
    const random = makePooledRandom(64)
    const first = draw(random, 16)
    first.fill(0)
    const rest = [draw(random, 16), draw(random, 16), draw(random, 16), draw(random, 16)]
    // With 64 random bytes, an all-zero block of 16 is as good as impossible: the pool was not shared.
    for (const bytes of rest) expect(bytes.some((byte) => byte !== 0)).toBe(true)
    expect(rest[3]?.buffer).not.toBe(rest[2]?.buffer)
  })

  it("sends large requests straight to the operating system and refuses a negative length", () => {
    const random = makePooledRandom(64)
    expect(draw(random, 1_000)).toHaveLength(1_000)
    expect(() => draw(random, -1)).toThrow()
  })

  it("is what SecureRandom.layer provides: token-sized draws are all different", () =>
    Effect.gen(function* () {
      const random = yield* SecureRandom
      const values = new Set<string>()
      for (let i = 0; i < 500; i++) values.add(hex(yield* random.bytes(32)))
      expect(values.size).toBe(500)
    }).pipe(Effect.provide(SecureRandom.layer), Effect.runSync))
})
