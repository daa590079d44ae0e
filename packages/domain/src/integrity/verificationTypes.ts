/**
 * What a verification of a history takes and gives (`IntegrityVerification` re-exports everything here).
 *
 * @since 0.3.0
 */
import type { KeyObject } from "node:crypto"
import type { Effect } from "effect"
import type { RecordedEvent } from "../store/EventStore.js"
import type * as Integrity from "./Integrity.js"

/**
 * A checkpoint an auditor noted at an earlier audit: the position of its event, or the digest it signs.
 *
 * @since 0.3.0
 * @category models
 */
export type ExpectedCheckpoint = { readonly position: bigint } | { readonly digest: string }

/**
 * @since 0.1.0
 * @category models
 */
export interface VerificationOptions {
  /** The Ed25519 public key (PEM or `KeyObject`) checkpoints are checked with. Without it, checkpoints are skipped. */
  readonly publicKey?: KeyObject | string | undefined
  /** At most this many findings are kept (all are counted). Default 1000. */
  readonly maxFindings?: number
  /**
   * Events that no checkpoint with a valid signature covers are findings (`unsigned-events`), and so is a history
   * without any such checkpoint (`no-signed-checkpoint`). Default: they are only reported in `uncovered`.
   *
   * @since 0.3.0
   */
  readonly requireSigned?: boolean | undefined
  /**
   * Checkpoints that must be in the history, with a valid signature (when a key is given): those noted at the last
   * audit. Each one missing is a finding (`missing-checkpoint`): checkpoints were removed, or the history was cut or
   * replaced since.
   *
   * @since 0.3.0
   */
  readonly expectCheckpoints?: ReadonlyArray<ExpectedCheckpoint> | undefined
}

/**
 * The events of a directory after the last revision that a checkpoint with a valid signature covers (all of them
 * when none does): nothing vouches for them yet.
 *
 * @since 0.3.0
 * @category models
 */
export interface UncoveredEvents {
  readonly streamId: string
  /** How many revisions follow the last covered one. */
  readonly events: number
  readonly firstRevision: bigint
  readonly lastRevision: bigint
  readonly firstPosition?: bigint | undefined
  readonly lastPosition?: bigint | undefined
}

/**
 * A checkpoint and the position of its event in the history (what `expectCheckpoints` takes).
 *
 * @since 0.3.0
 * @category models
 */
export interface LocatedCheckpoint {
  readonly checkpoint: Integrity.Checkpoint
  readonly position: bigint
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
  /**
   * The same checkpoints, each with the position of its event.
   *
   * @since 0.3.0
   */
  readonly latest: ReadonlyArray<LocatedCheckpoint>
  /**
   * Each directory with events that no checkpoint with a valid signature covers (without a public key, every
   * directory's events), in the order of their first event.
   *
   * @since 0.3.0
   */
  readonly uncovered: ReadonlyArray<UncoveredEvents>
  /**
   * How many events `uncovered` counts in all.
   *
   * @since 0.3.0
   */
  readonly uncoveredEvents: number
  /** How many times the history was read (2 only when a checkpoint came after later events of its stream). */
  readonly passes: 1 | 2
}

/**
 * A history read by its source itself: each run reads it once from the start, in position order, handing each chunk
 * of events to `onChunk` as it goes. What `verifyHistoryWith` takes from a caller that reads a file itself and would
 * rather not pass every event through a stream step (`sa-audit` does the verification in the step that read the
 * events).
 *
 * @since 0.3.0
 * @category models
 */
export type HistoryReader<E, R> = (onChunk: (events: Iterable<RecordedEvent>) => void) => Effect.Effect<void, E, R>
