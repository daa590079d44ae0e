/**
 * Conformance cases for a subscription opened with a taker (`subscriptionTakingPullOf`), for stores that offer one:
 * what arrives while the subscriber waits goes to the taker first; what it declines (or throws on) comes through the
 * pull, and so does everything after it until the subscriber waits again; `CaughtUp` always comes through the pull.
 * Taken or pulled, every event is seen once, in order. A store that offers no taker has nothing to check here (its
 * subscriptions are pulled as usual): the cases are reported as skipped.
 *
 * @internal
 */
import { describe, expect } from "@effect/vitest"
import {
  type AppendResult,
  EventStore,
  type ExpectedRevision,
  type ReadError,
  type RecordedEvent,
  type SubscriptionMessage,
  type SubscriptionTaker,
  subscriptionTakingPullOf
} from "@service-accounts/domain"
import type { Stream } from "effect"
import { Chunk, Duration, Effect, Option, Queue } from "effect"
import { append, batch, type ConformanceContext, type ConformanceIt, streamName } from "./support.js"

type Subscribe = (
  store: EventStore["Type"],
  streamId: string,
  from: bigint
) => Stream.Stream<SubscriptionMessage, ReadError>

const kinds: ReadonlyArray<{ readonly name: string; readonly subscribe: Subscribe }> = [
  { name: "subscribeToAll", subscribe: (store, _streamId, from) => store.subscribeToAll({ from }) },
  { name: "subscribeToStream", subscribe: (store, streamId) => store.subscribeToStream(streamId) }
]

export const takerCases = (it: ConformanceIt, context: ConformanceContext): void => {
  describe("a subscription with a taker (when the store offers one)", () => {
    for (const kind of kinds) {
      it.scoped(`${kind.name}: the taker gets what arrives while the subscriber waits, the pull the rest`, (test) =>
        Effect.gen(function* () {
          const store = yield* EventStore
          const streamId = streamName("taker")
          const marker = yield* append(streamName("taker-marker"), batch(1), "no_stream")
          const open = subscriptionTakingPullOf(kind.subscribe(store, streamId, marker.position))
          // A store that offers no taker has nothing to check here: the case is reported as skipped.
          if (open === undefined) return yield* Effect.sync(() => test.skip())
          const history = batch(2)
          yield* append(streamId, history, "no_stream")
          const live = batch(6)
          const declined = new Set([live[1]?.eventId, live[2]?.eventId])
          const throwsOn = live[4]?.eventId
          const seen = yield* Queue.unbounded<string>()
          const taker: SubscriptionTaker = (event: RecordedEvent) => {
            if (event.streamId !== streamId) return true
            if (event.eventId === throwsOn) throw new Error("the taker failed")
            if (declined.has(event.eventId)) return false
            Queue.unsafeOffer(seen, `taken ${event.eventId}`)
            return true
          }
          // The subscription is opened in the fiber's own scope, so the fiber ends before the subscription does.
          const deliver = (messages: Chunk.Chunk<SubscriptionMessage>) =>
            Queue.offerAll(
              seen,
              Chunk.filterMap(messages, (message) =>
                message._tag === "CaughtUp"
                  ? Option.some("CaughtUp")
                  : message.event.streamId === streamId
                    ? Option.some(`pulled ${message.event.eventId}`)
                    : Option.none()
              )
            )
          yield* open(taker).pipe(
            Effect.flatMap((pull) => Effect.forever(Effect.flatMap(pull, deliver))),
            Effect.scoped,
            Effect.forkScoped
          )
          const next = Queue.take(seen).pipe(
            Effect.timeoutFail({
              duration: context.receiveTimeout,
              onTimeout: () => new Error(`nothing seen within ${Duration.format(context.receiveTimeout)}`)
            })
          )
          // The history may come either way (the subscriber may already wait when it arrives); `CaughtUp` is pulled.
          const first = yield* Effect.replicateEffect(next, 3)
          expect(first.map((item) => item.replace(/^(taken|pulled) /, ""))).toEqual([
            ...history.map((event) => event.eventId),
            "CaughtUp"
          ])
          let expected: ExpectedRevision = 1n
          for (const event of live) {
            const written: AppendResult = yield* append(streamId, [event], expected)
            expected = written.nextExpectedRevision
            const way = declined.has(event.eventId) || event.eventId === throwsOn ? "pulled" : "taken"
            expect(yield* next).toBe(`${way} ${event.eventId}`)
          }
          yield* Effect.sleep(context.quietPeriod)
          expect(Chunk.toReadonlyArray(yield* Queue.takeAll(seen))).toEqual([])
        })
      )
    }
  })
}
