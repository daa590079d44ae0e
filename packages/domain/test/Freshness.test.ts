/**
 * The freshness of the read models, on the test clock: confirmed by a probe whose head the follower has reached (at
 * once or later), never by an unanswered probe; the gate closes past the bound and opens at the next confirmation;
 * with no bound it never closes.
 */
import { describe, expect, it } from "@effect/vitest"
import { Duration, Effect, Stream, TestClock } from "effect"
import { EventStoreUnavailable, type EventStoreShape, type RecordedEvent } from "../src/index.js"
import { type Freshness, freshnessOptions, makeFreshness } from "../src/service/freshness.js"

/** A store whose only use here is the probe: the last event is at `head.position`, or the read fails. */
const probedStore = (head: { position: bigint | undefined | "unavailable" }): EventStoreShape => {
  const event = (position: bigint): RecordedEvent => ({
    streamId: "s",
    revision: 0n,
    position,
    eventId: "00000000-0000-4000-8000-000000000000",
    type: "T",
    data: {},
    metadata: {},
    recordedAt: new Date(0)
  })
  const unused = () => {
    throw new Error("not used by the probe")
  }
  return {
    append: unused,
    readStream: unused,
    subscribeToStream: unused,
    subscribeToAll: unused,
    tombstone: unused,
    readAll: () =>
      Stream.suspend(() =>
        head.position === "unavailable"
          ? Stream.fail(new EventStoreUnavailable({ operation: "read", reason: "down", retryable: true }))
          : head.position === undefined
            ? Stream.empty
            : Stream.make(event(head.position))
      )
  }
}

const options = { maxStaleness: "1 second", freshnessCheckInterval: "100 millis" } as const

/** Starts watching, and returns the freshness with the fiber (interrupted with the test's scope). */
const watched = (store: EventStoreShape, opts: Parameters<typeof freshnessOptions>[0] = options) =>
  Effect.gen(function* () {
    const freshness: Freshness = yield* makeFreshness(store, freshnessOptions(opts))
    // Closed until the read models have caught up once: here, as the test starts.
    expect(freshness.gate.stale).toBe(true)
    yield* freshness.caughtUp(0)
    expect(freshness.gate.stale).toBe(false)
    yield* Effect.forkScoped(freshness.watch)
    return freshness
  })

describe("read models' freshness", () => {
  it.scoped("the gate stays closed until the read models have caught up once, whatever the probes say", () =>
    Effect.gen(function* () {
      const freshness = yield* makeFreshness(
        probedStore({ position: undefined }),
        freshnessOptions({ maxStaleness: "unbounded", freshnessCheckInterval: "1 second" })
      )
      yield* Effect.forkScoped(freshness.watch)
      yield* TestClock.adjust("5 seconds")
      expect(freshness.gate.stale).toBe(true)
      expect(freshness.hasCaughtUp()).toBe(false)
      yield* freshness.caughtUp(5000)
      expect(freshness.gate.stale).toBe(false)
    })
  )

  it.scoped("a store nobody writes to confirms the read models at every probe, however long", () =>
    Effect.gen(function* () {
      const freshness = yield* watched(probedStore({ position: undefined }), {
        maxStaleness: "2 seconds",
        freshnessCheckInterval: "1 second"
      })
      // Each probe (one a second) finds nothing to catch up with; the test clock steps through them one by one.
      yield* TestClock.adjust("30 seconds")
      expect(freshness.gate.stale).toBe(false)
      expect((yield* freshness.status([])).behindMillis).toBeLessThanOrEqual(1000)
    })
  )

  it.scoped("a store that does not answer closes the gate past the bound, and a confirmation opens it", () =>
    Effect.gen(function* () {
      const head: { position: bigint | undefined | "unavailable" } = { position: "unavailable" }
      const freshness = yield* watched(probedStore(head))
      yield* TestClock.adjust("900 millis")
      expect(freshness.gate.stale).toBe(false)
      yield* TestClock.adjust("300 millis")
      expect(freshness.gate.stale).toBe(true)
      const status = yield* freshness.status(["serviceAccountDirectory-x"])
      expect(status).toMatchObject({
        stale: true,
        maxStalenessMillis: 1000,
        quarantined: ["serviceAccountDirectory-x"]
      })
      // The store answers again, with a head the follower has handled already.
      yield* freshness.reached(7n)
      head.position = 7n
      yield* TestClock.adjust("100 millis")
      expect(freshness.gate.stale).toBe(false)
    })
  )

  it.scoped("a probe ahead of the follower confirms only once the follower reaches its head", () =>
    Effect.gen(function* () {
      const head: { position: bigint | undefined | "unavailable" } = { position: 10n }
      const freshness = yield* watched(probedStore(head))
      yield* freshness.reached(3n)
      // Probes at 100 ms … 1.2 s all see head 10, which the follower has not reached: the gate closes.
      yield* TestClock.adjust("1200 millis")
      expect(freshness.gate.stale).toBe(true)
      head.position = "unavailable"
      yield* freshness.reached(9n)
      expect(freshness.gate.stale).toBe(true)
      // Reaching 10 confirms the newest probe that saw 10 (made at 1.2 s): fresh again, as of then.
      yield* freshness.reached(10n)
      expect(freshness.gate.stale).toBe(false)
      expect((yield* freshness.status([])).confirmedAt.getTime()).toBe(1200)
    })
  )

  it.scoped("a CaughtUp confirms as of the moment the subscription was opened", () =>
    Effect.gen(function* () {
      const freshness = yield* watched(probedStore({ position: "unavailable" }))
      yield* TestClock.adjust("2 seconds")
      expect(freshness.gate.stale).toBe(true)
      yield* freshness.confirm(1900)
      expect(freshness.gate.stale).toBe(false)
      // An older confirmation never moves the time back.
      yield* freshness.confirm(500)
      expect((yield* freshness.status([])).confirmedAt.getTime()).toBe(1900)
    })
  )

  it.scoped("with stale answers accepted the gate never closes, though the lag is still reported", () =>
    Effect.gen(function* () {
      const freshness = yield* watched(probedStore({ position: "unavailable" }), {
        maxStaleness: "unbounded",
        freshnessCheckInterval: "1 second"
      })
      yield* TestClock.adjust("30 seconds")
      expect(freshness.gate.stale).toBe(false)
      const status = yield* freshness.status([])
      expect(status.maxStalenessMillis).toBeUndefined()
      expect(status.behindMillis).toBe(Duration.toMillis("30 seconds"))
    })
  )

  it("the check interval defaults to a quarter of the bound, at most 2.5 s, and never exceeds half the bound", () => {
    expect(Duration.toMillis(freshnessOptions({}).checkInterval)).toBe(2500)
    expect(Duration.toMillis(freshnessOptions({ maxStaleness: "2 seconds" }).checkInterval)).toBe(500)
    const tooSlow = freshnessOptions({ maxStaleness: "1 second", freshnessCheckInterval: "5 seconds" })
    expect(Duration.toMillis(tooSlow.checkInterval)).toBe(500)
    expect(freshnessOptions({ maxStaleness: "unbounded" }).maxStaleness).toBeUndefined()
  })
})
