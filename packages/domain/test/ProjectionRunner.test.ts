/**
 * `ProjectionRunner.runWithCheckpoints` saves an event's checkpoint after its handler succeeded: a handler that fails
 * once, in the middle of a batch, sees that event again when the runner resubscribes from its checkpoint, and every
 * event is handled exactly once (at-least-once delivery, with the handler's own failure never losing an event).
 *
 * The store here serves the golden history: each subscription delivers every event after its start point in one
 * chunk (one batch), then `CaughtUp`, then waits.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Fiber, Option, Ref, Schedule, Stream } from "effect"
import {
  Checkpoints,
  type DomainEvent,
  EventStore,
  type EventStoreShape,
  isDirectoryEvent,
  Ndjson,
  ProjectionRunner,
  type RecordedEvent,
  SubscriptionMessage
} from "../src/index.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

/** A store that only subscribes: the runner needs nothing else. */
const servingHistory = (history: ReadonlyArray<RecordedEvent>, starts: Array<string>): EventStoreShape => {
  const unused = Effect.dieMessage("not used by the runner")
  return {
    append: () => unused,
    readStream: () => Stream.die("not used by the runner"),
    readAll: () => Stream.die("not used by the runner"),
    subscribeToStream: () => Stream.die("not used by the runner"),
    tombstone: () => unused,
    subscribeToAll: (options) => {
      const from = options?.from ?? "start"
      starts.push(String(from))
      const after = history.filter((event) => from === "start" || (from !== "end" && event.position > from))
      return Stream.concat(
        Stream.fromChunk(Chunk.fromIterable([...after.map(SubscriptionMessage.event), SubscriptionMessage.caughtUp])),
        Stream.never
      )
    }
  }
}

describe("runWithCheckpoints", () => {
  it.live("a handler that fails once mid-batch: every event is handled exactly once, in order", () =>
    Effect.gen(function* () {
      const history = Chunk.toReadonlyArray(yield* Stream.runCollect(Ndjson.decodeText(text)))
      const directoryEvents = history.filter(isDirectoryEvent)
      // The golden history holds events of other streams too (integrity checkpoints): skipped, never handled.
      expect(directoryEvents.length).toBeLessThan(history.length)
      const failing = directoryEvents[5]
      if (failing === undefined) throw new Error("the golden history is too short")

      const end = history[history.length - 1]?.position
      const starts: Array<string> = []
      const memory = yield* Checkpoints.makeMemory()
      const reachedEnd = yield* Deferred.make<void>()
      const checkpoints = {
        load: memory.load,
        save: (name: string, position: bigint) =>
          memory
            .save(name, position)
            .pipe(Effect.zipRight(position === end ? Deferred.succeed(reachedEnd, undefined) : Effect.void))
      }
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      const failedOnce = yield* Ref.make(false)
      const handle = (event: DomainEvent) =>
        Effect.gen(function* () {
          if (event.eventId === failing.eventId && !(yield* Ref.getAndSet(failedOnce, true))) {
            return yield* Effect.fail("the handler's database is down, once")
          }
          yield* Ref.update(handled, (ids) => [...ids, event.eventId])
        })

      const runner = yield* ProjectionRunner.runWithCheckpoints("audit-export", handle, {
        retry: Schedule.spaced("1 millis")
      }).pipe(
        Effect.provideService(EventStore, servingHistory(history, starts)),
        Effect.provideService(Checkpoints, checkpoints),
        Effect.fork
      )
      // The last position of the history is saved once every event before it was dealt with.
      yield* Deferred.await(reachedEnd)
      yield* Fiber.interrupt(runner)

      expect(yield* Ref.get(failedOnce)).toBe(true)
      expect(yield* Ref.get(handled)).toEqual(directoryEvents.map((event) => event.eventId))
      // The second subscription started right after the last event handled before the failure.
      const before = directoryEvents[4]
      expect(starts).toEqual(["start", String(before?.position)])
      expect(Option.getOrUndefined(yield* memory.load("audit-export"))).toBe(end)
    })
  )
})
