/**
 * Verifying a whole history's tamper evidence: every directory's digest chain (`Integrity.ChainVerifier`), the
 * chain of every checkpoint stream, each checkpoint's Ed25519 signature, and that each directory still reaches
 * every signed checkpoint with the signed digest.
 *
 * It reads the history once, in order, keeping a constant amount of state per stream (plus the checkpoints
 * waiting for their revision). A checkpoint that comes after later events of its own stream (one written while
 * the directory kept growing) cannot be checked in that pass; when there is one, the streams concerned are read a
 * second time for just those revisions.
 *
 * @example
 * ```ts
 * import type { KeyObject } from "node:crypto"
 * import { EventStore, IntegrityVerification } from "@service-accounts/domain"
 * import { Effect } from "effect"
 *
 * // An audit of the whole store: every chain, and every checkpoint against the public key that signed it.
 * const audit = (publicKey: KeyObject) =>
 *   Effect.flatMap(EventStore, (store) => IntegrityVerification.verifyHistory(store.readAll(), { publicKey })).pipe(
 *     Effect.map((report) =>
 *       report.totalFindings === 0
 *         ? `intact: ${report.events} events, ${report.checkpoints} checkpoint(s) checked`
 *         : report.findings.map((finding) => `${finding.streamId}@${finding.revision}: ${finding.message}`).join("\n")
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 */
import type { KeyObject } from "node:crypto"
import { Effect, Either, Stream } from "effect"
import type { RecordedEvent } from "../store/EventStore.js"
import * as Integrity from "./Integrity.js"
import { decodeCheckpoint, isIntegrityStream } from "./IntegrityCheckpoints.js"
import { isDirectoryStream } from "../store/StoredEvent.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface VerificationOptions {
  /** The Ed25519 public key (PEM or `KeyObject`) checkpoints are checked with. Without it, checkpoints are skipped. */
  readonly publicKey?: KeyObject | string | undefined
  /** At most this many findings are kept (all are counted). Default 1000. */
  readonly maxFindings?: number
}

/**
 * What a verification found.
 *
 * @since 0.1.0
 * @category models
 */
export interface VerificationReport {
  /** Events read, of any stream. */
  readonly events: number
  /** Directory streams whose chain was verified. */
  readonly directories: number
  /** Checkpoints whose signature was checked. */
  readonly checkpoints: number
  /** Checkpoints found but not checked, for want of a public key. */
  readonly uncheckedCheckpoints: number
  /** In the order of their positions (findings without one last); at most `maxFindings`. */
  readonly findings: ReadonlyArray<Integrity.Finding>
  readonly totalFindings: number
  /** The latest checkpoint with a valid signature of each directory: note them, to compare with the next audit. */
  readonly latestCheckpoints: ReadonlyArray<Integrity.Checkpoint>
  /** How many times the history was read (2 only when a checkpoint came after later events of its stream). */
  readonly passes: 1 | 2
}

interface Pinned {
  readonly revision: bigint
  readonly digest: string
  /** Where the checkpoint itself is. */
  readonly position: bigint
}

/** A digest a second read found at a revision, and where. */
interface Remembered {
  readonly digest: string
  readonly position?: bigint
}

interface DirectoryState {
  readonly verifier: Integrity.ChainVerifier
  readonly remember: Set<bigint>
  /** Checkpoints of revisions this pass has not reached yet, in revision order. */
  readonly pending: Array<Pinned>
  lastPosition: bigint | undefined
  /** The position of each remembered revision. */
  readonly positions: Map<bigint, bigint>
}

const newDirectory = (streamId: string): DirectoryState => {
  const remember = new Set<bigint>()
  return {
    verifier: new Integrity.ChainVerifier(streamId, remember),
    remember,
    pending: [],
    lastPosition: undefined,
    positions: new Map()
  }
}

const byPosition = (a: Integrity.Finding, b: Integrity.Finding): number => {
  if (a.position === undefined) return b.position === undefined ? 0 : 1
  if (b.position === undefined) return -1
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0
}

/**
 * The verification state machine: feed it the history's events in order with `next`, then call `finish`.
 * `verifyHistory` runs it over a `Stream`.
 *
 * @since 0.1.0
 * @category verification
 */
export class HistoryVerifier {
  private readonly directories = new Map<string, DirectoryState>()
  private readonly checkpointStreams = new Map<string, Integrity.ChainVerifier>()
  private readonly findings: Array<Integrity.Finding> = []
  private readonly latest = new Map<string, Integrity.Checkpoint>()
  /** Checkpoints that arrived after later events of their stream, by directory. */
  readonly late = new Map<string, Array<Pinned>>()
  private totalFindings = 0
  private events = 0
  private checkpoints = 0
  private unchecked = 0
  private readonly maxFindings: number

  constructor(private readonly options: VerificationOptions = {}) {
    this.maxFindings = options.maxFindings ?? 1000
  }

  private report(finding: Integrity.Finding): void {
    this.totalFindings++
    if (this.findings.length < this.maxFindings) this.findings.push(finding)
  }

  private directory(streamId: string): DirectoryState {
    let state = this.directories.get(streamId)
    if (state === undefined) {
      state = newDirectory(streamId)
      this.directories.set(streamId, state)
    }
    return state
  }

  private compare(streamId: string, pinned: Pinned, digest: string | undefined, position: bigint | undefined): void {
    const at = { streamId, revision: pinned.revision, ...(position === undefined ? {} : { position }) }
    if (digest === undefined) {
      this.report({
        ...at,
        kind: "checkpoint-mismatch",
        message: `the event at revision ${pinned.revision}, signed by the checkpoint at position ${pinned.position}, is missing`
      })
    } else if (digest !== pinned.digest) {
      this.report({
        ...at,
        kind: "checkpoint-mismatch",
        message: `the history up to revision ${pinned.revision} was rewritten: its digest is not the one signed by the checkpoint at position ${pinned.position}`
      })
    }
  }

  /** Checks the checkpoints whose revision the stream has now passed. */
  private settle(streamId: string, state: DirectoryState): void {
    while (state.pending.length > 0) {
      const pinned = state.pending[0]
      if (pinned === undefined || pinned.revision > state.verifier.lastRevision) return
      state.pending.shift()
      this.compare(
        streamId,
        pinned,
        state.verifier.remembered.get(pinned.revision),
        state.positions.get(pinned.revision)
      )
      if (!state.pending.some((other) => other.revision === pinned.revision)) {
        state.remember.delete(pinned.revision)
        state.verifier.remembered.delete(pinned.revision)
        state.positions.delete(pinned.revision)
      }
    }
  }

  private onDirectoryEvent(event: RecordedEvent): void {
    const state = this.directory(event.streamId)
    for (const finding of state.verifier.next(event)) this.report(finding)
    if (event.revision === state.verifier.lastRevision) {
      state.lastPosition = event.position
      if (state.remember.has(event.revision)) state.positions.set(event.revision, event.position)
    }
    this.settle(event.streamId, state)
  }

  private onCheckpointEvent(event: RecordedEvent): void {
    let chain = this.checkpointStreams.get(event.streamId)
    if (chain === undefined) {
      chain = new Integrity.ChainVerifier(event.streamId)
      this.checkpointStreams.set(event.streamId, chain)
    }
    for (const finding of chain.next(event)) this.report(finding)
    const at = { streamId: event.streamId, revision: event.revision, position: event.position }
    const decoded = decodeCheckpoint(event)
    if (Either.isLeft(decoded)) {
      this.report({ ...at, kind: "forged-checkpoint", message: `the checkpoint cannot be read: ${decoded.left}` })
      return
    }
    if (this.options.publicKey === undefined) {
      this.unchecked++
      return
    }
    const checkpoint = decoded.right
    if (!Integrity.verifyCheckpointSignature(this.options.publicKey, checkpoint)) {
      this.report({
        ...at,
        kind: "forged-checkpoint",
        message: `the checkpoint of ${checkpoint.streamId} at revision ${checkpoint.revision} does not carry a valid signature of the public key`
      })
      return
    }
    this.checkpoints++
    const pinned: Pinned = {
      revision: BigInt(checkpoint.revision),
      digest: checkpoint.digest,
      position: event.position
    }
    const previous = this.latest.get(checkpoint.streamId)
    if (previous === undefined || BigInt(previous.revision) <= pinned.revision) {
      this.latest.set(checkpoint.streamId, checkpoint)
    }
    const state = this.directory(checkpoint.streamId)
    const last = state.verifier.lastRevision
    if (pinned.revision === last) {
      this.compare(checkpoint.streamId, pinned, state.verifier.lastDigest, state.lastPosition)
    } else if (pinned.revision > last) {
      const index = state.pending.findIndex((other) => other.revision > pinned.revision)
      state.pending.splice(index === -1 ? state.pending.length : index, 0, pinned)
      state.remember.add(pinned.revision)
    } else {
      const late = this.late.get(checkpoint.streamId) ?? []
      late.push(pinned)
      this.late.set(checkpoint.streamId, late)
    }
  }

  /** Takes the next event of the history. */
  next(event: RecordedEvent): void {
    this.events++
    if (isDirectoryStream(event.streamId)) this.onDirectoryEvent(event)
    else if (isIntegrityStream(event.streamId)) this.onCheckpointEvent(event)
  }

  /**
   * Checks late checkpoints against what a second read of their streams remembered: `digests` maps each late
   * directory to the digest (and position) it has at each asked revision.
   */
  settleLate(digests: ReadonlyMap<string, ReadonlyMap<bigint, Remembered>>): void {
    for (const [streamId, pinned] of this.late) {
      for (const checkpoint of pinned) {
        const found = digests.get(streamId)?.get(checkpoint.revision)
        this.compare(streamId, checkpoint, found?.digest, found?.position)
      }
    }
    this.late.clear()
  }

  /** Ends the history: checkpoints whose revision never came show a truncated stream. */
  finish(passes: 1 | 2 = 1): VerificationReport {
    for (const [streamId, state] of this.directories) {
      for (const pinned of state.pending) {
        const last = state.verifier.lastRevision
        this.report({
          streamId,
          revision: pinned.revision,
          position: pinned.position,
          kind: "truncated",
          message:
            last < 0n
              ? `the stream has no events, but the checkpoint at position ${pinned.position} signs its revision ${pinned.revision}`
              : `the stream ends at revision ${last}${state.lastPosition === undefined ? "" : ` (position ${state.lastPosition})`}, but the checkpoint at position ${pinned.position} signs revision ${pinned.revision}: events were removed from its end`
        })
      }
      state.pending.length = 0
    }
    return {
      events: this.events,
      directories: [...this.directories.values()].filter((state) => state.verifier.lastRevision >= 0n).length,
      checkpoints: this.checkpoints,
      uncheckedCheckpoints: this.unchecked,
      findings: [...this.findings].sort(byPosition),
      totalFindings: this.totalFindings,
      latestCheckpoints: [...this.latest.values()],
      passes
    }
  }
}

/** Reads the streams of late checkpoints again, remembering the digests at the revisions they sign. */
const rememberLate = <E, R>(
  history: Stream.Stream<RecordedEvent, E, R>,
  late: ReadonlyMap<string, ReadonlyArray<Pinned>>
) =>
  Effect.suspend(() => {
    const verifiers = new Map<string, Integrity.ChainVerifier>()
    const positions = new Map<string, Map<bigint, bigint>>()
    for (const [streamId, pinned] of late) {
      verifiers.set(streamId, new Integrity.ChainVerifier(streamId, new Set(pinned.map((p) => p.revision))))
      positions.set(streamId, new Map())
    }
    return Stream.runForEachChunk(history, (chunk) =>
      Effect.sync(() => {
        for (const event of chunk) {
          const verifier = verifiers.get(event.streamId)
          if (verifier === undefined) continue
          verifier.next(event)
          if (verifier.remembered.has(event.revision))
            positions.get(event.streamId)?.set(event.revision, event.position)
        }
      })
    ).pipe(
      Effect.map(() => {
        const digests = new Map<string, Map<bigint, Remembered>>()
        for (const [streamId, verifier] of verifiers) {
          const found = new Map<bigint, Remembered>()
          for (const [revision, digest] of verifier.remembered) {
            const position = positions.get(streamId)?.get(revision)
            found.set(revision, position === undefined ? { digest } : { digest, position })
          }
          digests.set(streamId, found)
        }
        return digests
      })
    )
  })

/**
 * Verifies a history (every event of the store in position order, as `readAll` or an NDJSON export gives it).
 * The stream is read once, or twice when a checkpoint came after later events of its stream, so it must be
 * readable again (a file, a store — not a one-shot pipe).
 *
 * @since 0.1.0
 * @category verification
 */
export const verifyHistory = <E, R>(
  history: Stream.Stream<RecordedEvent, E, R>,
  options: VerificationOptions = {}
): Effect.Effect<VerificationReport, E, R> =>
  Effect.gen(function* () {
    const verifier = new HistoryVerifier(options)
    yield* Stream.runForEachChunk(history, (chunk) =>
      Effect.sync(() => {
        for (const event of chunk) verifier.next(event)
      })
    )
    if (verifier.late.size === 0) return verifier.finish(1)
    verifier.settleLate(yield* rememberLate(history, verifier.late))
    return verifier.finish(2)
  })
