import { Effect, Either, HashMap, Metric, Stream } from "effect"
import * as DirectoryView from "../readModels/DirectoryView.js"
import type { EventStoreShape, RecordedEvent } from "../store/EventStore.js"
import type { CorruptStoredEvent, ReadError } from "../model/Errors.js"
import { type DomainEvent, decode, isDirectoryEvent } from "../store/StoredEvent.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import type { Projection } from "../readModels/Projection.js"
import * as UsageView from "../readModels/UsageView.js"
import { decodeUsage, isUsageStream, type StoredUsage } from "../store/UsageStream.js"
import * as Versioned from "../fast/versioned.js"

export interface ReadModelsState {
  readonly directory: DirectoryView.DirectoryViewState
  readonly tokens: TokenIndex.TokenIndexState
  /** Who used which token, how much, per day (from the usage streams). */
  readonly usage: UsageView.UsageViewState
  /** The last revision applied, per stream (a version of a `Map`, like the read models' states). */
  readonly revisions: Versioned.Version<Map<string, bigint>>
  /** Streams holding an event that does not decode: followed no further, and their tokens refused. */
  readonly quarantined: HashMap.HashMap<string, CorruptStoredEvent>
}

export const unreadableEvents = Metric.counter("service_accounts_unreadable_events", {
  description: "stored events the read models could not read, by what was done about them"
})

const initial: ReadModelsState = {
  directory: DirectoryView.projection.initialState,
  tokens: TokenIndex.projection.initialState,
  usage: UsageView.projection.initialState,
  revisions: Versioned.empty(),
  quarantined: HashMap.empty()
}

const newRevisions = (): Map<string, bigint> => new Map()
const setRevision = (
  revisions: Map<string, bigint>,
  event: { readonly streamId: string; readonly revision: bigint }
): void => Versioned.set(revisions, event.streamId, event.revision)

const applyOne = (state: ReadModelsState, event: DomainEvent): ReadModelsState => ({
  directory: DirectoryView.projection.apply(state.directory, event),
  tokens: TokenIndex.projection.apply(state.tokens, event),
  usage: state.usage,
  revisions: Versioned.update(state.revisions, newRevisions, setRevision, event),
  quarantined: state.quarantined
})

/** The state with one more event of a stream counted as applied (a usage event, or one passed over). */
const applied = (
  state: ReadModelsState,
  event: { readonly streamId: string; readonly revision: bigint },
  usage: UsageView.UsageViewState = state.usage
): ReadModelsState => ({
  ...state,
  usage,
  revisions: Versioned.update(state.revisions, newRevisions, setRevision, event)
})

/** Whether the read models follow a stored event: a directory's own, or a usage event. */
export const isFollowed = (recorded: RecordedEvent): boolean =>
  isDirectoryEvent(recorded) || (recorded.type === "UsageRecorded" && isUsageStream(recorded.streamId))

/** An event of another kind than a directory's that cannot be read: logged with where it is, counted, passed over. */
export const passedOver = (error: CorruptStoredEvent, position?: bigint) =>
  Effect.logError("a stored event of another stream cannot be read: skipped").pipe(
    Effect.annotateLogs({
      streamId: error.streamId,
      revision: String(error.revision),
      position: String(position ?? error.position ?? ""),
      reason: error.reason
    }),
    Effect.zipRight(Metric.increment(Metric.tagged(unreadableEvents, "handling", "skipped")))
  )

const lastRevision = (state: ReadModelsState, streamId: string): bigint =>
  Versioned.read(state.revisions)?.get(streamId) ?? -1n

/**
 * The service's read models — the directory view (for `list` and `get`) and the token index (for `authenticate`) —
 * fed from two sides: inline, right
 * after this process appends (read-your-writes), and by a subscription to the whole store (other processes'
 * writes). Both apply a stream's events strictly in revision order and skip what was already applied, so an
 * event is applied exactly once whichever side sees it first.
 *
 * The state is swapped whole in one synchronous step, so a reader always sees a consistent state. Work that
 * reads the store (catching a stream up) holds a lock; applying one event that follows what was applied is done
 * at once when nobody holds or awaits the lock, and otherwise waits its turn.
 */
export interface ReadModels {
  readonly get: Effect.Effect<ReadModelsState>
  /** The state as it is now. */
  readonly current: () => ReadModelsState
  /** Reads the stream from the last applied revision and applies what is new. */
  readonly catchUp: (streamId: string) => Effect.Effect<void, ReadError>
  /** `catchUp`, unless the stream's events up to `revision` are applied already (then nothing is read). */
  readonly catchUpTo: (streamId: string, revision: bigint | undefined) => Effect.Effect<void, ReadError>
  /**
   * Applies at once, if it can, what this process just appended: a single event that follows what was applied,
   * while nobody holds or awaits the lock. Returns whether the events are applied now (also when the subscription
   * had applied them already); if not, `applyAppended` must be used.
   */
  readonly applyAppendedNow: (streamId: string, events: ReadonlyArray<DomainEvent>) => boolean
  /**
   * Applies what this process just appended. Events applied already (the subscription was quicker) are left be; a
   * single event that follows what was applied is applied as it is; otherwise the stream is read, so every event
   * carries the position the store gave it.
   */
  readonly applyAppended: (streamId: string, events: ReadonlyArray<DomainEvent>) => Effect.Effect<void, ReadError>
  /** Whether a subscription may pass an event by: it was applied already, or its stream is quarantined. */
  readonly passes: (recorded: RecordedEvent) => boolean
  /**
   * Takes an event a subscription delivered in the same synchronous step, when that is all it takes: it passes, or it
   * follows what was applied, decodes, and nobody holds or awaits the lock (then it is applied). Returns whether it
   * did; if not, `offer` must be used.
   */
  readonly offerAtOnce: (recorded: RecordedEvent) => boolean
  /**
   * Applies one event seen by a subscription — in the same synchronous step when it follows what was applied and
   * nobody holds or awaits the lock, as another process's revocation usually does; a gap is filled by reading the
   * stream. An event that does not decode fails with `CorruptStoredEvent` when `strict`; otherwise its stream is
   * quarantined (logged, followed no further, its tokens refused) and the other streams carry on.
   */
  readonly offer: (recorded: RecordedEvent, strict: boolean) => Effect.Effect<void, ReadError>
  /**
   * Quarantines the stream of an event that cannot be read: followed no further, its tokens refused. Logged and
   * counted once per stream.
   */
  readonly quarantine: (streamId: string, error: CorruptStoredEvent) => Effect.Effect<void>
}

/**
 * The read models, starting from `from` (a snapshot's state) or from nothing.
 */
export const makeReadModels = (
  store: EventStoreShape,
  from: ReadModelsState | undefined,
  usageView: Projection<UsageView.UsageViewState, StoredUsage>
): Effect.Effect<ReadModels> =>
  Effect.sync(() => {
    let state = from ?? initial
    const lock = Effect.unsafeMakeSemaphore(1)
    /** Fibers holding or waiting for the lock: while there is one, nothing is applied outside it. */
    let lockers = 0
    // The count goes up and down outside any interruptible step, so an interruption never leaves it off by one.
    const locked = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
      Effect.acquireUseRelease(
        Effect.sync(() => {
          lockers++
        }),
        () => lock.withPermits(1)(effect),
        () =>
          Effect.sync(() => {
            lockers--
          })
      )

    const applyRecorded = (
      current: ReadModelsState,
      recorded: RecordedEvent
    ): Effect.Effect<ReadModelsState, ReadError> => {
      if (recorded.revision <= lastRevision(current, recorded.streamId)) return Effect.succeed(current)
      if (isUsageStream(recorded.streamId)) {
        // Usage is not the security record: an event that cannot be read is passed over (logged, counted).
        const usage = decodeUsage(recorded)
        return Either.isRight(usage)
          ? Effect.succeed(applied(current, recorded, usageView.apply(current.usage, usage.right)))
          : Effect.as(passedOver(usage.left), applied(current, recorded))
      }
      const decoded = decode(recorded)
      return Either.isLeft(decoded) ? Effect.fail(decoded.left) : Effect.succeed(applyOne(current, decoded.right))
    }

    const catchUpUnlocked = (streamId: string) =>
      Effect.suspend(() =>
        store.readStream(streamId, { from: lastRevision(state, streamId) + 1n }).pipe(
          Stream.runFoldEffect(state, applyRecorded),
          Effect.flatMap((next) =>
            Effect.sync(() => {
              state = next
            })
          )
        )
      )

    const catchUp = (streamId: string) => locked(catchUpUnlocked(streamId))

    // Keyed by the stream read, not by the error's copy of its name (which has any token value redacted).
    const quarantine = (streamId: string, error: CorruptStoredEvent): Effect.Effect<void> =>
      Effect.suspend(() => {
        if (HashMap.has(state.quarantined, streamId)) return Effect.void
        state = { ...state, quarantined: HashMap.set(state.quarantined, streamId, error) }
        return Effect.logError("a stored event cannot be read: its organisation's stream is quarantined").pipe(
          Effect.annotateLogs({
            streamId: error.streamId,
            revision: String(error.revision),
            ...(error.position === undefined ? {} : { position: String(error.position) }),
            reason: error.reason
          }),
          Effect.zipRight(Metric.increment(Metric.tagged(unreadableEvents, "handling", "quarantined")))
        )
      })

    // Run for every event a subscription delivers: the cheap test first, and no hashing of the stream's name while
    // nothing is quarantined.
    const passes = (recorded: RecordedEvent): boolean =>
      recorded.revision <= lastRevision(state, recorded.streamId) ||
      (HashMap.size(state.quarantined) > 0 && HashMap.has(state.quarantined, recorded.streamId))

    /**
     * Applies an event that follows what was applied, in one synchronous step, when that is all it takes (it reads,
     * nobody holds or awaits the lock): whether it did. An event that does not decode is left to the locked path.
     */
    const offerNow = (recorded: RecordedEvent): boolean => {
      if (lockers > 0 || recorded.revision !== lastRevision(state, recorded.streamId) + 1n) return false
      if (isUsageStream(recorded.streamId)) {
        const usage = decodeUsage(recorded)
        if (Either.isLeft(usage)) return false
        state = applied(state, recorded, usageView.apply(state.usage, usage.right))
        return true
      }
      const decoded = decode(recorded)
      if (Either.isLeft(decoded)) return false
      state = applyOne(state, decoded.right)
      return true
    }

    const offer = (recorded: RecordedEvent, strict: boolean): Effect.Effect<void, ReadError> =>
      passes(recorded) || offerNow(recorded)
        ? Effect.void
        : locked(
            Effect.suspend(() => {
              if (passes(recorded)) return Effect.void
              const step =
                recorded.revision > lastRevision(state, recorded.streamId) + 1n
                  ? catchUpUnlocked(recorded.streamId)
                  : Effect.flatMap(applyRecorded(state, recorded), (next) =>
                      Effect.sync(() => {
                        state = next
                      })
                    )
              return strict
                ? step
                : step.pipe(
                    Effect.catchIf(
                      (error) => error._tag === "CorruptStoredEvent",
                      (error) => quarantine(recorded.streamId, error)
                    )
                  )
            })
          )

    const follows = (streamId: string, events: ReadonlyArray<DomainEvent>): DomainEvent | undefined => {
      const [only] = events
      return events.length === 1 && only !== undefined && only.revision === lastRevision(state, streamId) + 1n
        ? only
        : undefined
    }

    // The subscription may deliver an append's events before the append's own reply comes back (the server sends
    // both at once): then they are applied already, and nothing needs doing — above all, no read of the stream.
    const allApplied = (streamId: string, events: ReadonlyArray<DomainEvent>): boolean => {
      const last = events.at(-1)
      return last === undefined || last.revision <= lastRevision(state, streamId)
    }

    const applyAppendedNow = (streamId: string, events: ReadonlyArray<DomainEvent>): boolean => {
      if (allApplied(streamId, events)) return true
      if (lockers > 0) return false
      const only = follows(streamId, events)
      if (only === undefined) return false
      state = applyOne(state, only)
      return true
    }

    const applyAppended = (streamId: string, events: ReadonlyArray<DomainEvent>) =>
      locked(
        Effect.suspend(() => {
          if (allApplied(streamId, events)) return Effect.void
          const only = follows(streamId, events)
          if (only === undefined) return catchUpUnlocked(streamId)
          state = applyOne(state, only)
          return Effect.void
        })
      )

    return {
      get: Effect.sync(() => state),
      current: () => state,
      catchUp,
      catchUpTo: (streamId, revision) =>
        Effect.suspend(() =>
          revision === undefined || lastRevision(state, streamId) >= revision ? Effect.void : catchUp(streamId)
        ),
      applyAppendedNow,
      applyAppended,
      passes,
      offerAtOnce: (recorded) => passes(recorded) || offerNow(recorded),
      offer,
      quarantine
    }
  })
