/**
 * Subscriptions of the KurrentDB adapter (grpc-js streams of the new client) come back after the server drops them,
 * after the last event they delivered: no gap, no duplicate, one CaughtUp. The catch-up's head is read through the
 * native bridge.
 */
import { describe, expect, layer as withLayer } from "@effect/vitest"
import {
  EventStore,
  type EventStoreShape,
  type ProposedEvent,
  type ReadError,
  type SubscriptionMessage
} from "@service-accounts/domain"
import { type DropMode, TestServer } from "@service-accounts/eventstoredb-test-server"
import { Chunk, Deferred, Effect, Fiber, Schedule, Stream } from "effect"
import { onTestServer } from "./layers.js"

const batch = (count: number): Array<ProposedEvent> =>
  Array.from({ length: count }, (_, index) => ({
    eventId: crypto.randomUUID(),
    type: "Tested",
    data: { index },
    metadata: {}
  }))

const ids = (events: ReadonlyArray<ProposedEvent>) => events.map((event) => event.eventId)

/**
 * Follows a subscription until `count` events of `streamId` and CaughtUp came, holding its `pauseAt`-th event until
 * `resume`, so the test can drop the subscription mid-stream.
 */
const follow = (subscription: Stream.Stream<SubscriptionMessage, ReadError>, streamId: string, count: number) =>
  Effect.gen(function* () {
    const paused = yield* Deferred.make<void>()
    const resume = yield* Deferred.make<void>()
    let events = 0
    let caughtUp = false
    const fiber = yield* subscription.pipe(
      Stream.filter((message) => message._tag === "CaughtUp" || message.event.streamId === streamId),
      Stream.tap((message) => {
        if (message._tag === "CaughtUp") {
          caughtUp = true
          return Effect.void
        }
        events++
        return events === 10
          ? Deferred.succeed(paused, undefined).pipe(Effect.zipRight(Deferred.await(resume)))
          : Effect.void
      }),
      Stream.map((message) => (message._tag === "CaughtUp" ? "CaughtUp" : message.event.eventId)),
      Stream.takeUntil(() => events >= count && caughtUp),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray),
      Effect.timeout("60 seconds"),
      Effect.fork
    )
    const received = (n: number) =>
      Effect.sync(() => events).pipe(
        Effect.repeat({ until: (seen) => seen >= n, schedule: Schedule.spaced("5 millis") }),
        Effect.asVoid
      )
    return { fiber, paused: Deferred.await(paused), resume: Deferred.succeed(resume, undefined), received }
  })

const droppingTwice = (
  mode: DropMode,
  subscribe: (store: EventStoreShape, streamId: string, from: bigint) => Stream.Stream<SubscriptionMessage, ReadError>
) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const server = yield* TestServer
    const streamId = `resubscribe-${mode}-${crypto.randomUUID()}`
    const marker = yield* store.append(`marker-${crypto.randomUUID()}`, batch(1), "no_stream")
    const history = batch(40)
    yield* store.append(streamId, history, "no_stream")
    const follower = yield* follow(subscribe(store, streamId, marker.position), streamId, 80)
    // Dropped in the middle of the catch-up, while the consumer holds the 10th event…
    yield* follower.paused
    expect(yield* server.dropSubscriptions(mode)).toBeGreaterThanOrEqual(1)
    yield* follower.resume
    // …and again once live, between appends.
    const live = batch(40)
    for (const [index, event] of live.entries()) {
      yield* store.append(streamId, [event], BigInt(39 + index))
      if (index === 20) {
        yield* follower.received(61)
        expect(yield* server.dropSubscriptions(mode)).toBeGreaterThanOrEqual(1)
      }
    }
    const delivered = yield* Fiber.join(follower.fiber)
    expect(delivered.filter((item) => item !== "CaughtUp")).toEqual([...ids(history), ...ids(live)])
    expect(delivered.filter((item) => item === "CaughtUp")).toHaveLength(1)
  })

const fast = { resubscribe: Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(50))) }

withLayer(onTestServer(fast), { excludeTestServices: true, timeout: "120 seconds" })("resubscription", (it) => {
  for (const mode of ["unavailable", "end"] as const) {
    it.scoped(
      `subscribeToAll after the server ${mode === "end" ? "ends" : "fails"} the call: no gap, no duplicate`,
      () => droppingTwice(mode, (store, _streamId, from) => store.subscribeToAll({ from }))
    )
    it.scoped(
      `subscribeToStream after the server ${mode === "end" ? "ends" : "fails"} the call: no gap, no duplicate`,
      () => droppingTwice(mode, (store, streamId) => store.subscribeToStream(streamId))
    )
  }
})

describe("without resubscription", () => {
  withLayer(onTestServer({ resubscribe: Schedule.stop }), { excludeTestServices: true })("a drop", (it) => {
    it.scoped("fails the subscription with EventStoreUnavailable, retryable", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const server = yield* TestServer
        const caughtUp = yield* Deferred.make<void>()
        const fiber = yield* store.subscribeToAll({ from: "end" }).pipe(
          Stream.tap((message) => (message._tag === "CaughtUp" ? Deferred.succeed(caughtUp, undefined) : Effect.void)),
          Stream.runDrain,
          Effect.flip,
          Effect.fork
        )
        yield* Deferred.await(caughtUp)
        expect(yield* server.dropSubscriptions("end")).toBe(1)
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "EventStoreUnavailable", operation: "subscribe", retryable: true })
        expect(error.message).toContain("the server ended the subscription")
      })
    )
  })
})
