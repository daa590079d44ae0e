/**
 * The service's life: started in the background it reports itself not ready, and refuses every token, until its
 * read models have caught up with the store; closing its layer lets the commands in flight finish (and refuses new
 * ones) before the store goes.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  EventStore,
  type EventStoreShape,
  ServiceAccounts,
  type ServiceAccountsOptions
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Deferred, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Stream } from "effect"

/** A service over `store`, in a runtime of its own; its log lines (debug and up) go to `lines` when given. */
const serviceOn = (store: EventStoreShape, options: ServiceAccountsOptions = {}, lines?: Array<string>) =>
  ManagedRuntime.make(
    ServiceAccounts.layerWith(options).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(
        lines === undefined
          ? Logger.minimumLogLevel(LogLevel.Error)
          : Layer.merge(
              Logger.replace(
                Logger.defaultLogger,
                Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
              ),
              Logger.minimumLogLevel(LogLevel.Debug)
            )
      )
    )
  )

/** Waits until `check` holds, looking again every 10 ms; the limit only turns a hang into a failure. */
const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("never happened")
}

const acme = administrator("acme")

describe("the service's life", () => {
  it("started in the background, it is not ready and refuses every token until it has caught up", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const first = serviceOn(store)
    const token = await first.runPromise(
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "ci" })
        return yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" })
      })
    )
    await first.dispose()

    // The store holds the subscription back until the test lets it go.
    const release = Effect.runSync(Deferred.make<void>())
    const slow: EventStoreShape = {
      ...store,
      subscribeToAll: (options) => Stream.unwrap(Effect.as(Deferred.await(release), store.subscribeToAll(options)))
    }
    const second = serviceOn(slow, { startup: "background" })
    try {
      const service = await second.runPromise(ServiceAccounts)
      const before = await Effect.runPromise(service.readiness)
      expect(before).toMatchObject({ ready: false, caughtUp: false })
      expect(Exit.isFailure(await Effect.runPromiseExit(service.authenticate(token.value)))).toBe(true)
      await Effect.runPromise(Deferred.succeed(release, undefined))
      await until(async () => (await Effect.runPromise(service.readiness)).ready)
      expect(await Effect.runPromise(service.readiness)).toMatchObject({ ready: true, caughtUp: true, stale: false })
      expect((await Effect.runPromise(service.authenticate(token.value))).tokenId).toBe(token.tokenId)
    } finally {
      await second.dispose()
    }
  })

  it("closing lets the commands in flight finish, and refuses new ones meanwhile", async () => {
    const store = Effect.runSync(makeMemoryStore)
    // Appends wait for the test while `hold` is set.
    let hold = false
    const gate = Effect.runSync(Deferred.make<void>())
    const held: EventStoreShape = {
      ...store,
      append: (streamId, events, expected) =>
        Effect.suspend(() =>
          hold
            ? Effect.zipRight(Deferred.await(gate), store.append(streamId, events, expected))
            : store.append(streamId, events, expected)
        )
    }
    const lines: Array<string> = []
    const runtime = serviceOn(held, {}, lines)
    const service = await runtime.runPromise(ServiceAccounts)
    hold = true
    const inFlight = Effect.runPromise(service.create(acme, { name: "in-flight" }))
    await until(async () => (await Effect.runPromise(service.readiness)).commandsInFlight === 1)

    let closed = false
    const closing = runtime.dispose().then(() => {
      closed = true
    })
    // Closing has begun and waits for the command in flight (it says so); new commands are refused at once
    // (retryable: elsewhere, or later), and nothing of theirs is appended.
    await until(async () => lines.some((line) => line.includes("waiting for the commands in flight")))
    const refused = await Effect.runPromiseExit(service.create(acme, { name: "too-late" }))
    expect(Exit.isFailure(refused) && JSON.stringify(refused.cause)).toContain("the service is shutting down")
    expect(closed).toBe(false)

    await Effect.runPromise(Deferred.succeed(gate, undefined))
    const created = await inFlight
    await closing
    expect(closed).toBe(true)
    const stored = await Effect.runPromise(Stream.runCollect(store.readStream("serviceAccountDirectory-acme")))
    expect(Array.from(stored, (event) => (event.data as { readonly name?: string }).name)).toEqual(["in-flight"])
    expect(created.name).toBe("in-flight")
  })
})
