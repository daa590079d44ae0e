import { Chunk, Clock, Deferred, Effect, Either, HashMap, Metric, Schedule, type Scope, Stream } from "effect"
import * as DirectoryView from "../readModels/DirectoryView.js"
import type { EventStoreShape, RecordedEvent, SubscriptionMessage } from "../store/EventStore.js"
import type { CorruptStoredEvent, ReadError } from "../model/Errors.js"
import { type DomainEvent, decode, isDirectoryEvent, isDirectoryStream } from "../store/StoredEvent.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import type { Projection } from "../readModels/Projection.js"
import * as UsageView from "../readModels/UsageView.js"
import { decodeUsage, isUsageStream, type StoredUsage } from "../store/UsageStream.js"
import { type Follower, followAll, type UnreadableEvent } from "../readModels/follow.js"
import type { Freshness } from "./freshness.js"
import { isRetryable } from "./repeats.js"
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

const unreadableEvents = Metric.counter("service_accounts_unreadable_events", {
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
const passedOver = (error: CorruptStoredEvent, position?: bigint) =>
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
   * while nobody holds or awaits the lock. Returns whether it did; if not, `applyAppended` must be used.
   */
  readonly applyAppendedNow: (streamId: string, events: ReadonlyArray<DomainEvent>) => boolean
  /**
   * Applies what this process just appended. A single event that follows what was applied is applied as it
   * is; otherwise the stream is read, so every event carries the position the store gave it.
   */
  readonly applyAppended: (streamId: string, events: ReadonlyArray<DomainEvent>) => Effect.Effect<void, ReadError>
  /** Whether a subscription may pass an event by: it was applied already, or its stream is quarantined. */
  readonly passes: (recorded: RecordedEvent) => boolean
  /**
   * Applies one event seen by a subscription; a gap is filled by reading the stream. An event that does not
   * decode fails with `CorruptStoredEvent` when `strict`; otherwise its stream is quarantined (logged, followed
   * no further, its tokens refused) and the other streams carry on.
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

    const passes = (recorded: RecordedEvent): boolean =>
      HashMap.has(state.quarantined, recorded.streamId) || recorded.revision <= lastRevision(state, recorded.streamId)

    const offer = (recorded: RecordedEvent, strict: boolean): Effect.Effect<void, ReadError> =>
      passes(recorded)
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

    const applyAppendedNow = (streamId: string, events: ReadonlyArray<DomainEvent>): boolean => {
      if (lockers > 0) return false
      const only = follows(streamId, events)
      if (only === undefined) return false
      state = applyOne(state, only)
      return true
    }

    const applyAppended = (streamId: string, events: ReadonlyArray<DomainEvent>) =>
      locked(
        Effect.suspend(() => {
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
      offer,
      quarantine
    }
  })

/** Between attempts to follow the store again: from 100 ms, doubling, at most 5 s apart, for ever. */
const followRetry = Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("5 seconds")))

/** How the read models start following the store. */
export interface FollowOptions {
  /** The position they already hold everything up to (a snapshot's), or `undefined` to start from the beginning. */
  readonly from: bigint | undefined
  /**
   * `false`: return once the history has been caught up with. `true`: return at once and catch up in the background
   * (`freshness` keeps `authenticate` closed until then); failures are then logged and retried, never fatal.
   */
  readonly background: boolean
}

/** Where the follower has got to. */
export interface Following {
  /** The last position it handled, if any. */
  readonly position: () => bigint | undefined
  /** How many events it has handled since it started. */
  readonly handled: () => number
}

/**
 * Follows the whole store into the read models, in a fiber of the current scope, and returns once the history has
 * been caught up with (or at once, in the background). Events the read models have already applied (this process's
 * own writes, applied inline, or a snapshot's) are passed by without any effect being run.
 *
 * Until the history is caught up with, a failure that no retry can mend fails the layer (a history this version
 * cannot read must not start a service that answers from part of it) — unless catching up runs in the background,
 * where it is logged and retried like any later failure. After that, nothing stops the follower: every
 * failure is logged and followed by a new subscription from the last handled position (`followAll`), and `freshness`
 * is told how far it got. An event that does not decode, or that the store cannot even read, quarantines its
 * organisation's stream (logged once with its stream and position, counted, its tokens refused: a revocation may be
 * what is unreadable) while every other stream carries on; an unreadable event of another application's stream is
 * skipped, logged and counted the same way.
 */
export const followStore = (
  store: EventStoreShape,
  readModels: ReadModels,
  freshness: Freshness,
  options: FollowOptions
): Effect.Effect<Following, ReadError, Scope.Scope> =>
  Effect.gen(function* () {
    const caughtUp = yield* Deferred.make<void, ReadError>()
    let ready = false
    let lastPosition: bigint | undefined = options.from
    let handled = 0
    let subscribedAt = 0
    const reached = Effect.suspend(() => (lastPosition === undefined ? Effect.void : freshness.reached(lastPosition)))
    const handle = (messages: Chunk.Chunk<SubscriptionMessage>): Effect.Effect<void, ReadError> => {
      const from = (start: number): Effect.Effect<void, ReadError> => {
        for (let i = start; i < messages.length; i++) {
          const message = Chunk.unsafeGet(messages, i)
          if (message._tag === "CaughtUp") {
            ready = true
            return Deferred.succeed(caughtUp, undefined).pipe(
              Effect.zipRight(reached),
              Effect.zipRight(freshness.caughtUp(subscribedAt)),
              Effect.zipRight(Effect.suspend(() => from(i + 1)))
            )
          }
          const recorded = message.event
          handled++
          if (!isFollowed(recorded) || readModels.passes(recorded)) {
            lastPosition = recorded.position
            continue
          }
          return Effect.zipRight(
            readModels.offer(recorded, !ready && !options.background),
            Effect.suspend(() => {
              lastPosition = recorded.position
              return from(i + 1)
            })
          )
        }
        return reached
      }
      return Effect.suspend(() => from(0))
    }

    const unreadable = ({ error, position }: UnreadableEvent): Effect.Effect<void, ReadError> => {
      if (isDirectoryStream(error.streamId) && !ready && !options.background) {
        return Effect.zipRight(Deferred.fail(caughtUp, error), error)
      }
      const recorded = isDirectoryStream(error.streamId)
        ? readModels.quarantine(error.streamId, error)
        : passedOver(error, position)
      return Effect.zipRight(
        recorded,
        Effect.suspend(() => {
          if (lastPosition === undefined || position > lastPosition) lastPosition = position
          return reached
        })
      )
    }

    const follower: Follower<ReadError> = {
      name: "the read models",
      resumeFrom: Effect.sync(() => lastPosition ?? "start"),
      subscribing: Effect.map(Clock.currentTimeMillis, (now) => {
        subscribedAt = now
      }),
      handle,
      unreadable,
      // While the layer is being built, what no retry can mend fails it; later, every failure is retried.
      failed: (error) =>
        ready || options.background || isRetryable(error)
          ? Effect.void
          : Effect.zipRight(Deferred.fail(caughtUp, error), Effect.fail(error))
    }
    const scope = yield* Effect.scope
    yield* followAll(store, follower, followRetry).pipe(Effect.ignore, Effect.forkIn(scope))
    if (!options.background) yield* Deferred.await(caughtUp)
    return { position: () => lastPosition, handled: () => handled }
  })
