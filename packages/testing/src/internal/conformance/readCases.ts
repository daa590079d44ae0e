/**
 * Conformance cases for reads of a stream and of the whole store, and tombstones.
 *
 * @internal
 */

import { describe, expect } from "@effect/vitest"
import { EventStore, type ExpectedRevision, type ProposedEvent } from "@service-accounts/domain"
import { Effect, Stream } from "effect"
import {
  streamName,
  batch,
  ids,
  revisions,
  append,
  readStream,
  readAll,
  readAllOf,
  expectConflict,
  type ConformanceIt,
  type ConformanceContext
} from "./support.js"

export const readCases = (it: ConformanceIt, context: ConformanceContext): void => {
  const { receiveTimeout } = context
  describe("readStream", () => {
    it.effect("a stream that does not exist reads as empty", () =>
      Effect.gen(function* () {
        const streamId = streamName("missing")
        expect(yield* readStream(streamId)).toEqual([])
        expect(yield* readStream(streamId, { direction: "backwards" })).toEqual([])
      })
    )

    it.effect("forwards from a revision includes it and honours maxCount", () =>
      Effect.gen(function* () {
        const streamId = streamName("forwards")
        const events = batch(6)
        yield* append(streamId, events, "no_stream")
        expect(ids(yield* readStream(streamId))).toEqual(ids(events))
        expect(revisions(yield* readStream(streamId, { from: 2n, maxCount: 3 }))).toEqual([2n, 3n, 4n])
        expect(revisions(yield* readStream(streamId, { from: 4n }))).toEqual([4n, 5n])
        expect(revisions(yield* readStream(streamId, { from: "start", maxCount: 100 }))).toHaveLength(6)
      })
    )

    it.effect("backwards from the end lists the latest events first", () =>
      Effect.gen(function* () {
        const streamId = streamName("backwards-end")
        yield* append(streamId, batch(6), "no_stream")
        expect(revisions(yield* readStream(streamId, { direction: "backwards" }))).toEqual([5n, 4n, 3n, 2n, 1n, 0n])
        expect(revisions(yield* readStream(streamId, { direction: "backwards", from: "end", maxCount: 2 }))).toEqual([
          5n,
          4n
        ])
      })
    )

    it.effect("backwards from a revision includes it", () =>
      Effect.gen(function* () {
        const streamId = streamName("backwards-from")
        yield* append(streamId, batch(6), "no_stream")
        expect(revisions(yield* readStream(streamId, { direction: "backwards", from: 3n, maxCount: 2 }))).toEqual([
          3n,
          2n
        ])
        expect(revisions(yield* readStream(streamId, { direction: "backwards", from: 1n }))).toEqual([1n, 0n])
      })
    )

    it.effect("forwards past the end reads nothing", () =>
      Effect.gen(function* () {
        const streamId = streamName("past-end")
        yield* append(streamId, batch(3), "no_stream")
        expect(yield* readStream(streamId, { from: 10n })).toEqual([])
        expect(yield* readStream(streamId, { from: "end" })).toEqual([])
      })
    )
  })

  describe("readAll", () => {
    it.effect("lists the events of every stream in position order", () =>
      Effect.gen(function* () {
        const streams = [streamName("all-a"), streamName("all-b"), streamName("all-c")]
        const [a = "", b = "", c = ""] = streams
        const written: Array<ProposedEvent> = []
        const appendTracked = (streamId: string, expected: ExpectedRevision) => {
          const events = batch(1)
          written.push(...events)
          return append(streamId, events, expected)
        }
        const first = yield* appendTracked(a, "no_stream")
        yield* appendTracked(b, "no_stream")
        yield* appendTracked(c, "no_stream")
        yield* appendTracked(a, 0n)
        yield* appendTracked(b, 0n)
        const all = yield* readAllOf(streams, 5, { from: first.position })
        expect(ids(all)).toEqual(ids(written))
        expect(all.map((event) => event.streamId)).toEqual([a, b, c, a, b])
        for (const [index, event] of all.entries()) {
          expect(event.position > (all[index - 1]?.position ?? -1n)).toBe(true)
        }
      })
    )

    it.effect("forwards from a position includes it and honours maxCount", () =>
      Effect.gen(function* () {
        const streamId = streamName("all-forwards")
        yield* append(streamId, batch(4), "no_stream")
        const stored = yield* readStream(streamId)
        const third = stored[2]
        expect(third).toBeDefined()
        const fromThird = yield* readAll({ from: third?.position ?? 0n, maxCount: 1 })
        expect(ids(fromThird)).toEqual(ids(stored.slice(2, 3)))
        const mine = yield* readAllOf([streamId], 4, { from: stored[1]?.position ?? 0n })
        expect(ids(mine)).toEqual(ids(stored.slice(1)))
        const limited = yield* readAll({ from: stored[0]?.position ?? 0n, maxCount: 3 })
        expect(limited).toHaveLength(3)
      })
    )

    it.effect("backwards from a position includes it", () =>
      Effect.gen(function* () {
        const streamId = streamName("all-backwards")
        yield* append(streamId, batch(4), "no_stream")
        const stored = yield* readStream(streamId)
        const third = stored[2]
        const atThird = yield* readAll({ from: third?.position ?? 0n, direction: "backwards", maxCount: 1 })
        expect(ids(atThird)).toEqual(ids(stored.slice(2, 3)))
        const mine = yield* readAllOf([streamId], 3, { from: third?.position ?? 0n, direction: "backwards" })
        expect(ids(mine)).toEqual(ids(stored.slice(0, 3)).reverse())
      })
    )

    it.effect("backwards from the end starts at the latest events", () =>
      Effect.gen(function* () {
        const streamId = streamName("all-end")
        const events = batch(3)
        yield* append(streamId, events, "no_stream")
        const mine = yield* readAllOf([streamId], 3, { from: "end", direction: "backwards" })
        expect(ids(mine)).toEqual(ids(events).reverse())
      })
    )

    it.effect("forwards from the start begins at the oldest event", () =>
      Effect.gen(function* () {
        const streamId = streamName("all-start")
        const result = yield* append(streamId, batch(1), "no_stream")
        const oldest = yield* readAll({ from: "start", maxCount: 1 })
        expect(oldest).toHaveLength(1)
        expect((oldest[0]?.position ?? result.position + 1n) <= result.position).toBe(true)
      })
    )
  })

  describe("tombstone", () => {
    it.effect("a tombstoned stream fails reads with StreamDeleted", () =>
      Effect.gen(function* () {
        const streamId = streamName("tombstone-read")
        yield* append(streamId, batch(2), "no_stream")
        yield* Effect.flatMap(EventStore, (store) => store.tombstone(streamId, 1n))
        const forwards = yield* Effect.flip(readStream(streamId))
        expect(forwards).toMatchObject({ _tag: "StreamDeleted", streamId })
        const backwards = yield* Effect.flip(readStream(streamId, { direction: "backwards" }))
        expect(backwards._tag).toBe("StreamDeleted")
      })
    )

    it.effect("appends to a tombstoned stream fail with StreamDeleted, whatever the expectation", () =>
      Effect.gen(function* () {
        const streamId = streamName("tombstone-append")
        yield* append(streamId, batch(1), "no_stream")
        yield* Effect.flatMap(EventStore, (store) => store.tombstone(streamId, "any"))
        for (const expected of ["any", "no_stream", "stream_exists", 0n, 1n] as const) {
          const error = yield* Effect.flip(append(streamId, batch(1), expected))
          expect(error).toMatchObject({ _tag: "StreamDeleted", streamId })
        }
      })
    )

    it.effect("tombstoning a tombstoned stream fails with StreamDeleted", () =>
      Effect.gen(function* () {
        const streamId = streamName("tombstone-twice")
        yield* append(streamId, batch(1), "no_stream")
        const store = yield* EventStore
        yield* store.tombstone(streamId, "stream_exists")
        const error = yield* Effect.flip(store.tombstone(streamId, "any"))
        expect(error._tag).toBe("StreamDeleted")
      })
    )

    it.effect("a tombstone with a wrong expected revision conflicts and deletes nothing", () =>
      Effect.gen(function* () {
        const streamId = streamName("tombstone-conflict")
        const events = batch(2)
        yield* append(streamId, events, "no_stream")
        const store = yield* EventStore
        const error = yield* Effect.flip(store.tombstone(streamId, 0n))
        expectConflict(error, { streamId, expected: "0", actual: "1" })
        expect(ids(yield* readStream(streamId))).toEqual(ids(events))
        expect((yield* append(streamId, batch(1), 1n)).nextExpectedRevision).toBe(2n)
      })
    )

    it.scoped("subscribing to a tombstoned stream fails with StreamDeleted", () =>
      Effect.gen(function* () {
        const streamId = streamName("tombstone-subscribe")
        yield* append(streamId, batch(1), "no_stream")
        const store = yield* EventStore
        yield* store.tombstone(streamId, 0n)
        const error = yield* store.subscribeToStream(streamId).pipe(
          Stream.runDrain,
          Effect.timeoutFail({
            duration: receiveTimeout,
            onTimeout: () => new Error("no StreamDeleted in time")
          }),
          Effect.flip
        )
        expect(error).toMatchObject({ _tag: "StreamDeleted", streamId })
      })
    )
  })
}
