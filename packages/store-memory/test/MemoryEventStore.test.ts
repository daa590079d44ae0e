import { describe, expect, it } from "@effect/vitest"
import { EventStore, type Json, type ProposedEvent } from "@service-accounts/domain"
import { Cause, Chunk, Effect, Exit, Fiber, Stream, TestClock } from "effect"
import { layer, make } from "../src/index.js"

let counter = 0
const event = (data: Json = {}, metadata: { readonly [key: string]: Json } = {}): ProposedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(++counter).padStart(12, "0")}`,
  type: "Tested",
  data,
  metadata
})

const readAll = Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll())).pipe(
  Effect.map(Chunk.toReadonlyArray)
)

const readStream = (streamId: string) =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readStream(streamId))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

describe("MemoryEventStore", () => {
  describe("isolation", () => {
    it.effect("each build of the layer is a new, empty store", () =>
      Effect.gen(function* () {
        const write = Effect.flatMap(EventStore, (store) => store.append("s", [event()], "no_stream"))
        yield* Effect.provide(write, layer)
        expect(yield* Effect.provide(readAll, layer)).toEqual([])
        // The same layer provided once is one store for the whole program.
        const both = yield* Effect.provide(Effect.zipRight(write, readAll), layer)
        expect(both).toHaveLength(1)
      })
    )

    it.effect("each run of make is a new, empty store", () =>
      Effect.gen(function* () {
        const first = yield* make
        const second = yield* make
        yield* first.append("s", [event()], "no_stream")
        expect(Chunk.toReadonlyArray(yield* Stream.runCollect(second.readAll()))).toEqual([])
        expect((yield* second.append("s", [event()], "no_stream")).position).toBe(0n)
      })
    )
  })

  describe("positions", () => {
    it.effect("are the log indexes, from 0", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        expect(yield* store.append("a", [event(), event()], "no_stream")).toEqual({
          nextExpectedRevision: 1n,
          position: 1n
        })
        expect(yield* store.append("b", [event()], "no_stream")).toEqual({ nextExpectedRevision: 0n, position: 2n })
        expect((yield* readAll).map((recorded) => recorded.position)).toEqual([0n, 1n, 2n])
      }).pipe(Effect.provide(layer))
    )

    it.effect("reading a stream from a revision deep in an interleaved history finds the right events", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streams = 50
        const perStream = 40
        for (let revision = 0; revision < perStream; revision++) {
          for (let stream = 0; stream < streams; stream++) {
            yield* store.append(
              `s-${stream}`,
              [event({ stream, revision })],
              revision === 0 ? "no_stream" : BigInt(revision - 1)
            )
          }
        }
        const read = Chunk.toReadonlyArray(
          yield* Stream.runCollect(store.readStream("s-37", { from: 20n, maxCount: 3 }))
        )
        expect(read.map((recorded) => [recorded.revision, recorded.position, recorded.data])).toEqual([
          [20n, BigInt(20 * streams + 37), { stream: 37, revision: 20 }],
          [21n, BigInt(21 * streams + 37), { stream: 37, revision: 21 }],
          [22n, BigInt(22 * streams + 37), { stream: 37, revision: 22 }]
        ])
      }).pipe(Effect.provide(layer))
    )
  })

  describe("stored data", () => {
    it.effect("mutating appended data or metadata afterwards does not change history", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const data = { name: "before", nested: { list: [1, 2, 3] } }
        const metadata = { actor: { id: "before" } }
        yield* store.append("s", [event(data, metadata)], "no_stream")
        data.name = "after"
        data.nested.list.push(4)
        metadata.actor.id = "after"
        const [recorded] = yield* readStream("s")
        expect(recorded?.data).toEqual({ name: "before", nested: { list: [1, 2, 3] } })
        expect(recorded?.metadata).toEqual({ actor: { id: "before" } })
      }).pipe(Effect.provide(layer))
    )

    it.effect("what a reader gets is frozen, and changing its time does not change what others read", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append("s", [event({ nested: { list: [1] } }, { tag: "x" })], "no_stream")
        const [first] = yield* readStream("s")
        const data = first?.data
        expect(Object.isFrozen(data)).toBe(true)
        expect(typeof data === "object" && data !== null && Reflect.set(data, "added", true)).toBe(false)
        expect(Object.isFrozen(first?.metadata)).toBe(true)
        const time = first?.recordedAt.getTime()
        first?.recordedAt.setTime(0)
        const [second] = yield* readStream("s")
        expect(second?.recordedAt.getTime()).toBe(time)
        expect(second?.data).toEqual({ nested: { list: [1] } })
      }).pipe(Effect.provide(layer))
    )

    it.effect("is stored with JSON semantics, as a store of bytes would keep it", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const withUndefined: { [key: string]: Json } = { kept: 1 }
        Reflect.set(withUndefined, "dropped", undefined)
        Reflect.set(withUndefined, "when", new Date("2024-01-02T03:04:05.000Z"))
        yield* store.append("s", [event(withUndefined)], "no_stream")
        const [recorded] = yield* readStream("s")
        expect(recorded?.data).toStrictEqual({ kept: 1, when: "2024-01-02T03:04:05.000Z" })
      }).pipe(Effect.provide(layer))
    )

    it.effect("a value with no JSON form fails the whole append as a defect and writes nothing", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const bad: { [key: string]: Json } = {}
        Reflect.set(bad, "big", 1n)
        const exit = yield* Effect.exit(store.append("s", [event(), event(bad)], "no_stream"))
        const cause = Exit.isFailure(exit) ? exit.cause : Cause.empty
        expect(Cause.isDie(cause)).toBe(true)
        expect(Cause.pretty(cause)).toMatch(/data of event .* is not JSON/)
        expect(yield* readAll).toEqual([])
      }).pipe(Effect.provide(layer))
    )

    it.effect("recordedAt comes from the Effect Clock", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* TestClock.setTime(Date.parse("2030-05-06T07:08:09.000Z"))
        yield* store.append("s", [event()], "no_stream")
        const [recorded] = yield* readStream("s")
        expect(recorded?.recordedAt.toISOString()).toBe("2030-05-06T07:08:09.000Z")
      }).pipe(Effect.provide(layer))
    )
  })

  describe("append", () => {
    it.effect("an empty append checks the expectation, writes nothing and reports the stream as it is", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        expect(yield* store.append("s", [], "no_stream")).toEqual({ nextExpectedRevision: -1n, position: -1n })
        yield* store.append("s", [event(), event()], "no_stream")
        expect(yield* store.append("s", [], 1n)).toEqual({ nextExpectedRevision: 1n, position: 1n })
        const error = yield* Effect.flip(store.append("s", [], "no_stream"))
        expect(error._tag).toBe("ConcurrencyConflict")
        expect(yield* readAll).toHaveLength(2)
      }).pipe(Effect.provide(layer))
    )

    it.effect("re-sending with stream_exists returns the original result", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append("s", [event()], "no_stream")
        const events = [event(), event()]
        const original = yield* store.append("s", events, "stream_exists")
        expect(yield* store.append("s", events, "stream_exists")).toEqual(original)
        expect(yield* readAll).toHaveLength(3)
      }).pipe(Effect.provide(layer))
    )

    it.effect("the same event id in another stream is a new event", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const shared = event()
        yield* store.append("a", [shared], "no_stream")
        expect(yield* store.append("b", [shared], "no_stream")).toEqual({ nextExpectedRevision: 0n, position: 1n })
      }).pipe(Effect.provide(layer))
    )
  })

  describe("tombstone", () => {
    it.effect("a tombstoned stream's events stay in readAll, as in EventStoreDB until a scavenge", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append("s", [event(), event()], "no_stream")
        yield* store.tombstone("s", 1n)
        expect(yield* readAll).toHaveLength(2)
      }).pipe(Effect.provide(layer))
    )

    it.effect("a missing stream can be tombstoned, and then never created", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.tombstone("s", "no_stream")
        expect((yield* Effect.flip(store.append("s", [event()], "no_stream")))._tag).toBe("StreamDeleted")
      }).pipe(Effect.provide(layer))
    )

    it.effect("a live subscriber of a stream fails with StreamDeleted when the stream is tombstoned", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append("s", [event()], "no_stream")
        const subscriber = yield* Effect.fork(Stream.runCollect(store.subscribeToStream("s")))
        yield* Effect.yieldNow()
        yield* store.tombstone("s", 0n)
        const error = yield* Effect.flip(Fiber.join(subscriber))
        expect(error).toMatchObject({ _tag: "StreamDeleted", streamId: "s" })
      }).pipe(Effect.provide(layer))
    )
  })

  describe("back-pressure", () => {
    it.scoped("a subscriber gets the log in bounded chunks, only when it pulls", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const pull = yield* Stream.toPull(store.subscribeToAll())
        expect(Chunk.toReadonlyArray(yield* pull)).toEqual([{ _tag: "CaughtUp" }])
        // Nobody pulls while 5 000 events are written; the subscriber holds none of them meanwhile.
        const total = 5_000
        yield* store.append(
          "s",
          Array.from({ length: total }, () => event()),
          "no_stream"
        )
        const sizes: Array<number> = []
        const positions: Array<bigint> = []
        while (positions.length < total) {
          const chunk = yield* pull
          sizes.push(Chunk.size(chunk))
          for (const message of chunk) {
            if (message._tag === "Event") {
              positions.push(message.event.position)
            }
          }
        }
        expect(Math.max(...sizes)).toBeLessThanOrEqual(256)
        expect(positions).toEqual(Array.from({ length: total }, (_, index) => BigInt(index)))
      }).pipe(Effect.provide(layer))
    )

    it.scoped("a read materialises one bounded chunk per pull", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        yield* store.append(
          "s",
          Array.from({ length: 1_000 }, () => event()),
          "no_stream"
        )
        const pull = yield* Stream.toPull(store.readStream("s"))
        expect(Chunk.size(yield* pull)).toBeLessThanOrEqual(256)
      }).pipe(Effect.provide(layer))
    )
  })
})
