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
 * It also says how far signed checkpoints reach: the events of each directory after the last revision a valid
 * checkpoint covers are reported (`uncovered`), and can be required not to exist (`requireSigned`); the checkpoints
 * an auditor noted at the last audit can be required to be there still (`expectCheckpoints`).
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
import { createPublicKey, type KeyObject } from "node:crypto"
import { Effect, Either, type Stream } from "effect"
import { quoteSafely } from "../model/Token.js"
import type { RecordedEvent } from "../store/EventStore.js"
import { isDirectoryStream } from "../store/StoredEvent.js"
import * as Integrity from "./Integrity.js"
import { decodeCheckpoint, isIntegrityStream } from "./IntegrityCheckpoints.js"
import type {
  ExpectedCheckpoint,
  HistoryReader,
  LocatedCheckpoint,
  UncoveredEvents,
  VerificationOptions,
  VerificationReport
} from "./verificationTypes.js"
import {
  byFirstPosition,
  byPosition,
  range,
  wholeHistory,
  type DirectoryState,
  markCovered,
  newDirectory,
  type Pinned,
  type Remembered,
  readerOf,
  rememberLate,
  uncoveredOf,
  watchCoverage
} from "./verificationState.js"

export type {
  ExpectedCheckpoint,
  HistoryReader,
  LocatedCheckpoint,
  UncoveredEvents,
  VerificationOptions,
  VerificationReport
} from "./verificationTypes.js"

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
  private readonly latest = new Map<string, LocatedCheckpoint>()
  /** Checkpoints whose signature the key did not verify: forgeries, unless the key verifies none at all. */
  private readonly badSignatures: Array<Integrity.Finding> = []
  private badSignatureCount = 0
  private readonly expected: Array<{ readonly expected: ExpectedCheckpoint; found: boolean }>
  private readonly publicKey: KeyObject | string | undefined
  /** Checkpoints that arrived after later events of their stream, by directory. */
  readonly late = new Map<string, Array<Pinned>>()
  private totalFindings = 0
  private events = 0
  private checkpoints = 0
  private unchecked = 0
  private readonly maxFindings: number

  constructor(private readonly options: VerificationOptions = {}) {
    this.maxFindings = options.maxFindings ?? 1000
    this.expected = (options.expectCheckpoints ?? []).map((expected) => ({ expected, found: false }))
    // Read once rather than at every checkpoint. Text that is not a key stays as it is: it verifies nothing.
    const key = options.publicKey
    try {
      this.publicKey = typeof key === "string" ? createPublicKey(key) : key
    } catch {
      this.publicKey = key
    }
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

  /** Whether the directory holds the digest the checkpoint signed; a finding when it does not. */
  private compare(streamId: string, pinned: Pinned, digest: string | undefined, position: bigint | undefined): boolean {
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
    return digest === pinned.digest
  }

  /** Checks the checkpoints whose revision the stream has now passed. */
  private settle(streamId: string, state: DirectoryState): void {
    while (state.pending.length > 0) {
      const pinned = state.pending[0]
      if (pinned === undefined || pinned.revision > state.verifier.lastRevision) return
      state.pending.shift()
      const digest = state.verifier.remembered.get(pinned.revision)
      if (this.compare(streamId, pinned, digest, state.positions.get(pinned.revision))) {
        markCovered(state, pinned.revision)
      }
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
    watchCoverage(state, event)
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
      const reason = quoteSafely(decoded.left, 1000)
      this.report({ ...at, kind: "forged-checkpoint", message: `the checkpoint cannot be read: ${reason}` })
      return
    }
    const checkpoint = decoded.right
    if (this.publicKey === undefined) {
      this.unchecked++
      this.expect(checkpoint, event.position)
      return
    }
    if (!Integrity.verifyCheckpointSignature(this.publicKey, checkpoint)) {
      // Reported at the end: as forgeries if the key verifies other checkpoints, as the wrong key if it verifies none.
      this.badSignatureCount++
      if (this.badSignatures.length < this.maxFindings) {
        this.badSignatures.push({
          ...at,
          kind: "forged-checkpoint",
          message: `the checkpoint of ${checkpoint.streamId} at revision ${checkpoint.revision} does not carry a valid signature of the public key`
        })
      }
      return
    }
    this.checkpoints++
    this.expect(checkpoint, event.position)
    const pinned: Pinned = {
      revision: BigInt(checkpoint.revision),
      digest: checkpoint.digest,
      position: event.position
    }
    const previous = this.latest.get(checkpoint.streamId)
    if (previous === undefined || BigInt(previous.checkpoint.revision) <= pinned.revision) {
      this.latest.set(checkpoint.streamId, { checkpoint, position: event.position })
    }
    const state = this.directory(checkpoint.streamId)
    const last = state.verifier.lastRevision
    if (pinned.revision === last) {
      if (this.compare(checkpoint.streamId, pinned, state.verifier.lastDigest, state.lastPosition)) {
        markCovered(state, pinned.revision)
      }
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

  /** Notes a checkpoint the options expect. */
  private expect(checkpoint: Integrity.Checkpoint, position: bigint): void {
    for (const entry of this.expected) {
      const wanted = entry.expected
      if ("position" in wanted ? wanted.position === position : wanted.digest === checkpoint.digest) entry.found = true
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
        const known = digests.get(streamId)
        const found = known?.get(checkpoint.revision)
        const state = this.directories.get(streamId)
        if (this.compare(streamId, checkpoint, found?.digest, found?.position) && state !== undefined) {
          markCovered(state, checkpoint.revision, known?.get(checkpoint.revision + 1n) ?? {})
        }
      }
    }
    this.late.clear()
  }

  /** Bad signatures are forgeries among valid checkpoints; when no checkpoint verifies, the key is not the signer's. */
  private reportSignatures(): void {
    if (this.badSignatureCount === 0) return
    if (this.checkpoints > 0) {
      for (const finding of this.badSignatures) this.report(finding)
      this.totalFindings += this.badSignatureCount - this.badSignatures.length
    } else {
      this.report(
        wholeHistory(
          "key-mismatch",
          `the key does not match the signer of any checkpoint: none of the ${this.badSignatureCount} checkpoint(s) carries a valid signature of it. Either it is not the key the checkpoints were signed with, or every checkpoint was replaced`
        )
      )
    }
    this.badSignatures.length = 0
    this.badSignatureCount = 0
  }

  /** What no valid checkpoint covers, by directory; findings when everything must be signed. */
  private coverage(): ReadonlyArray<UncoveredEvents> {
    const uncovered = uncoveredOf(this.directories)
    if (this.options.requireSigned === true) {
      for (const each of uncovered) {
        this.report({
          streamId: each.streamId,
          revision: each.firstRevision,
          ...(each.firstPosition === undefined ? {} : { position: each.firstPosition }),
          kind: "unsigned-events",
          message: `${each.events} event(s) (${range("revision", each.firstRevision, each.lastRevision)}, ${range("position", each.firstPosition, each.lastPosition)}) are not covered by any signed checkpoint`
        })
      }
      if (this.checkpoints === 0) {
        this.report(
          wholeHistory(
            "no-signed-checkpoint",
            "the history holds no checkpoint with a valid signature: nothing vouches that its end is where it was"
          )
        )
      }
    }
    return uncovered.sort(byFirstPosition)
  }

  /** Each expected checkpoint the history does not hold is a finding. */
  private reportExpectations(): void {
    for (const { expected, found } of this.expected) {
      if (found) continue
      const which = "position" in expected ? `at position ${expected.position}` : `of digest ${expected.digest}`
      this.report(
        wholeHistory(
          "missing-checkpoint",
          `the checkpoint ${which}, expected from an earlier audit, is not in the history${this.publicKey === undefined ? "" : " with a valid signature"}: checkpoints were removed, or the history was cut or replaced since`,
          "position" in expected ? expected.position : undefined
        )
      )
    }
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
    this.reportSignatures()
    const uncovered = this.coverage()
    this.reportExpectations()
    return {
      events: this.events,
      directories: [...this.directories.values()].filter((state) => state.verifier.lastRevision >= 0n).length,
      checkpoints: this.checkpoints,
      uncheckedCheckpoints: this.unchecked,
      findings: [...this.findings].sort(byPosition),
      totalFindings: this.totalFindings,
      latestCheckpoints: [...this.latest.values()].map((located) => located.checkpoint),
      latest: [...this.latest.values()],
      uncovered,
      uncoveredEvents: uncovered.reduce((sum, each) => sum + each.events, 0),
      passes
    }
  }
}

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
): Effect.Effect<VerificationReport, E, R> => verifyHistoryWith(readerOf(history), options)

/**
 * `verifyHistory` of a history its source reads itself (`HistoryReader`): run once, or twice for late checkpoints.
 *
 * @since 0.3.0
 * @category verification
 */
export const verifyHistoryWith = <E, R>(
  read: HistoryReader<E, R>,
  options: VerificationOptions = {}
): Effect.Effect<VerificationReport, E, R> =>
  Effect.gen(function* () {
    const verifier = new HistoryVerifier(options)
    yield* read((events) => {
      for (const event of events) verifier.next(event)
    })
    if (verifier.late.size === 0) return verifier.finish(1)
    verifier.settleLate(yield* rememberLate(read, verifier.late))
    return verifier.finish(2)
  })
