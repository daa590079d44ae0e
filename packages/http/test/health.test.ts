/**
 * `/healthz` and `/readyz`: a service started in the background is live at once, not ready (503, saying why) while its
 * read models catch up with the store, and ready (200) once they have; a service that stops hearing from the store
 * is not ready past `maxStaleness`, and ready again once it hears.
 */
import { describe, expect, it } from "@effect/vitest"
import type { EventStoreShape } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Deferred, Effect, Stream } from "effect"
import { startServer } from "./support/server.js"

/** Asks `url` until `check` holds of the answer; the limit only turns a hang into a failure. */
const until = async (url: string, check: (status: number) => boolean) => {
  for (let i = 0; i < 3000; i++) {
    const response = await fetch(url)
    if (check(response.status)) return { status: response.status, json: await response.json() }
    await response.body?.cancel()
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`${url} never answered as expected`)
}

describe("the health checks", () => {
  it("live at once; ready only once the read models have caught up with the store", async () => {
    const store = Effect.runSync(makeMemoryStore)
    // The store holds the subscription back until the test lets it go.
    const release = Effect.runSync(Deferred.make<void>())
    const held: EventStoreShape = {
      ...store,
      subscribeToAll: (options) => Stream.unwrap(Effect.as(Deferred.await(release), store.subscribeToAll(options)))
    }
    const server = await startServer({ store: held, service: { startup: "background" } })
    try {
      const live = await fetch(`${server.url}/healthz`)
      expect(live.status).toBe(200)
      expect(await live.json()).toEqual({ status: "live" })
      expect(live.headers.get("cache-control")).toBe("no-store")

      const notReady = await fetch(`${server.url}/readyz`)
      expect(notReady.status).toBe(503)
      expect(notReady.headers.get("cache-control")).toBe("no-store")
      // (`stale` says whether the bound has passed meanwhile too: not asked here, it depends on the clock.)
      expect(await notReady.json()).toMatchObject({
        _tag: "NotReady",
        message: "the service is still catching up with the event store",
        ready: false,
        caughtUp: false
      })

      await Effect.runPromise(Deferred.succeed(release, undefined))
      const ready = await until(`${server.url}/readyz`, (status) => status !== 503)
      expect(ready).toEqual({ status: 200, json: { ready: true, caughtUp: true, stale: false } })
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })

  it("not ready once the service has not heard from the store for maxStaleness; ready again after", async () => {
    const store = Effect.runSync(makeMemoryStore)
    // Once `hold` is set, the store leaves the service's probes of its last position unanswered until the test lets
    // them go: nothing confirms the read models up to date any more.
    let hold = false
    const release = Effect.runSync(Deferred.make<void>())
    const silent: EventStoreShape = {
      ...store,
      readAll: (options) =>
        Stream.unwrap(
          Effect.sync(() =>
            hold && options?.direction === "backwards"
              ? Stream.unwrap(Effect.as(Deferred.await(release), store.readAll(options)))
              : store.readAll(options)
          )
        )
    }
    const server = await startServer({ store: silent, service: { maxStaleness: "300 millis" } })
    try {
      // (Waited for, not asked once: on a busy machine even the first probes may come late.)
      await until(`${server.url}/readyz`, (status) => status === 200)
      hold = true
      const stale = await until(`${server.url}/readyz`, (status) => status === 503)
      expect(stale.json).toEqual({
        _tag: "NotReady",
        message: "the service has not heard from the event store for too long",
        ready: false,
        caughtUp: true,
        stale: true
      })
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)

      hold = false
      await Effect.runPromise(Deferred.succeed(release, undefined))
      const ready = await until(`${server.url}/readyz`, (status) => status === 200)
      expect(ready.json).toEqual({ ready: true, caughtUp: true, stale: false })
    } finally {
      await server.close()
    }
  })
})
