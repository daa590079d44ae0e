/**
 * The live read models apply what a subscription offers strictly in revision order, each event once: an event next
 * in line is applied at once while nobody holds or awaits the lock, a gap is filled by reading the stream, and an
 * event offered while a catch-up holds the lock waits for it (so it can neither jump ahead of the events being read
 * nor be applied twice).
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Deferred, Effect, Either, Fiber, Stream } from "effect"
import {
  decode,
  DirectoryView,
  type EventStoreShape,
  foldProjection,
  isDirectoryEvent,
  Ndjson,
  type RecordedEvent
} from "../src/index.js"
import * as UsageView from "../src/readModels/UsageView.js"
import { makeReadModels } from "../src/service/liveReadModels.js"
import { directoryJson } from "./golden.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

/** The golden history's longest directory stream, in revision order. */
const longestStream = Effect.map(Stream.runCollect(Ndjson.decodeText(text)), (all) => {
  const byStream = new Map<string, Array<RecordedEvent>>()
  for (const event of Chunk.toReadonlyArray(all).filter(isDirectoryEvent)) {
    const events = byStream.get(event.streamId) ?? []
    events.push(event)
    byStream.set(event.streamId, events)
  }
  const longest = [...byStream.values()].sort((a, b) => b.length - a.length)[0] ?? []
  if (longest.length < 6) throw new Error("the golden history has no stream of 6 events or more")
  return longest
})

/**
 * A store that serves reads of `events`' stream from a revision on, each read first waiting for `gate` (when given),
 * and counts the reads.
 */
const servingStream = (events: ReadonlyArray<RecordedEvent>, gate?: Deferred.Deferred<void>) => {
  const reads: Array<bigint> = []
  const unused = Effect.dieMessage("not used by the read models")
  const store: EventStoreShape = {
    append: () => unused,
    readStream: (_streamId, options) => {
      const from = typeof options?.from === "bigint" ? options.from : 0n
      reads.push(from)
      const served = Stream.fromIterable(events.filter((event) => event.revision >= from))
      return gate === undefined ? served : Stream.unwrap(Effect.as(Deferred.await(gate), served))
    },
    readAll: () => Stream.die("not used by the read models"),
    subscribeToStream: () => Stream.die("not used by the read models"),
    subscribeToAll: () => Stream.die("not used by the read models"),
    tombstone: () => unused
  }
  return { store, reads }
}

/** The directory view a plain fold of `events` gives. */
const folded = (events: ReadonlyArray<RecordedEvent>) =>
  directoryJson(
    foldProjection(
      DirectoryView.projection,
      events.map((event) => Either.getOrThrow(decode(event)))
    )
  )

const usage = UsageView.projectionKeeping(UsageView.DEFAULT_RETENTION_DAYS)

describe("the live read models, fed by a subscription", () => {
  it.effect("apply events offered in order once each; an event offered again changes nothing", () =>
    Effect.gen(function* () {
      const events = yield* longestStream
      const { store, reads } = servingStream(events)
      const readModels = yield* makeReadModels(store, undefined, usage)
      for (const event of events) yield* readModels.offer(event, true)
      const after = readModels.current()
      expect(directoryJson(after.directory)).toEqual(folded(events))
      for (const event of events) {
        expect(readModels.passes(event)).toBe(true)
        yield* readModels.offer(event, true)
      }
      expect(readModels.current()).toBe(after)
      expect(reads).toEqual([])
    })
  )

  it.effect("fill a gap by reading the stream from the first missing revision", () =>
    Effect.gen(function* () {
      const events = yield* longestStream
      const { store, reads } = servingStream(events)
      const readModels = yield* makeReadModels(store, undefined, usage)
      const [first, , , fourth] = events
      if (first === undefined || fourth === undefined) throw new Error("too short")
      yield* readModels.offer(first, true)
      yield* readModels.offer(fourth, true)
      expect(reads).toEqual([1n])
      // The read goes on to the stream's end: everything is applied, in order, once.
      expect(directoryJson(readModels.current().directory)).toEqual(folded(events))
    })
  )

  it.live("wait, while a catch-up holds the lock, for it to finish: the event is then applied by it, once", () =>
    Effect.gen(function* () {
      const events = yield* longestStream
      const gate = yield* Deferred.make<void>()
      const { store, reads } = servingStream(events, gate)
      const readModels = yield* makeReadModels(store, undefined, usage)
      const [first] = events
      if (first === undefined) throw new Error("too short")
      const catchingUp = yield* Effect.fork(readModels.catchUp(first.streamId))
      // The catch-up has taken the lock once its read has started.
      while (reads.length === 0) yield* Effect.yieldNow()
      const offered = yield* Effect.fork(readModels.offer(first, true))
      yield* Effect.yieldNow()
      // `first` follows what is applied (nothing), yet it must wait for the catch-up, which is reading it.
      expect(readModels.passes(first)).toBe(false)
      expect(offered.unsafePoll()).toBeNull()
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(catchingUp)
      yield* Fiber.join(offered)
      expect(reads).toEqual([0n])
      expect(directoryJson(readModels.current().directory)).toEqual(folded(events))
    })
  )
})
