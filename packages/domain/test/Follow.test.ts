/**
 * The follower of the whole store (`followAll`) takes a subscription a store made with `subscriptionFromPull` by its
 * pull, one step a delivery, and any other as a stream: both ways must hand the follower the same chunks, send an
 * unreadable event to `unreadable`, take the end of a subscription for a drop, and subscribe again from where the
 * follower got to. The store here plays one script three times (one subscription after the other), once as a pull
 * and once as the same stream mapped (which drops the pull).
 */
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Option, Schedule, Stream } from "effect"
import {
  CorruptStoredEvent,
  type EventStoreShape,
  type ReadError,
  type RecordedEvent,
  SubscriptionMessage,
  subscriptionFromPull,
  subscriptionPullOf
} from "../src/index.js"
import { type Follower, followAll } from "../src/readModels/follow.js"

const event = (position: number): RecordedEvent => ({
  streamId: "serviceAccountDirectory-acme",
  revision: BigInt(position - 1),
  position: BigInt(position),
  eventId: `00000000-0000-4000-8000-${String(position).padStart(12, "0")}`,
  type: "Example",
  data: { n: position },
  metadata: {},
  recordedAt: new Date(0)
})

type Step = Effect.Effect<Chunk.Chunk<SubscriptionMessage>, Option.Option<ReadError>>
const deliver = (...messages: ReadonlyArray<SubscriptionMessage>): Step => Effect.succeed(Chunk.fromIterable(messages))
const unreadable = new CorruptStoredEvent({
  streamId: "serviceAccountDirectory-acme",
  revision: 3n,
  position: 4n,
  reason: "its data is not JSON"
})

/** Each subscription's steps, in order: the first from the start, the second after 4, the third after 5. */
const scripts: ReadonlyArray<ReadonlyArray<Step>> = [
  [
    deliver(SubscriptionMessage.event(event(1)), SubscriptionMessage.event(event(2))),
    deliver(SubscriptionMessage.event(event(3)), SubscriptionMessage.caughtUp),
    Effect.fail(Option.some(unreadable))
  ],
  [deliver(SubscriptionMessage.event(event(5))), Effect.fail(Option.none())],
  [deliver(SubscriptionMessage.event(event(6)))]
]

const storeOf = (asStream: boolean, starts: Array<string>): EventStoreShape => {
  const unused = Effect.dieMessage("not used by the follower")
  let subscription = 0
  return {
    append: () => unused,
    readStream: () => Stream.die("not used by the follower"),
    readAll: () => Stream.die("not used by the follower"),
    subscribeToStream: () => Stream.die("not used by the follower"),
    tombstone: () => unused,
    subscribeToAll: (options) => {
      starts.push(String(options?.from ?? "start"))
      const script = scripts[subscription++] ?? []
      const pulled = subscriptionFromPull(
        Effect.sync(() => {
          let step = 0
          // After its script, a subscription waits for ever, as a live one does.
          return Effect.suspend(() => script[step++] ?? Effect.never)
        })
      )
      return asStream ? pulled.pipe(Stream.map((message) => message)) : pulled
    }
  }
}

const follow = (asStream: boolean) =>
  Effect.gen(function* () {
    const starts: Array<string> = []
    const seen: Array<string> = []
    let position: bigint | undefined
    const sixth = yield* Deferred.make<void>()
    const follower: Follower<never> = {
      name: "test",
      resumeFrom: Effect.sync(() => position ?? "start"),
      handle: (messages) =>
        Effect.suspend(() => {
          seen.push(
            Chunk.toReadonlyArray(messages)
              .map((message) => (message._tag === "CaughtUp" ? "caught up" : String(message.event.position)))
              .join(",")
          )
          for (const message of messages) if (message._tag === "Event") position = message.event.position
          return position === 6n ? Deferred.succeed(sixth, undefined) : Effect.void
        }),
      unreadable: ({ error, position: at }) =>
        Effect.sync(() => {
          seen.push(`unreadable ${at} (${error.reason})`)
          position = at
        }),
      failed: (error) => Effect.sync(() => seen.push(`failed: ${error._tag}`))
    }
    const fiber = yield* Effect.fork(followAll(storeOf(asStream, starts), follower, Schedule.spaced("1 millis")))
    yield* Deferred.await(sixth)
    yield* Fiber.interrupt(fiber)
    return { starts, seen }
  })

describe("followAll", () => {
  it("knows a subscription made from a pull, and not one mapped since", () => {
    const starts: Array<string> = []
    expect(subscriptionPullOf(storeOf(false, starts).subscribeToAll())).toBeDefined()
    expect(subscriptionPullOf(storeOf(true, starts).subscribeToAll())).toBeUndefined()
  })

  it.live("hands the follower the same chunks by the pull as by the stream, through failures and drops", () =>
    Effect.gen(function* () {
      const expected = {
        starts: ["start", "4", "5"],
        seen: ["1,2", "3,caught up", "unreadable 4 (its data is not JSON)", "5", "failed: EventStoreUnavailable", "6"]
      }
      expect(yield* follow(false)).toEqual(expected)
      expect(yield* follow(true)).toEqual(expected)
    })
  )
})
