/**
 * What the conformance cases share: stream names of their own, appends and reads through the port, and
 * subscription followers with the suite's timeouts.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { expect } from "@effect/vitest"
import type { Vitest } from "@effect/vitest"
import {
  type AppendError,
  type AppendResult,
  EventStore,
  type ExpectedRevision,
  type Json,
  type ProposedEvent,
  type ReadAllOptions,
  type ReadError,
  type ReadStreamOptions,
  type RecordedEvent,
  type SubscriptionMessage
} from "@service-accounts/domain"
import { Chunk, Duration, Effect, Either, Exit, Queue, Stream } from "effect"

/** What a subscription delivered, in a form that reads well in an assertion: event ids (or revisions) and "CaughtUp". */
export type Seen = bigint | string

export const caughtUp = "CaughtUp" as const

export const eventIdOf = (event: RecordedEvent): string => event.eventId

/** A stream of the suite's own: never a system stream (`$`), never shared with another case or run. */
export const streamName = (label: string): string => `conformance-${label}-${randomUUID()}`

export const proposed = (data: Json = {}, metadata: { readonly [key: string]: Json } = {}): ProposedEvent => ({
  eventId: randomUUID(),
  type: "ConformanceTested",
  data,
  metadata
})

export const batch = (count: number): Array<ProposedEvent> =>
  Array.from({ length: count }, (_, index) => proposed({ index }))

export const ids = (events: ReadonlyArray<{ readonly eventId: string }>): Array<string> =>
  events.map((event) => event.eventId)

export const revisions = (events: ReadonlyArray<RecordedEvent>): Array<bigint> => events.map((event) => event.revision)

export const append = (
  streamId: string,
  events: ReadonlyArray<ProposedEvent>,
  expected: ExpectedRevision
): Effect.Effect<AppendResult, AppendError, EventStore> =>
  Effect.flatMap(EventStore, (store) => store.append(streamId, events, expected))

export const readStream = (
  streamId: string,
  options?: ReadStreamOptions
): Effect.Effect<ReadonlyArray<RecordedEvent>, ReadError, EventStore> =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readStream(streamId, options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

export const readAll = (options: ReadAllOptions): Effect.Effect<ReadonlyArray<RecordedEvent>, ReadError, EventStore> =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll(options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

/** Reads the whole store, keeps the given streams' events and stops after `count` of them. */
export const readAllOf = (
  streamIds: ReadonlyArray<string>,
  count: number,
  options: ReadAllOptions
): Effect.Effect<ReadonlyArray<RecordedEvent>, ReadError, EventStore> =>
  Effect.flatMap(EventStore, (store) =>
    store.readAll(options).pipe(
      Stream.filter((event) => streamIds.includes(event.streamId)),
      Stream.take(count),
      Stream.runCollect
    )
  ).pipe(Effect.map(Chunk.toReadonlyArray))

export const expectConflict = (
  error: AppendError,
  expected: { readonly streamId: string; readonly expected: string; readonly actual: string }
): void => {
  expect(error._tag).toBe("ConcurrencyConflict")
  expect(error).toMatchObject(expected)
}

/** The `it` of the suite's layer: every case gets the store under test as `EventStore`. */
export type ConformanceIt = Vitest.MethodsNonLive<EventStore, true>

/** The suite's timing, and the subscription helpers built on it. */
export interface ConformanceContext {
  readonly receiveTimeout: Duration.Duration
  readonly quietPeriod: Duration.Duration
  readonly follow: ReturnType<typeof makeFollowers>["follow"]
  readonly collectRacing: ReturnType<typeof makeFollowers>["collectRacing"]
}

export const makeFollowers = (receiveTimeout: Duration.Duration, quietPeriod: Duration.Duration) => {
  /** Follows a subscription in the background; the test takes its messages one at a time, in order. */
  const follow = <A = string>(
    subscription: Stream.Stream<SubscriptionMessage, ReadError>,
    streamIds: ReadonlyArray<string>,
    show: (event: RecordedEvent) => A
  ) =>
    Effect.gen(function* () {
      const queue = yield* Queue.unbounded<Either.Either<A | typeof caughtUp, Exit.Exit<void, ReadError>>>()
      yield* subscription.pipe(
        Stream.filter((message) => message._tag === "CaughtUp" || streamIds.includes(message.event.streamId)),
        Stream.runForEach((message) =>
          Queue.offer(queue, Either.right(message._tag === "CaughtUp" ? caughtUp : show(message.event)))
        ),
        Effect.exit,
        Effect.flatMap((exit) => Queue.offer(queue, Either.left(exit))),
        Effect.forkScoped
      )
      const takeOne = Queue.take(queue).pipe(
        Effect.timeoutFail({
          duration: receiveTimeout,
          onTimeout: () => new Error(`no subscription message within ${Duration.format(receiveTimeout)}`)
        }),
        Effect.flatMap(
          Either.match({
            onRight: (seen: A | typeof caughtUp) => Effect.succeed(seen),
            onLeft: (exit) =>
              Exit.isFailure(exit) ? Effect.failCause(exit.cause) : Effect.fail(new Error("the subscription ended"))
          })
        )
      )
      return {
        /** The next `count` messages. */
        take: (count: number) => Effect.replicateEffect(takeOne, count),
        /** Fails if a message (or the end of the subscription) arrives within the quiet period. */
        expectQuiet: Effect.gen(function* () {
          yield* Effect.sleep(quietPeriod)
          const early = yield* Queue.takeAll(queue)
          expect(Chunk.toReadonlyArray(early)).toEqual([])
        })
      }
    })

  /**
   * Collects a subscription until it has delivered `count` of the streams' events and a `CaughtUp`, for the races
   * between writers and subscribers.
   */
  const collectRacing = (
    subscription: Stream.Stream<SubscriptionMessage, ReadError>,
    streamIds: ReadonlyArray<string>,
    count: number
  ): Effect.Effect<ReadonlyArray<Seen>, unknown> =>
    Effect.suspend(() => {
      let events = 0
      let caughtUps = 0
      return subscription.pipe(
        Stream.filter((message) => message._tag === "CaughtUp" || streamIds.includes(message.event.streamId)),
        Stream.map((message): Seen => (message._tag === "CaughtUp" ? caughtUp : message.event.eventId)),
        Stream.takeUntil((seen) => {
          if (seen === caughtUp) {
            caughtUps++
          } else {
            events++
          }
          return events >= count && caughtUps >= 1
        }),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray),
        Effect.timeoutFail({
          duration: Duration.times(receiveTimeout, 2),
          onTimeout: () => new Error(`the subscription did not deliver ${count} events and CaughtUp in time`)
        })
      )
    })
  return { follow, collectRacing }
}
