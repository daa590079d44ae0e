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
import { EventStoreDBConnection } from "../src/index.js"
import { onTestServer } from "./layers.js"

const batch = (count: number, label = "Tested"): Array<ProposedEvent> =>
  Array.from({ length: count }, (_, index) => ({
    eventId: crypto.randomUUID(),
    type: label,
    data: { index },
    metadata: {}
  }))

const ids = (events: ReadonlyArray<ProposedEvent>) => events.map((event) => event.eventId)

const seen = (message: SubscriptionMessage) => (message._tag === "CaughtUp" ? "CaughtUp" : message.event.eventId)

/**
 * Follows a subscription until `count` events of `streamId` and CaughtUp came; the consumer stops after its
 * `pauseAt`-th event until the returned `resume` is completed, so the test can drop the subscription mid-stream.
 */
const follow = (
  subscription: Stream.Stream<SubscriptionMessage, ReadError>,
  streamId: string,
  count: number,
  pauseAt: number
) =>
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
        return events === pauseAt
          ? Deferred.succeed(paused, undefined).pipe(Effect.zipRight(Deferred.await(resume)))
          : Effect.void
      }),
      Stream.map(seen),
      // After a drop during the catch-up, CaughtUp comes when the new subscription has caught up, which may be after
      // live events the test appends meanwhile.
      Stream.takeUntil(() => events >= count && caughtUp),
      Stream.runCollect,
      Effect.map(Chunk.toReadonlyArray),
      Effect.timeout("60 seconds"),
      Effect.fork
    )
    return {
      fiber,
      paused: Deferred.await(paused),
      resume: Deferred.succeed(resume, undefined),
      /** Waits until the consumer has had `n` events. */
      received: (n: number) =>
        Effect.sync(() => events).pipe(
          Effect.repeat({ until: (seen) => seen >= n, schedule: Schedule.spaced("5 millis") }),
          Effect.asVoid
        )
    }
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
    const readsBefore = yield* server.callCount("Streams.Read")
    const follower = yield* follow(subscribe(store, streamId, marker.position), streamId, 80, 10)
    // Dropped in the middle of the catch-up, while the consumer holds the 10th event…
    yield* follower.paused
    expect(yield* server.dropSubscriptions(mode)).toBeGreaterThanOrEqual(1)
    yield* follower.resume
    // …and again once live, between appends.
    const live = batch(40)
    for (const [index, event] of live.entries()) {
      yield* store.append(streamId, [event], BigInt(39 + index))
      if (index === 20) {
        // Once the resubscribed subscription is live again.
        yield* follower.received(61)
        expect(yield* server.dropSubscriptions(mode)).toBeGreaterThanOrEqual(1)
      }
    }
    const delivered = yield* Fiber.join(follower.fiber)
    expect(delivered.filter((item) => item !== "CaughtUp")).toEqual([...ids(history), ...ids(live)])
    expect(delivered.filter((item) => item === "CaughtUp")).toHaveLength(1)
    // The adapter resubscribed (a subscription is a Read call).
    expect((yield* server.callCount("Streams.Read")) - readsBefore).toBeGreaterThanOrEqual(3)
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

  it.scoped("from the end: a drop before the first live event loses nothing", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const server = yield* TestServer
      const streamId = `resubscribe-end-${crypto.randomUUID()}`
      yield* store.append(streamId, batch(3), "no_stream")
      const messages = yield* Stream.toPull(
        store
          .subscribeToAll({ from: "end" })
          .pipe(Stream.filter((m) => m._tag === "CaughtUp" || m.event.streamId === streamId))
      )
      expect(Chunk.toReadonlyArray(yield* messages).map(seen)).toEqual(["CaughtUp"])
      yield* server.dropSubscriptions("unavailable")
      const live = batch(1)
      yield* store.append(streamId, live, 2n)
      expect(Chunk.toReadonlyArray(yield* messages).map(seen)).toEqual(ids(live))
    })
  )
})

withLayer(onTestServer({ resubscribe: Schedule.stop }), { excludeTestServices: true })(
  "without resubscription",
  (it) => {
    it.scoped("a drop fails the subscription with EventStoreUnavailable, retryable", () =>
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
        // Only once the server has the subscription can it drop it (a drop before would end nothing, and the
        // subscription would wait for events forever).
        yield* Deferred.await(caughtUp)
        expect(yield* server.dropSubscriptions("end")).toBe(1)
        const error = yield* Fiber.join(fiber)
        expect(error).toMatchObject({ _tag: "EventStoreUnavailable", operation: "subscribe", retryable: true })
        expect(error.message).toContain("the server ended the subscription")
      })
    )
  }
)

withLayer(onTestServer(), { excludeTestServices: true })("the whole store", (it) => {
  it.scoped("reads and subscriptions skip system events; the server filters them for subscriptions", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const { client } = yield* EventStoreDBConnection
      const streamId = `system-${crypto.randomUUID()}`
      yield* store.append(streamId, batch(2), "no_stream")
      // Stream metadata is a `$metadata` event in `$$<stream>`; a `$`-typed event in a user stream is system too.
      yield* Effect.promise(() => client.setStreamMetadata(streamId, { maxCount: 100 }))
      yield* store.append(streamId, batch(1, "$custom"), 1n)
      const raw: Array<string> = []
      for (const resolved of yield* Effect.promise(async () => {
        const all = []
        for await (const event of client.readAll()) all.push(event)
        return all
      })) {
        raw.push(`${resolved.event?.streamId} ${resolved.event?.type}`)
      }
      expect(raw.some((line) => line.startsWith("$"))).toBe(true)
      const isSystem = (event: { streamId: string; type: string }) =>
        event.streamId.startsWith("$") || event.type.startsWith("$")
      const all = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
      expect(all.filter(isSystem)).toEqual([])
      expect(all.filter((event) => event.streamId === streamId)).toHaveLength(2)
      const backwards = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll({ direction: "backwards" })))
      expect(backwards.map((event) => event.eventId)).toEqual(all.map((event) => event.eventId).reverse())
      // maxCount counts the events kept.
      expect(yield* Stream.runCollect(store.readAll({ maxCount: 2 }))).toHaveLength(2)
      const subscribed = yield* store.subscribeToAll().pipe(
        Stream.takeUntil((message) => message._tag === "CaughtUp"),
        Stream.runCollect,
        Effect.map(Chunk.toReadonlyArray)
      )
      expect(subscribed.flatMap((m) => (m._tag === "Event" ? [m.event.eventId] : []))).toEqual(
        all.map((e) => e.eventId)
      )
    })
  )
})

describe("streamPrefixes", () => {
  withLayer(onTestServer({ streamPrefixes: ["kept-"] }), { excludeTestServices: true })(
    "only the configured streams",
    (it) => {
      it.scoped("are read and subscribed to from the whole store", () =>
        Effect.gen(function* () {
          const store = yield* EventStore
          const kept = `kept-${crypto.randomUUID()}`
          const other = `other-${crypto.randomUUID()}`
          yield* store.append(other, batch(1), "no_stream")
          yield* store.append(kept, batch(2), "no_stream")
          yield* store.append(other, batch(1), 0n)
          const all = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
          expect(all.map((event) => event.streamId)).toEqual([kept, kept])
          const subscribed = yield* store.subscribeToAll().pipe(
            Stream.takeUntil((message) => message._tag === "CaughtUp"),
            Stream.runCollect,
            Effect.map(Chunk.toReadonlyArray)
          )
          expect(subscribed.map((m) => (m._tag === "Event" ? m.event.streamId : m._tag))).toEqual([
            kept,
            kept,
            "CaughtUp"
          ])
          // Reads of one stream are not filtered.
          expect(yield* Stream.runCollect(store.readStream(other))).toHaveLength(2)
        })
      )
    }
  )
})
