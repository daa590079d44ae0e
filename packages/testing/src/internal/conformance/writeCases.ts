/**
 * Conformance cases for appends: revisions and positions, expected revisions, atomicity, idempotent re-appends.
 *
 * @internal
 */

import { randomUUID } from "node:crypto"
import { describe, expect } from "@effect/vitest"
import type { ProposedEvent } from "@service-accounts/domain"
import { Effect, Either } from "effect"
import {
  streamName,
  proposed,
  batch,
  ids,
  revisions,
  append,
  readStream,
  readAllOf,
  expectConflict,
  type ConformanceIt,
  type ConformanceContext
} from "./support.js"

export const writeCases = (it: ConformanceIt, _context: ConformanceContext): void => {
  describe("append", () => {
    it.effect("revisions of a new stream start at 0 and continue without gaps", () =>
      Effect.gen(function* () {
        const streamId = streamName("revisions")
        const first = yield* append(streamId, batch(3), "no_stream")
        expect(first.nextExpectedRevision).toBe(2n)
        const second = yield* append(streamId, batch(2), first.nextExpectedRevision)
        expect(second.nextExpectedRevision).toBe(4n)
        expect(revisions(yield* readStream(streamId))).toEqual([0n, 1n, 2n, 3n, 4n])
      })
    )

    it.effect("recorded events carry the stream, id, type, data and metadata proposed, and a time", () =>
      Effect.gen(function* () {
        const streamId = streamName("recorded")
        const event: ProposedEvent = {
          eventId: randomUUID(),
          type: "ConformanceRecorded",
          data: { hello: "world" },
          metadata: { actor: "conformance" }
        }
        const before = Date.now()
        yield* append(streamId, [event], "no_stream")
        const [recorded, ...rest] = yield* readStream(streamId)
        expect(rest).toEqual([])
        expect(recorded).toMatchObject({
          streamId,
          revision: 0n,
          eventId: event.eventId,
          type: "ConformanceRecorded",
          data: { hello: "world" },
          metadata: { actor: "conformance" }
        })
        expect(recorded?.recordedAt).toBeInstanceOf(Date)
        // Generous bounds: a server's clock may differ a little from ours.
        expect(Math.abs((recorded?.recordedAt.getTime() ?? 0) - before)).toBeLessThan(60_000)
      })
    )

    it.effect("positions strictly increase across streams, and a result names its last event", () =>
      Effect.gen(function* () {
        const a = streamName("positions-a")
        const b = streamName("positions-b")
        const results = [
          yield* append(a, batch(2), "no_stream"),
          yield* append(b, batch(3), "no_stream"),
          yield* append(a, batch(1), 1n)
        ]
        const eventsA = yield* readStream(a)
        const eventsB = yield* readStream(b)
        const inAppendOrder = [...eventsA.slice(0, 2), ...eventsB, ...eventsA.slice(2)]
        const positions = inAppendOrder.map((event) => event.position)
        for (const [index, position] of positions.entries()) {
          expect(position > (positions[index - 1] ?? -1n)).toBe(true)
        }
        expect(results.map((result) => result.position)).toEqual([
          eventsA[1]?.position,
          eventsB[2]?.position,
          eventsA[2]?.position
        ])
        expect(results.map((result) => result.nextExpectedRevision)).toEqual([1n, 2n, 2n])
      })
    )
  })

  describe("expected revision", () => {
    it.effect("any appends to a missing stream and to an existing one", () =>
      Effect.gen(function* () {
        const streamId = streamName("any")
        expect((yield* append(streamId, batch(1), "any")).nextExpectedRevision).toBe(0n)
        expect((yield* append(streamId, batch(2), "any")).nextExpectedRevision).toBe(2n)
      })
    )

    it.effect("no_stream conflicts when the stream exists", () =>
      Effect.gen(function* () {
        const streamId = streamName("no-stream")
        yield* append(streamId, batch(2), "no_stream")
        const error = yield* Effect.flip(append(streamId, batch(1), "no_stream"))
        expectConflict(error, { streamId, expected: "no_stream", actual: "1" })
      })
    )

    it.effect("stream_exists conflicts on a missing stream", () =>
      Effect.gen(function* () {
        const streamId = streamName("exists-missing")
        const error = yield* Effect.flip(append(streamId, batch(1), "stream_exists"))
        expectConflict(error, { streamId, expected: "stream_exists", actual: "no_stream" })
        expect(yield* readStream(streamId)).toEqual([])
      })
    )

    it.effect("stream_exists appends to an existing stream", () =>
      Effect.gen(function* () {
        const streamId = streamName("exists")
        yield* append(streamId, batch(1), "no_stream")
        expect((yield* append(streamId, batch(2), "stream_exists")).nextExpectedRevision).toBe(2n)
      })
    )

    it.effect("an exact revision appends when it is the stream's last revision", () =>
      Effect.gen(function* () {
        const streamId = streamName("exact")
        yield* append(streamId, batch(3), "no_stream")
        expect((yield* append(streamId, batch(1), 2n)).nextExpectedRevision).toBe(3n)
      })
    )

    it.effect("a stale exact revision conflicts", () =>
      Effect.gen(function* () {
        const streamId = streamName("exact-stale")
        yield* append(streamId, batch(3), "no_stream")
        const error = yield* Effect.flip(append(streamId, batch(1), 0n))
        expectConflict(error, { streamId, expected: "0", actual: "2" })
      })
    )

    it.effect("an exact revision ahead of the stream conflicts", () =>
      Effect.gen(function* () {
        const streamId = streamName("exact-ahead")
        yield* append(streamId, batch(2), "no_stream")
        const error = yield* Effect.flip(append(streamId, batch(1), 5n))
        expectConflict(error, { streamId, expected: "5", actual: "1" })
      })
    )

    it.effect("an exact revision on a missing stream conflicts", () =>
      Effect.gen(function* () {
        const streamId = streamName("exact-missing")
        const error = yield* Effect.flip(append(streamId, batch(1), 0n))
        expectConflict(error, { streamId, expected: "0", actual: "no_stream" })
      })
    )
  })

  describe("atomicity", () => {
    it.effect("a conflicting append writes none of its events", () =>
      Effect.gen(function* () {
        const streamId = streamName("atomic")
        const written = batch(2)
        const first = yield* append(streamId, written, "no_stream")
        yield* Effect.flip(append(streamId, batch(3), 0n))
        expect(ids(yield* readStream(streamId))).toEqual(ids(written))
        const all = yield* readAllOf([streamId], 10, { from: first.position, direction: "backwards" })
        expect(ids(all)).toEqual(ids(written).reverse())
      })
    )

    it.effect("of concurrent appends with the same expected revision exactly one wins", () =>
      Effect.gen(function* () {
        const streamId = streamName("race")
        yield* append(streamId, batch(1), "no_stream")
        const candidates = Array.from({ length: 5 }, () => batch(2))
        const outcomes = yield* Effect.forEach(candidates, (events) => Effect.either(append(streamId, events, 0n)), {
          concurrency: "unbounded"
        })
        const winners = candidates.filter((_, index) => outcomes[index]?._tag === "Right")
        expect(winners).toHaveLength(1)
        for (const outcome of outcomes) {
          if (Either.isLeft(outcome)) {
            expect(outcome.left._tag).toBe("ConcurrencyConflict")
          }
        }
        const stored = yield* readStream(streamId)
        expect(revisions(stored)).toEqual([0n, 1n, 2n])
        expect(ids(stored.slice(1))).toEqual(ids(winners[0] ?? []))
      })
    )

    it.effect("a batch is stored contiguously, never interleaved with a concurrent batch", () =>
      Effect.gen(function* () {
        const marker = yield* append(streamName("contiguous-marker"), batch(1), "no_stream")
        const streams = Array.from({ length: 4 }, (_, index) => streamName(`contiguous-${index}`))
        yield* Effect.forEach(streams, (streamId) => append(streamId, batch(5), "no_stream"), {
          concurrency: "unbounded"
        })
        const all = yield* readAllOf(streams, 20, { from: marker.position })
        expect(all).toHaveLength(20)
        for (let start = 0; start < all.length; start += 5) {
          const group = all.slice(start, start + 5)
          expect(new Set(group.map((event) => event.streamId)).size).toBe(1)
          expect(revisions(group)).toEqual([0n, 1n, 2n, 3n, 4n])
        }
      })
    )
  })

  describe("idempotent re-append", () => {
    it.effect("re-sending with no_stream returns the original result and writes nothing", () =>
      Effect.gen(function* () {
        const streamId = streamName("idempotent-new")
        const events = batch(3)
        const original = yield* append(streamId, events, "no_stream")
        expect(yield* append(streamId, events, "no_stream")).toEqual(original)
        expect(ids(yield* readStream(streamId))).toEqual(ids(events))
      })
    )

    it.effect("re-sending with the same exact revision returns the original result, even after later appends", () =>
      Effect.gen(function* () {
        const streamId = streamName("idempotent-exact")
        yield* append(streamId, batch(1), "no_stream")
        const events = batch(2)
        const original = yield* append(streamId, events, 0n)
        const later = yield* append(streamId, batch(1), original.nextExpectedRevision)
        expect(yield* append(streamId, events, 0n)).toEqual(original)
        const stored = yield* readStream(streamId)
        expect(revisions(stored)).toEqual([0n, 1n, 2n, 3n])
        expect(stored.at(-1)?.position).toBe(later.position)
      })
    )

    it.effect("re-sending with any returns the original result and writes nothing", () =>
      Effect.gen(function* () {
        const streamId = streamName("idempotent-any")
        yield* append(streamId, batch(1), "any")
        const events = batch(2)
        const original = yield* append(streamId, events, "any")
        expect(yield* append(streamId, events, "any")).toEqual(original)
        expect(revisions(yield* readStream(streamId))).toEqual([0n, 1n, 2n])
      })
    )

    it.effect("a re-send that overlaps the written events only in part conflicts and writes nothing", () =>
      Effect.gen(function* () {
        const streamId = streamName("idempotent-partial")
        const events = batch(2)
        const [first = proposed()] = events
        yield* append(streamId, events, "no_stream")
        for (const expected of ["no_stream", "any"] as const) {
          const extended = yield* Effect.flip(append(streamId, [...events, proposed()], expected))
          expect(extended._tag).toBe("ConcurrencyConflict")
          const mixed = yield* Effect.flip(append(streamId, [first, proposed()], expected))
          expect(mixed._tag).toBe("ConcurrencyConflict")
        }
        expect(ids(yield* readStream(streamId))).toEqual(ids(events))
      })
    )
  })
}
