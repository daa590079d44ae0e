/**
 * The one loop that follows the whole store, for the service's read models and for `ProjectionRunner`: subscribe
 * after a point, hand each delivered chunk to the follower, and whatever fails — the store, the subscription, the
 * follower itself — log it, wait by the schedule and subscribe again from where the follower got to. It never ends
 * by itself; only the interruption of its fiber (its scope closing) stops it.
 *
 * An event the store cannot read fails a subscription with a `CorruptStoredEvent` that names its position (the
 * port's contract, checked by the conformance suite). That failure is not a dropped subscription: it is handed to
 * the follower's `unreadable`, which records it and says whether to go on after it, and the loop subscribes again at
 * once — so one unreadable event, in any stream of the store, never stops a follower for good.
 */
import { type Chunk, Clock, Duration, Effect, Option, Schedule, Stream } from "effect"
import {
  type EventStoreShape,
  type RecordedEvent,
  type SubscriptionMessage,
  subscriptionPullOf,
  subscriptionTakingPullOf
} from "../store/EventStore.js"
import { type CorruptStoredEvent, EventStoreUnavailable, type ReadError } from "../model/Errors.js"

/** An event the store could not hand out, at a known position. */
export interface UnreadableEvent {
  readonly error: CorruptStoredEvent
  readonly position: bigint
}

/** What a follower does with the store's history. */
export interface Follower<E, R = never> {
  /** For log lines: which follower this is. */
  readonly name: string
  /** Where the next subscription starts (exclusive): the last position the follower is done with, or the start. */
  readonly resumeFrom: Effect.Effect<"start" | bigint, E, R>
  /** Called as each subscription starts, before its first message. */
  readonly subscribing?: Effect.Effect<void>
  /** One delivered chunk, in order. */
  readonly handle: (messages: Chunk.Chunk<SubscriptionMessage>) => Effect.Effect<void, E, R>
  /**
   * An event that arrived while the loop waited, offered synchronously before any chunk is delivered (when the
   * store can: `SubscriptionTaker`): `true` when the follower has done with it everything `handle` would have —
   * then `handle` never sees it — and `false` to have it delivered to `handle` as usual.
   */
  readonly take?: (event: RecordedEvent) => boolean
  /**
   * An event the store could not read. Succeeding means "done with it": the follower has recorded it (its
   * `resumeFrom` now points at or past it) and the loop subscribes again at once. Failing is a failure like any other.
   */
  readonly unreadable: (event: UnreadableEvent) => Effect.Effect<void, E, R>
  /**
   * Every failure, before the loop waits and subscribes again. Failing here ends the loop with that error (the
   * read models do it while the layer is still being built, so a bad start fails the layer instead of hanging it).
   */
  readonly failed?: (error: E | ReadError) => Effect.Effect<void, E | ReadError>
}

/** Raised inside the loop to tell a subscription's own failure from the follower's. */
class SubscriptionFailed {
  constructor(readonly error: ReadError) {}
}

/** What a subscription that ends is taken for: subscriptions are endless, so it is a drop. */
const ended = new EventStoreUnavailable({
  operation: "subscribe",
  reason: "the subscription ended",
  retryable: true
})

/**
 * Hands each delivered chunk to `handle` until the subscription fails (a subscription is endless: one that ends is
 * treated as a drop). A subscription a store made with `subscriptionFromPull` is pulled directly, one step a
 * delivery — opened with the follower's `take` when both the store and the follower offer one; any other is run as
 * a stream.
 */
const consume = <E, R>(
  subscription: Stream.Stream<SubscriptionMessage, ReadError>,
  handle: (messages: Chunk.Chunk<SubscriptionMessage>) => Effect.Effect<void, E, R>,
  take: ((event: RecordedEvent) => boolean) | undefined
): Effect.Effect<never, E | SubscriptionFailed, R> => {
  const taking = take === undefined ? undefined : subscriptionTakingPullOf(subscription)
  const open = take !== undefined && taking !== undefined ? taking(take) : subscriptionPullOf(subscription)
  if (open === undefined) {
    return subscription.pipe(
      Stream.mapError((error) => new SubscriptionFailed(error)),
      Stream.runForEachChunk(handle),
      Effect.zipRight(Effect.fail(new SubscriptionFailed(ended)))
    )
  }
  return Effect.scoped(
    Effect.flatMap(open, (pull) => {
      const next = Effect.mapError(pull, (failure) =>
        Option.isSome(failure) ? new SubscriptionFailed(failure.value) : new SubscriptionFailed(ended)
      )
      // Not `Effect.forever`, which yields to the scheduler after every step: the runtime yields on its own every
      // so many operations, so a long catch-up cannot starve other fibers either way.
      const loop: Effect.Effect<never, E | SubscriptionFailed, R> = Effect.flatMap(next, (messages) =>
        Effect.zipRight(handle(messages), loop)
      )
      return loop
    })
  )
}

/** After this long without a failure, the wait between attempts starts over from its shortest. */
const HEALTHY_AFTER = Duration.toMillis("1 minute")

const describe = (error: unknown): string =>
  typeof error === "object" && error !== null && "message" in error && typeof error.message === "string"
    ? error.message
    : String(error)

/**
 * Follows the whole store with `follower` until interrupted, or until `follower.failed` fails. `retry` spaces the
 * attempts after failures; it starts over after a healthy spell, and when it ends (following never does).
 */
export const followAll = <E, R>(
  store: EventStoreShape,
  follower: Follower<E, R>,
  retry: Schedule.Schedule<unknown, unknown>
): Effect.Effect<never, E | ReadError, R> =>
  Effect.gen(function* () {
    let driver = yield* Schedule.driver(retry)
    const attempt = Effect.flatMap(follower.resumeFrom, (from) =>
      Effect.zipRight(
        follower.subscribing ?? Effect.void,
        consume(store.subscribeToAll({ from }), follower.handle, follower.take)
      )
    )
    for (;;) {
      const started = yield* Clock.currentTimeMillis
      const error = yield* Effect.flip(attempt)
      if (
        error instanceof SubscriptionFailed &&
        error.error._tag === "CorruptStoredEvent" &&
        error.error.position !== undefined
      ) {
        yield* follower.unreadable({ error: error.error, position: error.error.position })
        continue
      }
      const cause = error instanceof SubscriptionFailed ? error.error : error
      if (follower.failed !== undefined) yield* follower.failed(cause)
      yield* Effect.logWarning(`${follower.name}: following the event store failed; subscribing again`).pipe(
        Effect.annotateLogs({ error: describe(cause) })
      )
      if ((yield* Clock.currentTimeMillis) - started >= HEALTHY_AFTER) driver = yield* Schedule.driver(retry)
      const waited = yield* Effect.either(driver.next(cause))
      if (waited._tag === "Left") {
        // The schedule is spent: start it over, and wait its first step.
        driver = yield* Schedule.driver(retry)
        yield* Effect.ignore(driver.next(cause))
      }
    }
  })
