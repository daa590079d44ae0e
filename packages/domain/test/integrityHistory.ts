/**
 * A history to verify, built event by event: sealed directory events and signed checkpoints, with positions counted
 * over every stream; and the helpers the verification tests share.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto"
import { Stream } from "effect"
import { Integrity, IntegrityCheckpoints, IntegrityVerification, type RecordedEvent } from "../src/index.js"

export const DIRECTORY = "serviceAccountDirectory-acme"
export const CHECKPOINTS = "serviceAccountIntegrity-acme"
export const { privateKey, publicKey } = generateKeyPairSync("ed25519")

/** A store's worth of events: `n` sealed directory events, positions counted over every stream. */
export class History {
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

export const verify = (
  events: ReadonlyArray<RecordedEvent>,
  options: IntegrityVerification.VerificationOptions = { publicKey }
) => IntegrityVerification.verifyHistory(Stream.fromIterable(events), options)

export const found = (report: IntegrityVerification.VerificationReport) =>
  report.findings.map((f) => `${f.kind}@${f.streamId === DIRECTORY ? "d" : "c"}${f.revision}#${f.position}`)

/** Re-seals a directory from scratch after an edit, as someone rewriting the history would. */
export const rewritten = (events: ReadonlyArray<RecordedEvent>, edit: (event: RecordedEvent) => RecordedEvent) => {
  let previous = Integrity.GENESIS
  return events.map((original) => {
    if (original.streamId !== DIRECTORY) return original
    const event = edit(original)
    const { events: sealed, last } = Integrity.seal(DIRECTORY, event.revision, previous, [event])
    previous = last
    return { ...event, metadata: sealed[0]?.metadata ?? {} }
  })
}
