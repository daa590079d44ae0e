import { Effect, Either, HashMap, Option, Ref, Stream } from "effect"
import * as AuditTrail from "../AuditTrail.js"
import * as DirectoryView from "../DirectoryView.js"
import type { EventStoreShape, ReadError, RecordedEvent } from "../EventStore.js"
import { type DomainEvent, decode } from "../StoredEvent.js"
import * as TokenIndex from "../TokenIndex.js"

export interface ReadModelsState {
  readonly directory: DirectoryView.DirectoryViewState
  readonly tokens: TokenIndex.TokenIndexState
  readonly audit: AuditTrail.AuditTrailState
  /** The last revision applied, per stream. */
  readonly revisions: HashMap.HashMap<string, bigint>
}

const initial: ReadModelsState = {
  directory: DirectoryView.projection.initialState,
  tokens: TokenIndex.projection.initialState,
  audit: AuditTrail.projection.initialState,
  revisions: HashMap.empty()
}

const applyOne = (state: ReadModelsState, event: DomainEvent): ReadModelsState => ({
  directory: DirectoryView.projection.apply(state.directory, event),
  tokens: TokenIndex.projection.apply(state.tokens, event),
  audit: AuditTrail.projection.apply(state.audit, event),
  revisions: HashMap.set(state.revisions, event.streamId, event.revision)
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
  /** Applies one event seen by a subscription; a gap is filled by reading the stream. */
  readonly offer: (recorded: RecordedEvent) => Effect.Effect<void, ReadError>
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

    const offer = (recorded: RecordedEvent) =>
      lock.withPermits(1)(
        Effect.gen(function* () {
          const state = yield* Ref.get(ref)
          const last = lastRevision(state, recorded.streamId)
          if (recorded.revision <= last) return
          if (recorded.revision > last + 1n) return yield* catchUpUnlocked(recorded.streamId)
          yield* Ref.set(ref, yield* applyRecorded(state, recorded))
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
