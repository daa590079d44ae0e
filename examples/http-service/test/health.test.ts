/**
 * The example serves `/healthz` (live) and `/readyz` (ready: the service's readiness): started in the background
 * over a store that holds its subscription back, it is live and not ready; once the store lets go, ready.
 */
import { describe, expect, it } from "@effect/vitest"
import { EventStore, type EventStoreShape } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Deferred, Effect, Layer, Stream } from "effect"
import { startServer } from "./testServer.js"

describe("/healthz and /readyz", () => {
  it("answer live at once, ready once the service has caught up with the store", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const release = Effect.runSync(Deferred.make<void>())
    const held: EventStoreShape = {
      ...store,
      subscribeToAll: (options) => Stream.unwrap(Effect.as(Deferred.await(release), store.subscribeToAll(options)))
    }
    const server = await startServer(Layer.succeed(EventStore, held), { service: { startup: "background" } })
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
      const notReady = await fetch(`${server.url}/readyz`)
      expect(notReady.status).toBe(503)
      expect(await notReady.json()).toMatchObject({ _tag: "NotReady", ready: false, caughtUp: false })

      await Effect.runPromise(Deferred.succeed(release, undefined))
      let status = 503
      // Asked again until it changes; the limit only turns a hang into a failure.
      for (let i = 0; i < 3000 && status === 503; i++) {
        status = (await fetch(`${server.url}/readyz`)).status
        if (status === 503) await new Promise((resolve) => setTimeout(resolve, 10))
      }
      expect(status).toBe(200)
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200)
    } finally {
      await server.close()
    }
  })
})
