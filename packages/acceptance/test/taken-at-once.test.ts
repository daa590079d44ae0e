/**
 * Another process's events taken in the step the store hands them over (`SubscriptionTaker`, ADR 0016): the service
 * following the whole store applies a revocation made elsewhere before any fiber runs, so `authenticate` refuses the
 * token in the very next synchronous call; what needs an effect (here, a caller of `catchUp` to release) is declined
 * and comes through the pull, which handles it as before.
 *
 * Process A is a service over a memory store; process B is a service over the same store seen through a stand-in for
 * a client: its subscription delivers the history, then only what the test hands over, to B's taker when B waits.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type EventStoreShape,
  type RecordedEvent,
  SubscriptionMessage,
  type SubscriptionPull,
  type SubscriptionTaker,
  subscriptionFromPull
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Chunk, Effect, Exit, Fiber, Option, Queue, Stream } from "effect"
import { quietly, twoProcesses } from "./support.js"

/**
 * The store as B sees it. A subscription to the whole store delivers what the store holds when it is opened, then
 * `CaughtUp`, then only the events `handOver` is given: to the taker while the subscriber waits in a pull and nothing
 * declined is still on its way, otherwise through the pull.
 */
const handedOver = (store: EventStoreShape) => {
  const counts = { reads: 0 }
  let taker: SubscriptionTaker | undefined
  let waits = false
  let delivered: bigint | undefined
  const queue = Effect.runSync(Queue.unbounded<RecordedEvent>())

  const open = (from: "start" | "end" | bigint | undefined, take: SubscriptionTaker | undefined): SubscriptionPull =>
    Effect.gen(function* () {
      taker = take
      const start = typeof from === "bigint" ? from + 1n : "start"
      const history = yield* Stream.runCollect(store.readAll({ from: start })).pipe(Effect.orDie)
      delivered = Chunk.last(history).pipe(
        Option.map((event) => event.position),
        Option.getOrUndefined
      )
      let first = true
      return Effect.suspend(() => {
        if (first) {
          first = false
          return Effect.succeed(
            Chunk.append(Chunk.map(history, SubscriptionMessage.event), SubscriptionMessage.caughtUp)
          )
        }
        waits = true
        return Effect.map(Queue.take(queue), (event) => {
          waits = false
          return Chunk.of(SubscriptionMessage.event(event))
        })
      })
    })

  const shape: EventStoreShape = {
    ...store,
    subscribeToAll: (options) =>
      subscriptionFromPull(open(options?.from, undefined), (take) => open(options?.from, take)),
    readAll: (options) =>
      Stream.ensuring(
        store.readAll(options),
        Effect.sync(() => {
          counts.reads++
        })
      )
  }

  /** Hands the store's events after the last one handed over to the subscriber; how each one went. */
  const handOver = (): Array<"taken" | "pulled"> => {
    const from = delivered === undefined ? "start" : delivered + 1n
    const events = Chunk.toReadonlyArray(Effect.runSync(Stream.runCollect(store.readAll({ from }))))
    return events.map((event) => {
      delivered = event.position
      if (waits && taker?.(event) === true) return "taken"
      // Declined: the pull delivers it, and the taker gets nothing more until it has.
      waits = false
      Queue.unsafeOffer(queue, event)
      return "pulled"
    })
  }
  return { shape, counts, handOver, taking: () => taker !== undefined, waits: () => waits }
}

const acme = administrator("acme")

/** Turns of the event loop until `check` holds: each turn lets the fibers that can run do so. */
const until = async (check: () => boolean) => {
  for (let i = 0; i < 100_000; i++) {
    if (check()) return
    await new Promise((resolve) => setImmediate(resolve))
  }
  throw new Error("never happened")
}

describe("another process's events, taken at once", () => {
  it("a revocation made elsewhere is refused in the step the store hands it over", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const b = handedOver(store)
    await twoProcesses(store, b.shape, async (a, bService) => {
      expect(b.taking()).toBe(true)
      const account = await quietly(a.create(acme, { name: "ci" }))
      const token = await quietly(a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" }))
      // B's follower waits in its pull once it has handled the history: then events go to its taker.
      await until(b.waits)
      expect(b.handOver()).toEqual(["taken", "taken"])
      const accepted = Effect.runSyncExit(bService.authenticate(token.value))
      expect(Exit.isSuccess(accepted)).toBe(true)

      await quietly(a.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId }))
      expect(Exit.isSuccess(Effect.runSyncExit(bService.authenticate(token.value)))).toBe(true)
      expect(b.handOver()).toEqual(["taken"])
      // No await in between: the revocation is in B's read models in the step that handed it over.
      expect(Exit.isFailure(Effect.runSyncExit(bService.authenticate(token.value)))).toBe(true)
      const last = Effect.runSync(
        Stream.runCollect(store.readAll({ from: "end", direction: "backwards", maxCount: 1 }))
      )
      expect((await Effect.runPromise(bService.freshness)).position).toBe(
        Option.getOrUndefined(Chunk.head(last))?.position
      )
    })
  })

  it("an event the follower needs an effect for is declined, and the pull delivers it", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const b = handedOver(store)
    await twoProcesses(store, b.shape, async (a, bService) => {
      const account = await quietly(a.create(acme, { name: "ci" }))
      const token = await quietly(a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" }))
      await until(b.waits)
      expect(b.handOver()).toEqual(["taken", "taken"])
      await quietly(a.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId }))

      // A caller of catchUp waits for the revocation's position: releasing it takes an effect, so the event is
      // declined and handled by the follower's fiber, which releases the caller.
      const reads = b.counts.reads
      const waiting = Effect.runFork(bService.catchUp)
      await until(() => b.counts.reads > reads)
      await until(() => Option.isNone(Effect.runSync(Fiber.poll(waiting))))
      expect(b.handOver()).toEqual(["pulled"])
      expect(Exit.isSuccess(await Effect.runPromise(Fiber.await(waiting)))).toBe(true)
      expect(Exit.isFailure(Effect.runSyncExit(bService.authenticate(token.value)))).toBe(true)

      // Nobody waits any more: the next event is taken again.
      await quietly(a.delete(acme, { serviceAccountId: account.serviceAccountId }))
      await until(b.waits)
      expect(b.handOver()).toEqual(["taken"])
      expect((await Effect.runPromise(bService.list(acme))).accounts).toEqual([])
    })
  })
})
