/**
 * The fault injector itself (`@service-accounts/testing`'s FaultInjection): what each fault does to the store
 * underneath, that the same seed gives the same faults, that the rates are honoured, and that the service recovers
 * from dropped subscriptions.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  EventStore,
  type EventStoreShape,
  type ProposedEvent,
  SecureRandom,
  ServiceAccounts
} from "@service-accounts/domain"
import { layer as memoryStore, make as makeMemoryStore } from "@service-accounts/store-memory"
import {
  type AppendFault,
  administrator,
  FaultInjector,
  layerWithFaults,
  makeFaultInjector,
  withFaults
} from "@service-accounts/testing"
import { Cause, Chunk, Context, Effect, Exit, Fiber, Layer, Logger, Schedule, Stream, TestClock } from "effect"

const event = (n: number): ProposedEvent => ({
  eventId: `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`,
  type: "Tested",
  data: { n },
  metadata: {}
})

const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? JSON.parse(JSON.stringify(failure.value) ?? "null") : "defect"
}

/** The faults met by `appends` appends on a fresh store with the given seed. */
const faultsFor = (seed: string, appends: number) =>
  Effect.gen(function* () {
    const injector = makeFaultInjector({ seed, rates: { beforeCommit: 0.1, afterCommit: 0.1 } })
    const store = injector.wrap(yield* makeMemoryStore)
    const met: Array<AppendFault> = []
    for (let n = 0; n < appends; n++) {
      const exit = yield* Effect.exit(store.append(`s-${n}`, [event(n)], "any"))
      const error = failureOf(exit)
      met.push(
        error === undefined
          ? "none"
          : typeof error === "object" && error !== null && "unknownOutcome" in error
            ? "afterCommit"
            : "beforeCommit"
      )
    }
    return { met, counts: yield* injector.counts }
  })

describe("FaultInjection", () => {
  it.effect("a failure before commit writes nothing and is retryable", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: 1, rates: {} })
      const store = injector.wrap(inner)
      yield* injector.force({ appends: ["beforeCommit"] })
      const exit = yield* Effect.exit(store.append("s", [event(1)], "no_stream"))
      expect(failureOf(exit)).toMatchObject({ _tag: "EventStoreUnavailable", retryable: true })
      expect(failureOf(exit)).not.toHaveProperty("unknownOutcome")
      expect(yield* Stream.runCount(inner.readAll())).toBe(0)
      // The same append, sent again, goes through.
      expect((yield* store.append("s", [event(1)], "no_stream")).nextExpectedRevision).toBe(0n)
      expect(yield* injector.counts).toMatchObject({ appends: 2, beforeCommit: 1, afterCommit: 0 })
    })
  )

  it.effect("a failure after commit writes, then loses the reply; the same events re-sent are recognised", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: 1, rates: {} })
      const store = injector.wrap(inner)
      yield* store.append("s", [event(0)], "no_stream")
      yield* injector.force({ appends: ["afterCommit"] })
      const exit = yield* Effect.exit(store.append("s", [event(1), event(2)], 0n))
      expect(failureOf(exit)).toMatchObject({ _tag: "EventStoreUnavailable", retryable: true, unknownOutcome: true })
      expect(yield* Stream.runCount(inner.readAll())).toBe(3)
      const resent = yield* store.append("s", [event(1), event(2)], 0n)
      expect(resent.nextExpectedRevision).toBe(2n)
      expect(yield* Stream.runCount(inner.readAll())).toBe(3)
      expect(yield* injector.counts).toMatchObject({ appends: 3, beforeCommit: 0, afterCommit: 1 })
    })
  )

  it.effect("the same seed gives the same faults; another seed, others", () =>
    Effect.gen(function* () {
      const a = yield* faultsFor("seed-a", 300)
      const again = yield* faultsFor("seed-a", 300)
      const b = yield* faultsFor("seed-b", 300)
      expect(again.met).toEqual(a.met)
      expect(b.met).not.toEqual(a.met)
    })
  )

  it.effect("the rates are honoured, and the faults are counted by kind", () =>
    Effect.gen(function* () {
      const { met, counts } = yield* faultsFor("rates", 5_000)
      const before = met.filter((f) => f === "beforeCommit").length
      const after = met.filter((f) => f === "afterCommit").length
      expect(counts).toMatchObject({ appends: 5_000, beforeCommit: before, afterCommit: after })
      expect(before).toBeGreaterThan(400)
      expect(before).toBeLessThan(600)
      expect(after).toBeGreaterThan(400)
      expect(after).toBeLessThan(600)
    })
  )

  it.effect("switched off, it injects nothing but what is forced", () =>
    Effect.gen(function* () {
      const injector = makeFaultInjector({ seed: 3, rates: { beforeCommit: 1 } })
      const store = injector.wrap(yield* makeMemoryStore)
      yield* injector.setEnabled(false)
      yield* store.append("s", [event(1)], "any")
      yield* injector.force({ appends: ["beforeCommit"] })
      expect(failureOf(yield* Effect.exit(store.append("s", [event(2)], "any")))).toMatchObject({
        _tag: "EventStoreUnavailable"
      })
      yield* injector.setEnabled(true)
      expect(Exit.isFailure(yield* Effect.exit(store.append("s", [event(3)], "any")))).toBe(true)
    })
  )

  it.effect("a delayed reply waits on the clock", () =>
    Effect.gen(function* () {
      const injector = makeFaultInjector({ seed: 4, rates: { delay: 1 }, minDelay: "50 millis", maxDelay: "50 millis" })
      const store = injector.wrap(yield* makeMemoryStore)
      const fiber = yield* Effect.fork(store.append("s", [event(1)], "any"))
      yield* TestClock.adjust("49 millis")
      expect(fiber.unsafePoll()).toBeNull()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(fiber)).nextExpectedRevision).toBe(0n)
      expect((yield* injector.counts).delays).toBe(1)
    })
  )

  it.effect("a failed read delivers nothing and is retryable", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      yield* inner.append("s", [event(1)], "any")
      const injector = makeFaultInjector({ seed: 5, rates: {} })
      const store = injector.wrap(inner)
      yield* injector.force({ readFailures: 1 })
      expect(failureOf(yield* Effect.exit(Stream.runCollect(store.readStream("s"))))).toMatchObject({
        _tag: "EventStoreUnavailable",
        retryable: true
      })
      expect(yield* Stream.runCount(store.readStream("s"))).toBe(1)
      expect(yield* injector.counts).toMatchObject({ reads: 2, readFailures: 1 })
    })
  )

  it.effect("a dropped subscription fails part-way with a retryable error", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      for (let n = 0; n < 5; n++) yield* inner.append("s", [event(n)], "any")
      const injector = makeFaultInjector({ seed: 6, rates: {} })
      const store = injector.wrap(inner)
      const first = yield* Stream.runCollect(Stream.take(store.subscribeToAll(), 2))
      expect(Chunk.size(first)).toBe(2)
      yield* injector.force({ subscriptionDrops: 1 })
      const exit = yield* Effect.exit(Stream.runCollect(Stream.take(store.subscribeToAll(), 3)))
      expect(failureOf(exit)).toMatchObject({ _tag: "EventStoreUnavailable", operation: "subscribe", retryable: true })
      expect(yield* injector.counts).toMatchObject({ subscriptions: 2, subscriptionDrops: 1 })
    })
  )

  it.effect("withFaults is a plain EventStoreShape → EventStoreShape", () =>
    Effect.gen(function* () {
      const wrap: (store: EventStoreShape) => EventStoreShape = withFaults({ seed: 7, rates: { beforeCommit: 1 } })
      const store = wrap(yield* makeMemoryStore)
      expect(Exit.isFailure(yield* Effect.exit(store.append("s", [event(1)], "any")))).toBe(true)
    })
  )

  it.effect("layerWithFaults provides the wrapped store and its injector", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const injector = yield* FaultInjector
      yield* injector.force({ appends: ["beforeCommit"] })
      expect(Exit.isFailure(yield* Effect.exit(store.append("s", [event(1)], "any")))).toBe(true)
      expect((yield* injector.counts).beforeCommit).toBe(1)
    }).pipe(Effect.provide(layerWithFaults({ seed: 8, rates: {} })(memoryStore)))
  )

  it.live("the service's read models recover from dropped subscriptions and see another instance's writes", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: 9, rates: { subscriptionDrop: 0.3 } })
      const build = (store: EventStoreShape, seed: string) =>
        Layer.build(
          ServiceAccounts.layer.pipe(
            Layer.provide(Layer.succeed(EventStore, store)),
            Layer.provide(SecureRandom.layerSeeded(seed)),
            Layer.provide(Logger.remove(Logger.defaultLogger))
          )
        ).pipe(Effect.map((context) => Context.get(context, ServiceAccounts)))
      const writer = yield* build(inner, "writer")
      const reader = yield* build(injector.wrap(inner), "reader")
      const acme = administrator("acme")
      const account = yield* writer.create(acme, { name: "shared" })
      const tokens = []
      for (let n = 0; n < 5; n++) {
        tokens.push(yield* writer.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: `t${n}` }))
      }
      // Every token reaches the other instance in the end, however often its subscription was dropped.
      for (const token of tokens) {
        const principal = yield* reader
          .authenticate(token.value)
          .pipe(Effect.retry(Schedule.spaced("20 millis").pipe(Schedule.intersect(Schedule.recurs(500)))))
        expect(principal.tokenId).toBe(token.tokenId)
      }
      expect((yield* injector.counts).subscriptionDrops).toBeGreaterThan(0)
    }).pipe(Effect.scoped)
  )
})
