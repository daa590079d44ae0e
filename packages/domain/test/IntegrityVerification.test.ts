import { generateKeyPairSync, type KeyObject } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { Integrity, IntegrityCheckpoints, IntegrityVerification, type RecordedEvent } from "../src/index.js"

const DIRECTORY = "serviceAccountDirectory-acme"
const CHECKPOINTS = "serviceAccountIntegrity-acme"
const { privateKey, publicKey } = generateKeyPairSync("ed25519")

/** A store's worth of events: `n` sealed directory events, positions counted over every stream. */
class History {
  readonly events: Array<RecordedEvent> = []
  private readonly tips = new Map<string, { revision: bigint; digest: string }>()

  append(streamId: string, type: string, data: RecordedEvent["data"]): RecordedEvent {
    const tip = this.tips.get(streamId) ?? { revision: -1n, digest: Integrity.GENESIS }
    const revision = tip.revision + 1n
    const { events, last } = Integrity.seal(streamId, revision, tip.digest, [
      { eventId: `00000000-0000-4000-8000-${String(this.events.length).padStart(12, "0")}`, type, data, metadata: {} }
    ])
    const [proposed] = events
    if (proposed === undefined) throw new Error("nothing sealed")
    const event = { ...proposed, streamId, revision, position: BigInt(this.events.length), recordedAt: new Date(0) }
    this.tips.set(streamId, { revision, digest: last })
    this.events.push(event)
    return event
  }

  directory(n: number): this {
    for (let i = 0; i < n; i++) this.append(DIRECTORY, "TokenIssued", { n: this.events.length })
    return this
  }

  checkpoint(key: KeyObject = privateKey, revision?: bigint): this {
    const tip = this.tips.get(DIRECTORY)
    const at = revision ?? tip?.revision ?? 0n
    const pinned = this.events.find((e) => e.streamId === DIRECTORY && e.revision === at)
    const digest = pinned === undefined ? Integrity.GENESIS : (Integrity.recordOf(pinned.metadata)?.digest ?? "")
    const checkpoint = Integrity.signCheckpoint(key, {
      streamId: DIRECTORY,
      revision: String(at),
      digest,
      createdAt: "2026-11-28T00:00:00.000Z"
    })
    this.append(CHECKPOINTS, IntegrityCheckpoints.CHECKPOINT_EVENT_TYPE, { ...checkpoint })
    return this
  }
}

const verify = (
  events: ReadonlyArray<RecordedEvent>,
  options: IntegrityVerification.VerificationOptions = { publicKey }
) => IntegrityVerification.verifyHistory(Stream.fromIterable(events), options)

const found = (report: IntegrityVerification.VerificationReport) =>
  report.findings.map((f) => `${f.kind}@${f.streamId === DIRECTORY ? "d" : "c"}${f.revision}#${f.position}`)

/** Re-seals a directory from scratch after an edit, as someone rewriting the history would. */
const rewritten = (events: ReadonlyArray<RecordedEvent>, edit: (event: RecordedEvent) => RecordedEvent) => {
  let previous = Integrity.GENESIS
  return events.map((original) => {
    if (original.streamId !== DIRECTORY) return original
    const event = edit(original)
    const { events: sealed, last } = Integrity.seal(DIRECTORY, event.revision, previous, [event])
    previous = last
    return { ...event, metadata: sealed[0]?.metadata ?? {} }
  })
}

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

  it.effect("finds a forged checkpoint: signed with another key, or altered after signing", () =>
    Effect.gen(function* () {
      const other = generateKeyPairSync("ed25519").privateKey
      const forged = yield* verify(new History().directory(3).checkpoint(other).events)
      expect(found(forged)).toEqual(["forged-checkpoint@c0#3"])
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
