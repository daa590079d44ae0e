/**
 * Conformance cases for catch-up subscriptions to a stream and to the whole store.
 *
 * @internal
 */

import { describe, expect } from "@effect/vitest"
import { EventStore, type RecordedEvent } from "@service-accounts/domain"
import { Effect, Fiber } from "effect"
import {
  caughtUp,
  eventIdOf,
  streamName,
  batch,
  ids,
  append,
  readStream,
  type Seen,
  type ConformanceIt,
  type ConformanceContext
} from "./support.js"

export const subscriptionCases = (it: ConformanceIt, context: ConformanceContext): void => {
  const { follow, collectRacing } = context
  describe("subscribeToStream", () => {
    const byRevision = (event: RecordedEvent): Seen => event.revision

    it.scoped("delivers the history, then CaughtUp, then live events", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream")
        const store = yield* EventStore
        const history = batch(3)
        yield* append(streamId, history, "no_stream")
        const subscriber = yield* follow(store.subscribeToStream(streamId), [streamId], eventIdOf)
        expect(yield* subscriber.take(4)).toEqual([...ids(history), caughtUp])
        const live = batch(2)
        yield* append(streamId, live, 2n)
        expect(yield* subscriber.take(2)).toEqual(ids(live))
      })
    )

    it.scoped("a revision start point is exclusive", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream-from")
        const store = yield* EventStore
        yield* append(streamId, batch(4), "no_stream")
        const subscriber = yield* follow(store.subscribeToStream(streamId, { from: 1n }), [streamId], byRevision)
        expect(yield* subscriber.take(3)).toEqual([2n, 3n, caughtUp])
        yield* append(streamId, batch(1), 3n)
        expect(yield* subscriber.take(1)).toEqual([4n])
      })
    )

    it.scoped("from the end delivers only live events", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream-end")
        const store = yield* EventStore
        yield* append(streamId, batch(3), "no_stream")
        const subscriber = yield* follow(store.subscribeToStream(streamId, { from: "end" }), [streamId], byRevision)
        expect(yield* subscriber.take(1)).toEqual([caughtUp])
        yield* subscriber.expectQuiet
        yield* append(streamId, batch(1), 2n)
        expect(yield* subscriber.take(1)).toEqual([3n])
      })
    )

    it.scoped("a missing stream: CaughtUp, then nothing until its first events arrive", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream-missing")
        const store = yield* EventStore
        const subscriber = yield* follow(store.subscribeToStream(streamId), [streamId], byRevision)
        expect(yield* subscriber.take(1)).toEqual([caughtUp])
        yield* subscriber.expectQuiet
        yield* append(streamId, batch(2), "no_stream")
        expect(yield* subscriber.take(2)).toEqual([0n, 1n])
      })
    )

    it.scoped("delivers only the subscribed stream's events", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream-own")
        const other = streamName("sub-stream-other")
        const store = yield* EventStore
        // No client-side filter here: whatever the store delivers must belong to the stream.
        const subscriber = yield* follow(store.subscribeToStream(streamId), [streamId, other], (event) =>
          event.streamId === streamId ? event.eventId : `foreign ${event.streamId}`
        )
        expect(yield* subscriber.take(1)).toEqual([caughtUp])
        yield* append(other, batch(2), "no_stream")
        const mine = batch(1)
        yield* append(streamId, mine, "no_stream")
        expect(yield* subscriber.take(1)).toEqual(ids(mine))
      })
    )

    it.scoped("no gap and no duplicate when appends race with subscribing", () =>
      Effect.gen(function* () {
        const streamId = streamName("sub-stream-race")
        const store = yield* EventStore
        const total = 40
        const written: Array<string> = []
        const subscribers: Array<Fiber.Fiber<ReadonlyArray<Seen>, unknown>> = []
        const subscribe = Effect.fork(collectRacing(store.subscribeToStream(streamId), [streamId], total))
        subscribers.push(yield* subscribe)
        for (let index = 0; index < total; index++) {
          if (index % 8 === 3) {
            subscribers.push(yield* subscribe)
          }
          const events = batch(1)
          written.push(...ids(events))
          yield* append(streamId, events, index === 0 ? "no_stream" : BigInt(index - 1))
          yield* Effect.yieldNow()
        }
        subscribers.push(yield* subscribe)
        for (const subscriber of subscribers) {
          const seen = yield* Fiber.join(subscriber)
          expect(seen.filter((item) => item !== caughtUp)).toEqual(written)
          expect(seen.filter((item) => item === caughtUp)).toHaveLength(1)
        }
      })
    )
  })

  describe("subscribeToAll", () => {
    it.scoped("delivers the history, then CaughtUp, then live events", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const marker = yield* append(streamName("sub-all-marker"), batch(1), "no_stream")
        const streams = [streamName("sub-all-a"), streamName("sub-all-b")]
        const [a = "", b = ""] = streams
        const first = batch(2)
        const second = batch(1)
        yield* append(a, first, "no_stream")
        yield* append(b, second, "no_stream")
        const subscriber = yield* follow(store.subscribeToAll({ from: marker.position }), streams, eventIdOf)
        expect(yield* subscriber.take(4)).toEqual([...ids(first), ...ids(second), caughtUp])
        const live = batch(2)
        yield* append(a, live, 1n)
        expect(yield* subscriber.take(2)).toEqual(ids(live))
      })
    )

    it.scoped("a position start point is exclusive", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("sub-all-from")
        const events = batch(3)
        yield* append(streamId, events, "no_stream")
        const [first] = yield* readStream(streamId)
        const subscriber = yield* follow(store.subscribeToAll({ from: first?.position ?? 0n }), [streamId], eventIdOf)
        expect(yield* subscriber.take(3)).toEqual([...ids(events.slice(1)), caughtUp])
      })
    )

    it.scoped("from the end delivers only live events", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("sub-all-end")
        yield* append(streamId, batch(2), "no_stream")
        const subscriber = yield* follow(store.subscribeToAll({ from: "end" }), [streamId], eventIdOf)
        expect(yield* subscriber.take(1)).toEqual([caughtUp])
        yield* subscriber.expectQuiet
        const live = batch(1)
        yield* append(streamId, live, 1n)
        expect(yield* subscriber.take(1)).toEqual(ids(live))
      })
    )

    it.scoped("from the start delivers the whole history before CaughtUp", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("sub-all-start")
        const events = batch(2)
        yield* append(streamId, events, "no_stream")
        const subscriber = yield* follow(store.subscribeToAll({ from: "start" }), [streamId], eventIdOf)
        expect(yield* subscriber.take(3)).toEqual([...ids(events), caughtUp])
      })
    )

    it.scoped("no gap and no duplicate when appends to several streams race with subscribing", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const marker = yield* append(streamName("sub-all-race-marker"), batch(1), "no_stream")
        const streams = Array.from({ length: 4 }, (_, index) => streamName(`sub-all-race-${index}`))
        const total = 40
        const written: Array<string> = []
        const subscribers: Array<Fiber.Fiber<ReadonlyArray<Seen>, unknown>> = []
        const subscribe = Effect.fork(collectRacing(store.subscribeToAll({ from: marker.position }), streams, total))
        subscribers.push(yield* subscribe)
        for (let index = 0; index < total; index++) {
          if (index % 8 === 5) {
            subscribers.push(yield* subscribe)
          }
          const streamId = streams[index % streams.length] ?? ""
          const events = batch(1)
          written.push(...ids(events))
          yield* append(streamId, events, "any")
          yield* Effect.yieldNow()
        }
        subscribers.push(yield* subscribe)
        for (const subscriber of subscribers) {
          const seen = yield* Fiber.join(subscriber)
          expect(seen.filter((item) => item !== caughtUp)).toEqual(written)
          expect(seen.filter((item) => item === caughtUp)).toHaveLength(1)
        }
      })
    )
  })
}
