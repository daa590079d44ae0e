import { describe, expect, it } from "@effect/vitest"
import type { EventStoreShape } from "../src/index.js"
import { type CachedState, makeStateCache } from "../src/service/stateCache.js"
import { Directory, Integrity } from "../src/index.js"
import { HashMap } from "effect"

const entry = (revision: bigint): CachedState => ({
  revision,
  state: Directory.initialState,
  lastDigest: Integrity.GENESIS,
  commands: HashMap.empty()
})

// Only `load` reads the store; these tests never call it.
const noStore = {} as EventStoreShape

describe("the state cache", () => {
  it("evicts the least recently used stream, a stream used again (peek or remember) being the most recent", () => {
    const cache = makeStateCache(noStore, 2)
    cache.remember("a", entry(0n))
    cache.remember("b", entry(0n))
    expect(cache.peek("a")?.revision).toBe(0n)
    cache.remember("c", entry(0n))
    expect(cache.peek("b")).toBeUndefined()
    expect(cache.peek("a")?.revision).toBe(0n)
    // `a` used twice in a row, then `c` remembered again: `a` is now the least recent.
    expect(cache.peek("a")?.revision).toBe(0n)
    cache.remember("c", entry(1n))
    cache.remember("d", entry(0n))
    expect(cache.peek("a")).toBeUndefined()
    expect(cache.peek("c")?.revision).toBe(1n)
    expect(cache.size()).toBe(2)
  })

  it("keeps the newer entry, and forgets an evicted stream even when it was the last one used", () => {
    const cache = makeStateCache(noStore, 2)
    cache.remember("a", entry(3n))
    cache.remember("a", entry(2n))
    expect(cache.peek("a")?.revision).toBe(3n)
    cache.evict("a")
    expect(cache.peek("a")).toBeUndefined()
    cache.remember("b", entry(0n))
    cache.remember("a", entry(1n))
    cache.remember("a", entry(4n))
    cache.remember("c", entry(0n))
    expect(cache.peek("b")).toBeUndefined()
    expect(cache.peek("a")?.revision).toBe(4n)
    expect(cache.size()).toBe(2)
  })

  it("with room for none, keeps none", () => {
    const cache = makeStateCache(noStore, 0)
    cache.remember("a", entry(0n))
    expect(cache.peek("a")).toBeUndefined()
    cache.remember("a", entry(1n))
    expect(cache.size()).toBe(0)
  })
})
