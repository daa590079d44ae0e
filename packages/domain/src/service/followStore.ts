/**
 * The read models' follower: one subscription to the whole store (`readModels/follow.ts`), from the start or from a
 * snapshot's position, feeding the service's read models and telling `freshness` how far it got.
 *
 * @internal
 */
import { Chunk, Clock, Deferred, Effect, Schedule, type Scope } from "effect"
import type { ReadError } from "../model/Errors.js"
import { type Follower, followAll, type UnreadableEvent } from "../readModels/follow.js"
import type { EventStoreShape, RecordedEvent, SubscriptionMessage } from "../store/EventStore.js"
import { isDirectoryStream } from "../store/StoredEvent.js"
import type { Freshness } from "./freshness.js"
import { isFollowed, passedOver, type ReadModels } from "./liveReadModels.js"
import { isRetryable } from "./repeats.js"

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
  /** Waits until it has handled every event up to `position` (at once if it has). */
  readonly reach: (position: bigint) => Effect.Effect<void>
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
    /** Callers of `reach`, released once the follower has handled their position. */
    const waiting = new Set<{ readonly position: bigint; readonly done: Deferred.Deferred<void> }>()
    const reached = Effect.suspend(() => {
      if (lastPosition === undefined) return Effect.void
      if (waiting.size === 0) return freshness.reached(lastPosition)
      const released: Array<Deferred.Deferred<void>> = []
      for (const waiter of waiting) {
        if (waiter.position <= lastPosition) {
          waiting.delete(waiter)
          released.push(waiter.done)
        }
      }
      return Effect.zipRight(
        Effect.forEach(released, (done) => Deferred.succeed(done, undefined), { discard: true }),
        freshness.reached(lastPosition)
      )
    })
    const reach = (position: bigint): Effect.Effect<void> =>
      Effect.flatMap(Deferred.make<void>(), (done) => {
        // Checked and registered in one synchronous step, so no event handled in between is missed.
        if (lastPosition !== undefined && lastPosition >= position) return Effect.void
        const waiter = { position, done }
        waiting.add(waiter)
        // A caller that gives up (a timeout) leaves nothing behind.
        return Effect.ensuring(
          Deferred.await(done),
          Effect.sync(() => waiting.delete(waiter))
        )
      })
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
          // The common case takes no step of its own: passed by, or applied at once.
          if (!isFollowed(recorded) || readModels.offerAtOnce(recorded)) {
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

    /**
     * Another process's event, taken in the step the store announces it (`Follower.take`): applied at once, as
     * `handle` would, and the position noted — or declined, for `handle` to deal with, when any of it needs an
     * effect (a gap to fill, the lock held, an event that does not decode, a caller of `reach` to release, a probe
     * to confirm). A declined event may already be applied: `handle` then passes it by.
     */
    const take = (recorded: RecordedEvent): boolean => {
      if (!ready || waiting.size > 0) return false
      if (isFollowed(recorded) && !readModels.offerAtOnce(recorded)) return false
      if (!freshness.reachedAtOnce(recorded.position)) return false
      handled++
      lastPosition = recorded.position
      return true
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
      take,
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
    return { position: () => lastPosition, handled: () => handled, reach }
  })
