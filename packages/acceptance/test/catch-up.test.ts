/**
 * Read-your-writes across processes (`ServiceAccounts.catchUp`): process B, whose subscription has not yet delivered
 * a revocation made through process A, waits in `catchUp` until it has; once `catchUp` returns, B refuses the token.
 * Two services with runtimes of their own stand for the two processes, over one store whose subscriptions the test
 * holds back.
 */
import { describe, expect, it } from "@effect/vitest"
import { type EventStoreShape, ServiceAccounts } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Deferred, Effect, Exit, Fiber, Option, Stream } from "effect"
import { quietly, serviceOn, twoProcesses } from "./support.js"

/** Waits until `check` holds, looking again every 10 ms; the limit only turns a hang into a failure. */
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("never happened")
}

/**
 * The store as B sees it: while `held`, its subscriptions deliver nothing (messages wait at the gate, in order), as a
 * subscription a moment behind would; `reads` counts reads of the whole store (how `catchUp` learns the last position).
 */
const heldBack = (store: EventStoreShape) => {
  const gate = Effect.runSync(Effect.makeLatch(true))
  const counts = { reads: 0 }
  const shape: EventStoreShape = {
    ...store,
    subscribeToAll: (options) => Stream.tap(store.subscribeToAll(options), () => gate.await),
    readAll: (options) =>
      Stream.ensuring(
        store.readAll(options),
        Effect.sync(() => {
          counts.reads++
        })
      )
  }
  return { shape, gate, counts }
}

const acme = administrator("acme")

describe("catching up with the store (read-your-writes across processes)", () => {
  it("waits until the other process's revocation is in the read models, then the token is refused", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const b = heldBack(store)
    await twoProcesses(store, b.shape, async (a, bService) => {
      const account = await quietly(a.create(acme, { name: "ci" }))
      const token = await quietly(a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" }))
      await until(async () => Exit.isSuccess(await Effect.runPromiseExit(bService.authenticate(token.value))))

      // B's subscription is held back: A's revocation is in the store, not yet in B's read models.
      await Effect.runPromise(b.gate.close)
      await quietly(a.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId }))
      expect(Exit.isSuccess(await Effect.runPromiseExit(bService.authenticate(token.value)))).toBe(true)

      const reads = b.counts.reads
      const waiting = Effect.runFork(bService.catchUp)
      // Once it has read the store's last position it can only wait: the revocation has not reached B.
      await until(async () => b.counts.reads > reads)
      expect(Option.isNone(await Effect.runPromise(Fiber.poll(waiting)))).toBe(true)
      expect(Exit.isSuccess(await Effect.runPromiseExit(bService.authenticate(token.value)))).toBe(true)

      await Effect.runPromise(b.gate.open)
      expect(Exit.isSuccess(await Effect.runPromise(Fiber.await(waiting)))).toBe(true)
      // No polling: the moment catchUp returns, the revocation is in B's read models.
      expect(Exit.isFailure(await Effect.runPromiseExit(bService.authenticate(token.value)))).toBe(true)
      expect((await Effect.runPromise(bService.get(acme, account.serviceAccountId))).tokens[0]?.status).toBe("revoked")
    })
  })

  it("returns at once when the read models hold everything already, and on an empty store", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const b = heldBack(store)
    const empty = serviceOn(b.shape)
    try {
      const service = await empty.runPromise(ServiceAccounts)
      await Effect.runPromise(b.gate.close)
      await Effect.runPromise(service.catchUp)
      await Effect.runPromise(b.gate.open)
      const account = await quietly(service.create(acme, { name: "ci" }))
      // Its own write: the subscription also delivers it, then nothing is left to wait for, gate closed or not.
      await Effect.runPromise(service.catchUp)
      await Effect.runPromise(b.gate.close)
      await Effect.runPromise(service.catchUp)
      expect((await Effect.runPromise(service.list(acme))).accounts.map((a) => a.serviceAccountId)).toEqual([
        account.serviceAccountId
      ])
    } finally {
      await Effect.runPromise(b.gate.open)
      await empty.dispose()
    }
  })

  it("a caller that gives up leaves later calls working", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const b = heldBack(store)
    const first = serviceOn(store)
    const second = serviceOn(b.shape)
    try {
      const [a, bService] = [await first.runPromise(ServiceAccounts), await second.runPromise(ServiceAccounts)]
      await Effect.runPromise(b.gate.close)
      await quietly(a.create(acme, { name: "ci" }))
      const reads = b.counts.reads
      const done = Effect.runSync(Deferred.make<void>())
      const gaveUp = Effect.runFork(
        bService.catchUp.pipe(Effect.raceFirst(Deferred.await(done)), Effect.as("gave up" as const))
      )
      await until(async () => b.counts.reads > reads)
      await Effect.runPromise(Deferred.succeed(done, undefined))
      expect(await Effect.runPromise(Fiber.join(gaveUp))).toBe("gave up")
      await Effect.runPromise(b.gate.open)
      await Effect.runPromise(bService.catchUp)
      expect((await Effect.runPromise(bService.list(acme))).accounts).toHaveLength(1)
    } finally {
      await Effect.runPromise(b.gate.open)
      await second.dispose()
      await first.dispose()
    }
  })
})
