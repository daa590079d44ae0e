import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CHECKPOINTS, DIRECTORY, found, History, privateKey, rewritten, verify } from "./integrityHistory.js"

describe("IntegrityVerification", () => {
  it.effect("finds nothing in an intact history, in one pass", () =>
    Effect.gen(function* () {
      const report = yield* verify(new History().directory(5).checkpoint().directory(2).checkpoint().events)
      expect(found(report)).toEqual([])
      expect(report).toMatchObject({ events: 9, directories: 1, checkpoints: 2, passes: 1, totalFindings: 0 })
      expect(report.latestCheckpoints.map((c) => c.revision)).toEqual(["6"])
    })
  )

  it.effect("finds a tail removed behind a checkpoint", () =>
    Effect.gen(function* () {
      const history = new History().directory(6).checkpoint()
      const cut = history.events.filter((e) => !(e.streamId === DIRECTORY && e.revision >= 4n))
      const report = yield* verify(cut)
      expect(found(report)).toEqual(["truncated@d5#6"])
      expect(report.findings[0]?.message).toContain("the stream ends at revision 3 (position 3)")
    })
  )

  it.effect("finds a stream removed whole behind its checkpoint", () =>
    Effect.gen(function* () {
      const history = new History().directory(3).checkpoint()
      const report = yield* verify(history.events.filter((e) => e.streamId !== DIRECTORY))
      expect(found(report)).toEqual(["truncated@d2#3"])
    })
  )

  it.effect("finds a history rewritten (and re-sealed) behind a checkpoint, at the pinned event", () =>
    Effect.gen(function* () {
      const history = new History().directory(5).checkpoint()
      const edited = rewritten(history.events, (e) => (e.revision === 1n ? { ...e, data: { n: 99 } } : e))
      const report = yield* verify(edited)
      expect(found(report)).toEqual(["checkpoint-mismatch@d4#4"])
    })
  )

  it.effect("finds a forged checkpoint among valid ones: signed with another key, or altered after signing", () =>
    Effect.gen(function* () {
      const other = generateKeyPairSync("ed25519").privateKey
      const forged = yield* verify(new History().directory(3).checkpoint().directory(1).checkpoint(other).events)
      expect(found(forged)).toEqual(["forged-checkpoint@c1#5"])
      const unreadable = new History().directory(1)
      unreadable.append(CHECKPOINTS, "IntegrityCheckpoint", { streamId: DIRECTORY })
      unreadable.append(CHECKPOINTS, "SomethingElse", {})
      expect(found(yield* verify(unreadable.events))).toEqual(["forged-checkpoint@c0#1", "forged-checkpoint@c1#2"])
    })
  )

  it.effect("checks a checkpoint that came after later events of its stream in a second pass", () =>
    Effect.gen(function* () {
      const history = new History().directory(4).checkpoint(privateKey, 1n).directory(2)
      const intact = yield* verify(history.events)
      expect(found(intact)).toEqual([])
      expect(intact.passes).toBe(2)
      const edited = rewritten(history.events, (e) => (e.revision === 0n ? { ...e, data: { n: -1 } } : e))
      expect(found(yield* verify(edited))).toEqual(["checkpoint-mismatch@d1#1"])
    })
  )

  it.effect("checks a checkpoint that comes before the revision it signs when the stream gets there", () =>
    Effect.gen(function* () {
      const history = new History().directory(4).checkpoint()
      const [a, b, c, d, checkpoint] = history.events
      const moved = [a, checkpoint, b, c, d].flatMap((e) => (e === undefined ? [] : [e]))
      expect(found(yield* verify(moved))).toEqual([])
      const edited = rewritten(moved, (e) => (e.revision === 2n ? { ...e, data: { n: 7 } } : e))
      expect(found(yield* verify(edited))).toEqual(["checkpoint-mismatch@d3#3"])
    })
  )

  it.effect("without a public key, checks chains only and counts the checkpoints it skipped", () =>
    Effect.gen(function* () {
      const history = new History().directory(3).checkpoint(generateKeyPairSync("ed25519").privateKey)
      const report = yield* verify(history.events, {})
      expect(found(report)).toEqual([])
      expect(report).toMatchObject({ checkpoints: 0, uncheckedCheckpoints: 1 })
    })
  )

  it.effect("detects a removed checkpoint by the checkpoint stream's own chain", () =>
    Effect.gen(function* () {
      const history = new History().directory(2).checkpoint().directory(1).checkpoint().directory(1).checkpoint()
      const checkpoints = history.events.filter((e) => e.streamId === CHECKPOINTS)
      const removed = history.events.filter((e) => e !== checkpoints[1])
      expect(found(yield* verify(removed))).toEqual(["missing-events@c2#6"])
    })
  )

  it.effect("keeps at most maxFindings findings but counts them all", () =>
    Effect.gen(function* () {
      const history = new History().directory(10)
      const edited = history.events.map((e) => ({ ...e, data: { edited: true } }))
      const report = yield* verify(edited, { maxFindings: 3 })
      expect(report.findings).toHaveLength(3)
      expect(report.totalFindings).toBe(10)
    })
  )
})
