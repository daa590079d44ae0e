/**
 * The token index files tokens under an integer taken from the first 30 bits of their digest, so different tokens
 * can share a key. Real SHA-256 digests almost never do, so these tests make digests that do (same first bytes,
 * or first bytes that differ only in the two bits the key leaves out) and compare every state of a fold with a
 * plain `Map` from hex digest to entry.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck as fc, Option } from "effect"
import type { DomainEvent, RevocationReason } from "../src/index.js"
import { foldProjection, TokenIndex } from "../src/index.js"
import { binaryOf, keyOf } from "../src/fast/tokenSlots.js"
import { domainEvents, tokenEvents, tokenIdOf } from "./golden.js"
import { readFileSync } from "node:fs"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

const hex = (seed: number): string => {
  let out = ""
  let x = seed * 2654435761
  while (out.length < 56) {
    x = (x * 1103515245 + 12345) >>> 0
    out += x.toString(16).padStart(8, "0")
  }
  return out.slice(0, 56)
}

/** Twelve digests: three groups of four that each share one key, the last group differing only in masked bits. */
const digests: ReadonlyArray<string> = [
  ...[0, 1, 2, 3].map((i) => `abcdef01${hex(i)}`),
  ...[4, 5, 6, 7].map((i) => `00000000${hex(i)}`),
  ...["12345601", "12345641", "12345681", "123456c1"].map((first, i) => `${first}${hex(8 + i)}`)
]

type Op =
  | { readonly _tag: "issue"; readonly token: number }
  | { readonly _tag: "revoke"; readonly token: number; readonly reason: RevocationReason }

const ops: fc.Arbitrary<Array<Op>> = fc.array(
  fc.oneof(
    fc.record({ _tag: fc.constant("issue" as const), token: fc.integer({ min: 0, max: digests.length - 1 }) }),
    fc.record({
      _tag: fc.constant("revoke" as const),
      token: fc.integer({ min: 0, max: digests.length + 1 }),
      reason: fc.constantFrom<RevocationReason>("Manual", "ServiceAccountDeleted")
    })
  ),
  { maxLength: 40 }
)

interface Reference {
  readonly organizationId: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly scopes: ReadonlyArray<string>
  readonly revoked: Option.Option<RevocationReason>
}

describe("token index", () => {
  it("files a digest under its first 30 bits", () => {
    const shared = digests.slice(8).map((digest) => keyOf(binaryOf(digest) ?? ""))
    expect(new Set(shared).size).toBe(1)
    expect(keyOf(binaryOf(digests[0] ?? "") ?? "")).toBe(0x01efcdab)
    for (const digest of digests) expect(keyOf(binaryOf(digest) ?? "")).toBeLessThan(2 ** 30)
  })

  it("reads only lower-case hex digests of 64 characters", () => {
    const digest = digests[0] ?? ""
    expect(binaryOf(digest)).toBe(Buffer.from(digest, "hex").toString("latin1"))
    for (const bad of [
      digest.toUpperCase(),
      digest.slice(1),
      `${digest}0`,
      `g${digest.slice(1)}`,
      "",
      `é${digest.slice(1)}`
    ]) {
      expect(binaryOf(bad)).toBeUndefined()
    }
  })

  it.effect("a digest that differs from an indexed one in a single byte finds nothing, in every byte", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const { issued: issue } = tokenEvents(events)
      const FIRST = tokenIdOf(1)
      const SECOND = tokenIdOf(2)
      /** The digest with the bits of `mask` flipped in byte `at`. */
      const flipped = (digest: string, at: number, mask: number): string => {
        const bytes = Buffer.from(digest, "hex")
        bytes[at] = (bytes[at] ?? 0) ^ mask
        return bytes.toString("hex")
      }
      const indexed = `${hex(90)}${hex(91).slice(0, 8)}`
      const alone = foldProjection(TokenIndex.projection, [issue(FIRST, indexed)])
      expect(TokenIndex.get(alone, indexed)?.tokenId).toBe(FIRST)
      // Every byte, at its lowest and highest bit: the key's bytes (0 to 2 and the low six bits of 3), each of the
      // ten numbers a slot compares (bytes 3 to 31, the last holding two bytes), and the two bits the key leaves out.
      for (let at = 0; at < 32; at++) {
        for (const mask of [0x01, 0x80]) {
          const near = flipped(indexed, at, mask)
          expect(TokenIndex.get(alone, near), `byte ${at} ^ ${mask}`).toBeUndefined()
          // Both indexed (as two tokens): each digest finds its own token, in either order of issue.
          for (const [first, second] of [
            [issue(FIRST, indexed), issue(SECOND, near)],
            [issue(SECOND, near), issue(FIRST, indexed)]
          ] as const) {
            const both = foldProjection(TokenIndex.projection, [first, second])
            expect(TokenIndex.get(both, indexed)?.tokenId, `byte ${at} ^ ${mask}`).toBe(FIRST)
            expect(TokenIndex.get(both, near)?.tokenId, `byte ${at} ^ ${mask}`).toBe(SECOND)
            expect(TokenIndex.size(both)).toBe(2)
          }
        }
      }
    })
  )

  it.effect("every state of a fold with shared keys shows what a plain map of hex digests shows", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const { issued: issue, revoked: revoke } = tokenEvents(events)
      fc.assert(
        fc.property(ops, (script) => {
          const issued = new Set<number>()
          const history: Array<DomainEvent> = []
          for (const op of script) {
            if (op._tag === "issue") {
              // A token is issued once; a second issue of the same one is left out of the history.
              if (issued.has(op.token)) continue
              issued.add(op.token)
              history.push(issue(tokenIdOf(op.token), digests[op.token] ?? ""))
            } else {
              history.push(revoke(tokenIdOf(op.token), op.reason))
            }
          }
          // The reference: a map from hex digest to entry; a revocation marks a live token once.
          const expected: Array<Map<string, Reference>> = [new Map()]
          for (const { event } of history) {
            const next = new Map(expected[expected.length - 1])
            if (event._tag === "TokenIssued") {
              next.set(event.secretHash, {
                organizationId: event.organizationId,
                serviceAccountId: event.serviceAccountId,
                tokenId: event.tokenId,
                scopes: event.scopes,
                revoked: Option.none()
              })
            } else if (event._tag === "TokenRevoked") {
              for (const [digest, entry] of next) {
                if (entry.tokenId === event.tokenId && Option.isNone(entry.revoked)) {
                  next.set(digest, { ...entry, revoked: Option.some(event.reason) })
                }
              }
            }
            expected.push(next)
          }
          const states = [TokenIndex.projection.initialState]
          for (const event of history) {
            states.push(TokenIndex.projection.apply(states[states.length - 1] as TokenIndex.TokenIndexState, event))
          }
          // Newest first, then oldest first: every read reroots the shared world.
          const order = [...states.keys()].reverse().concat([...states.keys()])
          for (const n of order) {
            const state = states[n] as TokenIndex.TokenIndexState
            const reference = expected[n] as Map<string, Reference>
            expect(TokenIndex.size(state)).toBe(reference.size)
            for (const digest of digests) {
              const want = reference.get(digest)
              expect(TokenIndex.get(state, digest)).toEqual(want)
              expect(Option.getOrUndefined(TokenIndex.lookup(state, digest))).toEqual(want)
            }
          }
          // Folding all at once gives the newest state.
          const all = foldProjection(TokenIndex.projection, history)
          for (const digest of digests) {
            expect(TokenIndex.get(all, digest)).toEqual(expected[expected.length - 1]?.get(digest))
          }
        }),
        { numRuns: 200 }
      )
    })
  )
})
