/**
 * The conformance suite every `EventStore` adapter must pass: ours (memory, EventStoreDB) and any a user writes.
 *
 * Each case works on streams of its own, named with a random suffix, and every read or subscription of the whole
 * store keeps only the case's own streams, so the suite also runs against a shared server that holds system
 * events and other tests' events.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import { describe, expect, layer as withLayer } from "@effect/vitest"
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
import { Chunk, Duration, Effect, Either, Exit, Fiber, Queue, Stream } from "effect"
import type { Layer } from "effect"

/**
 * How the suite runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventStoreConformanceOptions {
  /** Reports every case as skipped instead of running it; a string says why (for example "no server configured"). */
  readonly skip?: boolean | string
  /** Milliseconds one case may take, and building the layer may take. Defaults to 20 000. */
  readonly timeout?: number
  /** Milliseconds to wait for a subscription message that must arrive. Defaults to 5 000. */
  readonly receiveTimeout?: number
  /** Milliseconds to watch a subscription for a message that must not arrive. Defaults to 150. */
  readonly quietPeriod?: number
}

/** What a subscription delivered, in a form that reads well in an assertion: event ids (or revisions) and "CaughtUp". */
type Seen = bigint | string

const caughtUp = "CaughtUp" as const

const eventIdOf = (event: RecordedEvent): string => event.eventId

/** A stream of the suite's own: never a system stream (`$`), never shared with another case or run. */
const streamName = (label: string): string => `conformance-${label}-${randomUUID()}`

const proposed = (data: Json = {}, metadata: { readonly [key: string]: Json } = {}): ProposedEvent => ({
  eventId: randomUUID(),
  type: "ConformanceTested",
  data,
  metadata
})

const batch = (count: number): Array<ProposedEvent> => Array.from({ length: count }, (_, index) => proposed({ index }))

const ids = (events: ReadonlyArray<{ readonly eventId: string }>): Array<string> => events.map((event) => event.eventId)

const revisions = (events: ReadonlyArray<RecordedEvent>): Array<bigint> => events.map((event) => event.revision)

const append = (
  streamId: string,
  events: ReadonlyArray<ProposedEvent>,
  expected: ExpectedRevision
): Effect.Effect<AppendResult, AppendError, EventStore> =>
  Effect.flatMap(EventStore, (store) => store.append(streamId, events, expected))

const readStream = (
  streamId: string,
  options?: ReadStreamOptions
): Effect.Effect<ReadonlyArray<RecordedEvent>, ReadError, EventStore> =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readStream(streamId, options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

const readAll = (options: ReadAllOptions): Effect.Effect<ReadonlyArray<RecordedEvent>, ReadError, EventStore> =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll(options))).pipe(
    Effect.map(Chunk.toReadonlyArray)
  )

/** Reads the whole store, keeps the given streams' events and stops after `count` of them. */
const readAllOf = (
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

const expectConflict = (
  error: AppendError,
  expected: { readonly streamId: string; readonly expected: string; readonly actual: string }
): void => {
  expect(error._tag).toBe("ConcurrencyConflict")
  expect(error).toMatchObject(expected)
}

/**
 * Defines a vitest `describe` block that checks an `EventStore` layer against the port's whole contract: revisions
 * and positions, every kind of expected revision, atomicity, idempotent re-appends, reads of a stream and of the
 * whole store in both directions, tombstones, catch-up subscriptions to a stream and to the whole store (including
 * races between writers and subscribers), and JSON round trips of data and metadata.
 *
 * The layer is built once for the block and the cases share the store, each on streams of its own with random
 * names. Reads and subscriptions of the whole store start from a position the case wrote where they can, and keep
 * only the case's streams, so system events and other tests' events do not matter. One case subscribes to the whole
 * store from its start: against a large store, raise `receiveTimeout`. With `skip`, every case is reported as skipped.
 *
 * @example
 * ```ts
 * import { eventStoreConformance } from "@service-accounts/testing"
 * import { layer } from "@service-accounts/store-memory"
 *
 * eventStoreConformance("memory", layer)
 * ```
 *
 * @since 0.1.0
 * @category conformance
 */
export const eventStoreConformance = (
  name: string,
  layer: Layer.Layer<EventStore, unknown>,
  options: EventStoreConformanceOptions = {}
): void => {
  const skip = options.skip ?? false
  const timeout = options.timeout ?? 20_000
  const receiveTimeout = Duration.millis(options.receiveTimeout ?? 5_000)
  const quietPeriod = Duration.millis(options.quietPeriod ?? 150)
  const title = `EventStore conformance: ${name}`
  const suite = skip === false ? describe : describe.skip

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

  suite(typeof skip === "string" ? `${title} (skipped: ${skip})` : title, { timeout }, () => {
    withLayer(layer, { excludeTestServices: true, timeout: Duration.millis(timeout) })((it) => {
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
            const outcomes = yield* Effect.forEach(
              candidates,
              (events) => Effect.either(append(streamId, events, 0n)),
              {
                concurrency: "unbounded"
              }
            )
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
            expect(
              revisions(yield* readStream(streamId, { direction: "backwards", from: "end", maxCount: 2 }))
            ).toEqual([5n, 4n])
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
            const subscriber = yield* follow(
              store.subscribeToAll({ from: first?.position ?? 0n }),
              [streamId],
              eventIdOf
            )
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
            const subscribe = Effect.fork(
              collectRacing(store.subscribeToAll({ from: marker.position }), streams, total)
            )
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

      describe("data", () => {
        const data: Json = {
          text: "plain",
          empty: "",
          unicode: "Grüße, 東京, Ελληνικά, עברית, नमस्ते, 👩‍💻, 𝄞",
          escapes: 'quote " backslash \\ slash / newline \n tab \t nul \u0000 separators \u2028\u2029',
          integers: [0, 1, -1, 42, 9_007_199_254_740_991, -9_007_199_254_740_991],
          fractions: [0.5, -0.25, Math.PI, 0.1, 1.5e-7, 6.02e23, 1e21],
          booleans: [true, false],
          nothing: null,
          emptyObject: {},
          emptyArray: [],
          nested: { level: { deeper: [{ deepest: [1, [2, [3, { four: "4" }]]] }] } },
          "key with spaces, ünïcödé and 🔑": "value",
          "": "the empty key"
        }
        const metadata = {
          correlationId: randomUUID(),
          actor: { userId: "user-1", role: "Administrator" },
          tags: ["a", "b"],
          weight: 1.5,
          note: "ünïcödé ✓"
        }

        it.scoped("data and metadata round-trip exactly through reads and subscriptions", () =>
          Effect.gen(function* () {
            const store = yield* EventStore
            const streamId = streamName("json")
            const event = proposed(data, metadata)
            const result = yield* append(streamId, [event], "no_stream")
            const [fromStream] = yield* readStream(streamId)
            expect(fromStream?.data).toStrictEqual(data)
            expect(fromStream?.metadata).toStrictEqual(metadata)
            const [fromAll] = yield* readAllOf([streamId], 1, { from: result.position })
            expect(fromAll?.data).toStrictEqual(data)
            expect(fromAll?.metadata).toStrictEqual(metadata)
            const subscriber = yield* follow(store.subscribeToStream(streamId), [streamId], (recorded) => recorded)
            const [delivered] = yield* subscriber.take(1)
            expect(delivered === caughtUp ? delivered : [delivered?.data, delivered?.metadata]).toStrictEqual([
              data,
              metadata
            ])
          })
        )

        it.effect("data that is not an object round-trips too", () =>
          Effect.gen(function* () {
            const streamId = streamName("json-scalars")
            const values: ReadonlyArray<Json> = ["a string", 42, -0.5, true, null, [1, "two", { three: 3 }], []]
            yield* append(
              streamId,
              values.map((value) => proposed(value)),
              "no_stream"
            )
            expect((yield* readStream(streamId)).map((event) => event.data)).toStrictEqual(values)
          })
        )
      })
    })
  })
}
