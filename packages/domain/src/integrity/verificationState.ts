/**
 * What `IntegrityVerification.HistoryVerifier` keeps for each directory (its chain, the checkpoints waiting for a
 * revision, how far signed checkpoints cover it), and the second read of the streams whose checkpoints came late.
 *
 * @internal
 */
import { Effect, Stream } from "effect"
import type { RecordedEvent } from "../store/EventStore.js"
import * as Integrity from "./Integrity.js"
import type { HistoryReader, UncoveredEvents } from "./verificationTypes.js"

/** A checkpoint with a valid signature, waiting to be compared with its directory. */
export interface Pinned {
  readonly revision: bigint
  readonly digest: string
  /** Where the checkpoint itself is. */
  readonly position: bigint
}

/** A digest a second read found at a revision, and where. */
export interface Remembered {
  readonly digest: string
  readonly position?: bigint
}

export interface DirectoryState {
  readonly verifier: Integrity.ChainVerifier
  readonly remember: Set<bigint>
  /** Checkpoints of revisions this pass has not reached yet, in revision order. */
  readonly pending: Array<Pinned>
  lastPosition: bigint | undefined
  /** The position of each remembered revision. */
  readonly positions: Map<bigint, bigint>
  /** The highest revision a checkpoint with a valid signature vouches for (its digest matched); -1: none. */
  covered: bigint
  /** The revision after `covered`, while it has not been read: its position is `afterCovered`. */
  watch: bigint | undefined
  /** The position of the first revision after `covered`, once read. */
  afterCovered: bigint | undefined
}

export const newDirectory = (streamId: string): DirectoryState => {
  const remember = new Set<bigint>()
  return {
    verifier: new Integrity.ChainVerifier(streamId, remember),
    remember,
    pending: [],
    lastPosition: undefined,
    positions: new Map(),
    covered: -1n,
    watch: 0n,
    afterCovered: undefined
  }
}

/**
 * A signed checkpoint matched the directory at `revision`: the directory is covered up to there. `after` is the
 * position of the revision after it when a second read found it (the first read has passed it already).
 */
export const markCovered = (
  state: DirectoryState,
  revision: bigint,
  after?: { readonly position?: bigint | undefined }
): void => {
  if (revision <= state.covered) return
  state.covered = revision
  state.afterCovered = after?.position
  state.watch = after === undefined ? revision + 1n : undefined
}

/** Notes the position of the first revision after the covered ones as it goes by. */
export const watchCoverage = (state: DirectoryState, event: RecordedEvent): void => {
  if (event.revision === state.watch) {
    state.afterCovered = event.position
    state.watch = undefined
  }
}

/** What no valid checkpoint covers, by directory (in the order of `directories`). */
export const uncoveredOf = (directories: ReadonlyMap<string, DirectoryState>): Array<UncoveredEvents> => {
  const uncovered: Array<UncoveredEvents> = []
  for (const [streamId, state] of directories) {
    const last = state.verifier.lastRevision
    if (last <= state.covered) continue
    uncovered.push({
      streamId,
      events: Number(last - state.covered),
      firstRevision: state.covered + 1n,
      lastRevision: last,
      firstPosition: state.afterCovered,
      lastPosition: state.lastPosition
    })
  }
  return uncovered
}

/** Uncovered ranges in the order of their first position (a range without one stays where it is). */
export const byFirstPosition = (a: UncoveredEvents, b: UncoveredEvents): number =>
  a.firstPosition === undefined || b.firstPosition === undefined
    ? 0
    : a.firstPosition < b.firstPosition
      ? -1
      : a.firstPosition > b.firstPosition
        ? 1
        : 0

/** A stream as a `HistoryReader`: each run reads it again, a chunk at a time. */
export const readerOf =
  <E, R>(history: Stream.Stream<RecordedEvent, E, R>): HistoryReader<E, R> =>
  (onChunk) =>
    Stream.runForEachChunk(history, (chunk) => Effect.sync(() => onChunk(chunk)))

export const byPosition = (a: Integrity.Finding, b: Integrity.Finding): number => {
  if (a.position === undefined) return b.position === undefined ? 0 : 1
  if (b.position === undefined) return -1
  return a.position < b.position ? -1 : a.position > b.position ? 1 : 0
}

/**
 * Reads the streams of late checkpoints again, remembering the digests (and positions) at the revisions they sign,
 * and the position of the revision after each, which the coverage reports.
 */
export const rememberLate = <E, R>(
  read: HistoryReader<E, R>,
  late: ReadonlyMap<string, ReadonlyArray<Pinned>>
): Effect.Effect<ReadonlyMap<string, ReadonlyMap<bigint, Remembered>>, E, R> =>
  Effect.suspend(() => {
    const verifiers = new Map<string, Integrity.ChainVerifier>()
    const positions = new Map<string, Map<bigint, bigint>>()
    for (const [streamId, pinned] of late) {
      const wanted = new Set(pinned.flatMap((p) => [p.revision, p.revision + 1n]))
      verifiers.set(streamId, new Integrity.ChainVerifier(streamId, wanted))
      positions.set(streamId, new Map())
    }
    return read((events) => {
      for (const event of events) {
        const verifier = verifiers.get(event.streamId)
        if (verifier === undefined) continue
        verifier.next(event)
        if (verifier.remembered.has(event.revision)) positions.get(event.streamId)?.set(event.revision, event.position)
      }
    }).pipe(
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

/** A finding about the history as a whole. */
export const wholeHistory = (
  kind: Integrity.Finding["kind"],
  message: string,
  position?: bigint
): Integrity.Finding => ({
  kind,
  streamId: "",
  revision: -1n,
  ...(position === undefined ? {} : { position }),
  message
})

/** `revision 4` or `revisions 4–6`. */
export const range = (what: string, first: bigint | undefined, last: bigint | undefined): string =>
  first === last ? `${what} ${first ?? "?"}` : `${what}s ${first ?? "?"}–${last ?? "?"}`
