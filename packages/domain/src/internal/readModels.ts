import { Effect, Either, HashMap, Option, Ref, Stream } from "effect"
import * as AuditTrail from "../AuditTrail.js"
import * as DirectoryView from "../DirectoryView.js"
import type { CorruptStoredEvent, EventStoreShape, ReadError, RecordedEvent } from "../EventStore.js"
import { type DomainEvent, decode } from "../StoredEvent.js"
import * as TokenIndex from "../TokenIndex.js"

export interface ReadModelsState {
  readonly directory: DirectoryView.DirectoryViewState
  readonly tokens: TokenIndex.TokenIndexState
  readonly audit: AuditTrail.AuditTrailState
  /** The last revision applied, per stream. */
  readonly revisions: HashMap.HashMap<string, bigint>
  /** Streams holding an event that does not decode: followed no further, and their tokens refused. */
  readonly quarantined: HashMap.HashMap<string, CorruptStoredEvent>
}

const initial: ReadModelsState = {
  directory: DirectoryView.projection.initialState,
  tokens: TokenIndex.projection.initialState,
  audit: AuditTrail.projection.initialState,
  revisions: HashMap.empty(),
  quarantined: HashMap.empty()
}

const applyOne = (state: ReadModelsState, event: DomainEvent): ReadModelsState => ({
  directory: DirectoryView.projection.apply(state.directory, event),
  tokens: TokenIndex.projection.apply(state.tokens, event),
  audit: AuditTrail.projection.apply(state.audit, event),
  revisions: HashMap.set(state.revisions, event.streamId, event.revision),
  quarantined: state.quarantined
})

const lastRevision = (state: ReadModelsState, streamId: string): bigint =>
  Option.getOrElse(HashMap.get(state.revisions, streamId), () => -1n)

/**
 * The service's read models (directory view, token index, audit trail), fed from two sides: inline, right
 * after this process appends (read-your-writes), and by a subscription to the whole store (other processes'
 * writes). Both apply a stream's events strictly in revision order and skip what was already applied, so an
 * event is applied exactly once whichever side sees it first.
 */
export interface ReadModels {
  readonly get: Effect.Effect<ReadModelsState>
  /** Reads the stream from the last applied revision and applies what is new. */
  readonly catchUp: (streamId: string) => Effect.Effect<void, ReadError>
  /**
   * Applies what this process just appended. A single event that follows what was applied is applied as it
   * is; otherwise the stream is read, so every event carries the position the store gave it.
   */
  readonly applyAppended: (streamId: string, events: ReadonlyArray<DomainEvent>) => Effect.Effect<void, ReadError>
  /**
   * Applies one event seen by a subscription; a gap is filled by reading the stream. An event that does not
   * decode fails with `CorruptStoredEvent` when `strict`; otherwise its stream is quarantined (logged, followed
   * no further, its tokens refused) and the other streams carry on.
   */
  readonly offer: (recorded: RecordedEvent, strict: boolean) => Effect.Effect<void, ReadError>
}

export const makeReadModels = (store: EventStoreShape): Effect.Effect<ReadModels> =>
  Effect.gen(function* () {
    const ref = yield* Ref.make(initial)
    const lock = yield* Effect.makeSemaphore(1)

    const applyRecorded = (
      state: ReadModelsState,
      recorded: RecordedEvent
    ): Effect.Effect<ReadModelsState, ReadError> => {
      if (recorded.revision <= lastRevision(state, recorded.streamId)) return Effect.succeed(state)
      const decoded = decode(recorded)
      return Either.isLeft(decoded) ? Effect.fail(decoded.left) : Effect.succeed(applyOne(state, decoded.right))
    }

    const catchUpUnlocked = (streamId: string) =>
      Effect.gen(function* () {
        const state = yield* Ref.get(ref)
        const from = lastRevision(state, streamId) + 1n
        const next = yield* store.readStream(streamId, { from }).pipe(Stream.runFoldEffect(state, applyRecorded))
        yield* Ref.set(ref, next)
      })

    const catchUp = (streamId: string) => lock.withPermits(1)(catchUpUnlocked(streamId))

    const quarantine = (error: CorruptStoredEvent) =>
      Effect.logError("a stored event does not decode: its stream is quarantined").pipe(
        Effect.annotateLogs({ streamId: error.streamId, revision: String(error.revision), reason: error.reason }),
        Effect.zipRight(
          Ref.update(ref, (state) => ({ ...state, quarantined: HashMap.set(state.quarantined, error.streamId, error) }))
        )
      )

    const offer = (recorded: RecordedEvent, strict: boolean) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const state = yield* Ref.get(ref)
          if (HashMap.has(state.quarantined, recorded.streamId)) return
          const last = lastRevision(state, recorded.streamId)
          if (recorded.revision <= last) return
          const step =
            recorded.revision > last + 1n
              ? catchUpUnlocked(recorded.streamId)
              : Effect.flatMap(applyRecorded(state, recorded), (next) => Ref.set(ref, next))
          yield* strict ? step : step.pipe(Effect.catchIf((error) => error._tag === "CorruptStoredEvent", quarantine))
        })
      )

    const applyAppended = (streamId: string, events: ReadonlyArray<DomainEvent>) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const [only] = events
          const state = yield* Ref.get(ref)
          if (events.length === 1 && only !== undefined && only.revision === lastRevision(state, streamId) + 1n) {
            return yield* Ref.set(ref, applyOne(state, only))
          }
          yield* catchUpUnlocked(streamId)
        })
      )

    return { get: Ref.get(ref), catchUp, offer, applyAppended }
  })
