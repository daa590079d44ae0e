/**
 * Conformance cases for an event the store holds but cannot hand out as a `RecordedEvent` (data that is not JSON,
 * metadata that is not a JSON object, …): reads and subscriptions deliver every event before it, then fail with a
 * `CorruptStoredEvent` naming its stream, revision and position; a subscription started after it goes on. That
 * is what lets a follower of the store record the event and carry on instead of stopping for good.
 *
 * Only stores that can hold such an event run them: the suite needs the adapter's tests to plant one.
 *
 * @internal
 */
import { describe, expect } from "@effect/vitest"
import { EventStore, type ReadError, type SubscriptionMessage } from "@service-accounts/domain"
import { Chunk, Duration, Effect, Either, Stream } from "effect"
import {
  append,
  type ConformanceContext,
  type ConformanceIt,
  caughtUp,
  eventIdOf,
  proposed,
  streamName
} from "./support.js"

/** Writes, by a way of the adapter's own, one event that the store under test cannot read back. */
export type PlantUnreadable = (streamId: string) => Effect.Effect<void, unknown>

/** What a read or subscription gave until it failed: the ids of the streams' events, and the failure. */
const untilFailure = (
  stream: Stream.Stream<SubscriptionMessage, ReadError>,
  streamIds: ReadonlyArray<string>,
  within: Duration.Duration
) =>
  stream.pipe(
    Stream.filter((message) => message._tag === "Event" && streamIds.includes(message.event.streamId)),
    Stream.map((message) => (message._tag === "Event" ? message.event.eventId : caughtUp)),
    Stream.either,
    Stream.takeUntil(Either.isLeft),
    Stream.runCollect,
    Effect.map((items) => {
      const all = Chunk.toReadonlyArray(items)
      const last = all[all.length - 1]
      return {
        delivered: all.flatMap((item) => (Either.isRight(item) ? [item.right] : [])),
        failure: last !== undefined && Either.isLeft(last) ? last.left : undefined
      }
    }),
    Effect.timeoutFail({
      duration: within,
      onTimeout: () => new Error(`the unreadable event did not fail the subscription within ${Duration.format(within)}`)
    })
  )

/** The failure must be a `CorruptStoredEvent` naming the stream, the revision and a position. */
const expectNamed = (
  failure: ReadError | undefined,
  streamId: string,
  revision: bigint
): { readonly revision: bigint; readonly position: bigint } => {
  if (failure?._tag !== "CorruptStoredEvent" || failure.position === undefined) {
    throw new Error(`expected a CorruptStoredEvent with a position, got ${failure?._tag ?? "no failure"}`)
  }
  expect([failure.streamId, failure.revision]).toStrictEqual([streamId, revision])
  return { revision: failure.revision, position: failure.position }
}

export const unreadableCases = (
  it: ConformanceIt,
  context: ConformanceContext,
  plant: PlantUnreadable | undefined
): void => {
  const suite = plant === undefined ? describe.skip : describe
  const title =
    plant === undefined
      ? "events the store cannot read (skipped: no way to plant one was given)"
      : "events the store cannot read"
  const planted = (streamId: string) => (plant === undefined ? Effect.void : Effect.orDie(plant(streamId)))
  const { follow, receiveTimeout } = context
  suite(title, () => {
    it.effect("a read of its stream gives the events before it, then fails naming its stream and revision", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("unreadable-read")
        const before = proposed({ before: true })
        yield* append(streamId, [before], "no_stream")
        yield* planted(streamId)
        yield* append(streamId, [proposed({ after: true })], "any")
        const delivered: Array<string> = []
        const outcome = yield* store.readStream(streamId).pipe(
          Stream.runForEach((event) => Effect.sync(() => delivered.push(event.eventId))),
          Effect.either
        )
        expect(delivered).toStrictEqual([before.eventId])
        expectNamed(Either.isLeft(outcome) ? outcome.left : undefined, streamId, 1n)
      })
    )

    it.scoped(
      "a subscription to the whole store delivers the events before it, fails naming its position, and one after it goes on",
      () =>
        Effect.gen(function* () {
          const store = yield* EventStore
          const streamId = streamName("unreadable-all")
          const plantedIn = streamName("unreadable-all-planted")
          const marker = yield* append(streamId, [proposed()], "no_stream")
          const before = proposed({ before: true })
          yield* append(streamId, [before], "any")
          yield* planted(plantedIn)
          const after = proposed({ after: true })
          yield* append(streamId, [after], "any")

          const first = yield* untilFailure(
            store.subscribeToAll({ from: marker.position }),
            [streamId, plantedIn],
            Duration.times(receiveTimeout, 2)
          )
          expect(first.delivered).toStrictEqual([before.eventId])
          const corrupt = expectNamed(first.failure, plantedIn, 0n)

          const next = yield* follow(store.subscribeToAll({ from: corrupt.position }), [streamId, plantedIn], eventIdOf)
          expect(yield* next.take(2)).toStrictEqual([after.eventId, caughtUp])
        })
    )

    it.scoped("a subscription to its stream does the same with revisions", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("unreadable-stream")
        const before = proposed({ before: true })
        yield* append(streamId, [before], "no_stream")
        yield* planted(streamId)
        const after = proposed({ after: true })
        yield* append(streamId, [after], "any")

        const first = yield* untilFailure(
          store.subscribeToStream(streamId),
          [streamId],
          Duration.times(receiveTimeout, 2)
        )
        expect(first.delivered).toStrictEqual([before.eventId])
        const corrupt = expectNamed(first.failure, streamId, 1n)

        const next = yield* follow(store.subscribeToStream(streamId, { from: corrupt.revision }), [streamId], eventIdOf)
        expect(yield* next.take(2)).toStrictEqual([after.eventId, caughtUp])
      })
    )

    it.effect("a read of the whole store gives the events before it, then fails naming it", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("unreadable-readall")
        const marker = yield* append(streamId, [proposed()], "no_stream")
        yield* planted(streamId)
        const delivered: Array<string> = []
        const outcome = yield* store.readAll({ from: marker.position }).pipe(
          Stream.filter((event) => event.streamId === streamId),
          Stream.runForEach((event) => Effect.sync(() => delivered.push(event.eventId))),
          Effect.either
        )
        expect(delivered).toHaveLength(1)
        expectNamed(Either.isLeft(outcome) ? outcome.left : undefined, streamId, 1n)
      })
    )
  })
}
