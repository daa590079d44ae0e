import {
  EventStoreUnavailable,
  type EventStoreShape,
  type ReadError,
  type RecordedEvent,
  StreamDeleted,
  SubscriptionMessage,
  type SubscriptionPull,
  type SubscriptionTaker,
  subscriptionFromPull
} from "@service-accounts/domain"
import { Chunk, Effect, Either, ExecutionStrategy, Exit, Option, Schedule, Scope, type Stream } from "effect"
import type { ClientEvent, StreamsClient, SubscriptionFilter } from "./client.js"
import type { Cursor, Item } from "./cursor.js"
import { describe, type Failures, failures } from "./errors.js"
import { allHead, clientPosition, type Keep, streamHead } from "./read.js"
import { open as openReadable, type Stoppable } from "./readable.js"
import { positionOf, toRecorded } from "./recorded.js"
import type { Writes } from "./writes.js"

/** How subscriptions come back after a drop, and what they give way to. */
export interface ResubscribeSettings {
  /** Waits between attempts; when it ends, the subscription fails with `EventStoreUnavailable`. */
  readonly schedule: Schedule.Schedule<unknown, unknown>
  /** The store's appends in flight: deliveries that arrive meanwhile are taken a turn later (see `Writes`). */
  readonly writes: Writes
}

/** One kind of subscription: to a stream (points are revisions) or to `$all` (points are positions). */
interface Source {
  /** Subscribes after a point (exclusive), or from the start. */
  readonly open: (after: bigint | undefined) => Stoppable
  /** The point "end" stands for: the last event now, or `undefined` (the start) when there is none. */
  readonly head: Effect.Effect<bigint | undefined, ReadError>
  /**
   * Whether to look at `head` before the first subscription and report `CaughtUp` at once when there is nothing:
   * servers before 24.2 never send "caught up" for a stream that does not exist yet.
   */
  readonly caughtUpWhenEmpty: boolean
  /** The point of an event, to resume after it. */
  readonly pointOf: (event: ClientEvent) => bigint | undefined
  /** Whether the port shows the event. */
  readonly keep: Keep
  /** A failure that ends the subscription for good; anything else is a drop, resubscribed after a wait. */
  readonly fatal: (error: unknown) => ReadError | undefined
}

/**
 * A catch-up subscription that survives drops: when the server ends the call or the connection fails, it waits
 * (by the schedule, which starts over once messages flow again) and subscribes again after the last event it
 * delivered, so nothing is missed and nothing is delivered twice. `CaughtUp` is delivered once, the first time the
 * server reports it. A start point of "end" is fixed to the store's last event when the subscription starts, so a
 * drop before the first live event cannot lose one either.
 *
 * Opened with a taker (`subscriptionTakingPullOf`), it hands the events that arrive while the consumer waits to the
 * taker first, in the step the client announces them (see `Cursor.arrivals`).
 */
const catchUp = (
  source: Source,
  from: "start" | "end" | bigint | undefined,
  settings: ResubscribeSettings
): Stream.Stream<SubscriptionMessage, ReadError> =>
  subscriptionFromPull(open(source, from, settings, undefined), (taker) => open(source, from, settings, taker))

/** The pull of a catch-up subscription (`catchUp`), with or without a taker. */
const open = (
  source: Source,
  from: "start" | "end" | bigint | undefined,
  settings: ResubscribeSettings,
  taker: SubscriptionTaker | undefined
): SubscriptionPull =>
  Effect.gen(function* () {
    const outer = yield* Effect.scope
    const driver = yield* Schedule.driver(settings.schedule)
    let resolved = from !== "end" && !source.caughtUpWhenEmpty
    let after: bigint | undefined =
      from === undefined || from === "start" || from === "end" || from < 0n ? undefined : from
    let caughtUp = false
    let current: { readonly cursor: Cursor<ClientEvent>; readonly scope: Scope.CloseableScope } | undefined
    /** A failure found in the middle of a chunk: the events before it go out first. */
    let pending: ReadError | undefined
    /** `CaughtUp` found out before subscribing, to go out first. */
    let early = false

    const close = Effect.suspend(() => {
      const scope = current?.scope
      current = undefined
      return scope === undefined ? Effect.void : Scope.close(scope, Exit.void)
    })

    /** One attempt: resolve "end" if needed, then open a subscription. */
    const connect = Effect.gen(function* () {
      if (!resolved) {
        const head = yield* source.head
        if (from === "end") after = head
        if (head === undefined && source.caughtUpWhenEmpty && !caughtUp) {
          caughtUp = true
          early = true
        }
        resolved = true
      }
      const scope = yield* Scope.fork(outer, ExecutionStrategy.sequential)
      const point = after
      const cursor = yield* openReadable<ClientEvent>(() => source.open(point), settings.writes).pipe(
        Scope.extend(scope)
      )
      if (taker !== undefined) cursor.arrivals = arrivals(taker)
      current = { cursor, scope }
      return cursor
    })

    /**
     * After a failure (`None`: the server ended the call): fails the subscription for good, or waits by the
     * schedule before the next attempt.
     */
    const onFailure = (failure: Option.Option<unknown>): Effect.Effect<void, Option.Option<ReadError>> => {
      const error = Option.getOrElse(failure, () => new Error("the server ended the subscription"))
      const fatal = Option.isNone(failure)
        ? undefined
        : error instanceof EventStoreUnavailable || error instanceof StreamDeleted
          ? error
          : source.fatal(error)
      if (fatal !== undefined && !(fatal instanceof EventStoreUnavailable && fatal.retryable)) {
        return Effect.zipRight(close, Effect.fail(Option.some(fatal)))
      }
      const reason = fatal instanceof EventStoreUnavailable ? fatal.reason : describe(error)
      return close.pipe(
        Effect.zipRight(
          Effect.logInfo("event store subscription dropped; resubscribing").pipe(Effect.annotateLogs({ reason }))
        ),
        Effect.zipRight(driver.next(error)),
        Effect.mapError(() =>
          Option.some<ReadError>(
            new EventStoreUnavailable({
              operation: "subscribe",
              reason: `gave up resubscribing: ${reason}`,
              retryable: true
            })
          )
        ),
        Effect.asVoid
      )
    }

    /** Whether the schedule has been stepped since it last started over. */
    let retried = false

    /** The port's messages for a chunk of the cursor's items; an event that cannot be read stops it (`pending`). */
    const messagesOf = (items: Chunk.Chunk<Item<ClientEvent>>): Array<SubscriptionMessage> => {
      const out: Array<SubscriptionMessage> = []
      const all = Chunk.toReadonlyArray(items)
      for (let i = 0; i < all.length; i++) {
        const item = all[i] as Item<ClientEvent>
        if (item._tag === "CaughtUp") {
          if (!caughtUp) {
            caughtUp = true
            out.push(SubscriptionMessage.caughtUp)
          }
          continue
        }
        const point = source.pointOf(item.item)
        if (source.keep(item.item)) {
          const recorded = toRecorded(item.item)
          if (Either.isLeft(recorded)) {
            pending = recorded.left
            break
          }
          out.push(SubscriptionMessage.event(recorded.right))
        }
        if (point !== undefined) after = point
      }
      return out
    }

    /**
     * Hands arrivals to the taker, in order, until it declines one; returns the items from there on. What the pull
     * must see first — "caught up", an event that cannot be read, the first messages after a resubscription (which
     * start the schedule over) — is left to it.
     */
    const arrivals =
      (take: SubscriptionTaker) =>
      (items: Array<Item<ClientEvent>>): Array<Item<ClientEvent>> => {
        if (retried || pending !== undefined) return items
        for (let i = 0; i < items.length; i++) {
          const item = items[i] as Item<ClientEvent>
          if (item._tag === "CaughtUp") return items.slice(i)
          if (source.keep(item.item)) {
            const recorded = toRecorded(item.item)
            if (Either.isLeft(recorded) || !takes(take, recorded.right)) return items.slice(i)
          }
          const point = source.pointOf(item.item)
          if (point !== undefined) after = point
        }
        return []
      }

    const failed = (failure: Option.Option<unknown>) => {
      retried = true
      return Effect.zipRight(onFailure(failure), pull)
    }

    // Written as plain steps rather than a generator: it runs once for every delivery, in every process.
    const pull: Effect.Effect<Chunk.Chunk<SubscriptionMessage>, Option.Option<ReadError>> = Effect.suspend(
      (): Effect.Effect<Chunk.Chunk<SubscriptionMessage>, Option.Option<ReadError>> => {
        if (pending !== undefined) return Effect.zipRight(close, Effect.fail(Option.some(pending)))
        const cursor = current?.cursor
        if (cursor === undefined) {
          return Effect.matchEffect(connect, {
            onFailure: (error) => failed(Option.some(error)),
            onSuccess: () => pull
          })
        }
        if (early) {
          early = false
          return Effect.succeed(Chunk.of(SubscriptionMessage.caughtUp))
        }
        return Effect.matchEffect(cursor.pull, {
          onFailure: failed,
          onSuccess: (items) => {
            const out = messagesOf(items)
            const next = out.length > 0 ? Effect.succeed(Chunk.unsafeFromArray(out)) : pull
            if (!retried) return next
            // Messages flow again: the schedule starts over.
            retried = false
            return Effect.zipRight(driver.reset, next)
          }
        })
      }
    )
    return pull
  })

/** Asks the taker; a taker that throws has declined (the pull then delivers the event as usual). */
const takes = (take: SubscriptionTaker, event: RecordedEvent): boolean => {
  try {
    return take(event)
  } catch {
    return false
  }
}

/** A failure of a subscription that no resubscription can fix. */
const fatalFor =
  ({ isStreamDeleted, isTransient, unavailable }: Failures, streamId: string | undefined) =>
  (error: unknown): ReadError | undefined => {
    if (streamId !== undefined && isStreamDeleted(error)) return new StreamDeleted({ streamId })
    if (isTransient(error)) return undefined
    return unavailable("subscribe", error, false)
  }

/** The port's `subscribeToStream`. */
export const subscribeToStream =
  (client: StreamsClient, settings: ResubscribeSettings): EventStoreShape["subscribeToStream"] =>
  (streamId, options) =>
    catchUp(
      {
        open: (after) => client.subscribeToStream(streamId, after),
        head: Effect.map(streamHead(client, streamId), (head) => head?.revision),
        caughtUpWhenEmpty: true,
        pointOf: (event) => event.event?.revision ?? event.link?.revision,
        keep: () => true,
        fatal: fatalFor(failures(client.commandError), streamId)
      },
      options?.from,
      settings
    )

/**
 * The port's `subscribeToAll`. The server filters out its own events (by event type, or by stream name when
 * `streamPrefixes` is set); whatever still comes through that the port does not show is skipped here too.
 */
export const subscribeToAll =
  (
    client: StreamsClient,
    settings: ResubscribeSettings,
    keep: Keep,
    prefixes: ReadonlyArray<string> | undefined
  ): EventStoreShape["subscribeToAll"] =>
  (options) => {
    const filter: SubscriptionFilter =
      prefixes === undefined ? { _tag: "ExcludeSystemEvents" } : { _tag: "StreamPrefixes", prefixes }
    return catchUp(
      {
        open: (after) => client.subscribeToAll(after === undefined ? undefined : clientPosition(after), filter),
        head: allHead(client),
        caughtUpWhenEmpty: false,
        pointOf: positionOf,
        keep,
        fatal: fatalFor(failures(client.commandError), undefined)
      },
      options?.from,
      settings
    )
  }
