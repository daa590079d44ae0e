/**
 * Issue 13 on the memory store: two services in runtimes of their own share one store. The memory store holds only
 * JSON, so the unreadable events it can hold are JSON events that do not decode; each, in another application's
 * stream or in another organisation's directory stream, leaves B following the store. And a B whose store stops
 * answering reads and subscriptions refuses every token past the bound, then accepts those nobody revoked.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  directoryStream,
  EventStore,
  type EventStoreShape,
  EventStoreUnavailable,
  type OrganizationId,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Effect, Layer, Stream } from "effect"
import { accepts, type OrganisationWithTokens, organisationWithTokens, serviceRuntime, until } from "./following.js"

const undecodable = () => ({
  eventId: crypto.randomUUID(),
  type: "TokenRevoked",
  data: { serviceAccountId: 42 },
  metadata: {}
})

/** The same store, failing every read of the whole store and every subscription while `cut()` says so. */
const partitionable = (store: EventStoreShape, cut: () => boolean): EventStoreShape => {
  const unavailable = () =>
    new EventStoreUnavailable({ operation: "subscribe", reason: "cut off for the test", retryable: true })
  const guard = <A, E>(stream: Stream.Stream<A, E>): Stream.Stream<A, E | EventStoreUnavailable> =>
    Stream.suspend(
      (): Stream.Stream<A, E | EventStoreUnavailable> => (cut() ? Stream.fail(unavailable()) : stream)
    ).pipe(Stream.mapChunksEffect((chunk) => (cut() ? Effect.fail(unavailable()) : Effect.succeed(chunk))))
  return {
    ...store,
    readAll: (options) => guard(store.readAll(options)),
    subscribeToAll: (options) => guard(store.subscribeToAll(options))
  }
}

/** Services A and B over one memory store; B's view of it can be cut off (`partition.cut`). */
const twoServices = (bOptions: ServiceAccountsOptions) => {
  const shared = Effect.runSync(makeMemoryStore)
  const partition = { cut: false }
  const a = serviceRuntime(Layer.succeed(EventStore, shared), {}, "a")
  const b = serviceRuntime(
    Layer.succeed(
      EventStore,
      partitionable(shared, () => partition.cut)
    ),
    bOptions,
    "b"
  )
  return { shared, a, b, partition, dispose: () => Promise.all([a.dispose(), b.dispose()]) }
}

/** A revokes the first token of the organisation. */
const revokeFirst = (service: ServiceAccountsShape, organisation: OrganisationWithTokens) =>
  service.revokeToken(organisation.caller, {
    serviceAccountId: organisation.account.serviceAccountId,
    tokenId: organisation.first.tokenId
  })

describe("an unreadable stored event, on the memory store (two services sharing it)", () => {
  for (const [where, streamOf] of [
    ["another application's stream", () => `billing-${crypto.randomUUID()}`],
    ["another organisation's directory stream", () => directoryStream("globex" as OrganizationId)]
  ] as const) {
    it(`JSON that does not decode in ${where}: B still refuses a token A revokes afterwards`, async () => {
      const shared = Effect.runSync(makeMemoryStore)
      const store = Layer.succeed(EventStore, shared)
      const a = serviceRuntime(store, {}, "a")
      const b = serviceRuntime(store, {}, "b")
      try {
        const serviceA = await a.runPromise(ServiceAccounts)
        await b.runPromise(ServiceAccounts)
        const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
        const other = await Effect.runPromise(organisationWithTokens(serviceA, "globex"))
        const streamId = streamOf()
        await Effect.runPromise(shared.append(streamId, [undecodable()], "any"))
        await Effect.runPromise(
          serviceA.revokeToken(acme.caller, {
            serviceAccountId: acme.account.serviceAccountId,
            tokenId: acme.first.tokenId
          })
        )
        await until("B refuses the token A revoked", async () => !(await accepts(b, acme.first.value)))
        expect(await accepts(b, acme.second.value)).toBe(true)
        expect(await accepts(b, other.first.value)).toBe(where === "another application's stream")
      } finally {
        await a.dispose()
        await b.dispose()
      }
    })
  }

  it("a store that stops answering past the bound: B refuses every token; back, it accepts those nobody revoked", async () => {
    const { a, b, partition, dispose } = twoServices({
      maxStaleness: "500 millis",
      freshnessCheckInterval: "50 millis"
    })
    try {
      const serviceA = await a.runPromise(ServiceAccounts)
      await b.runPromise(ServiceAccounts)
      const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
      await until("B knows acme's tokens", () => accepts(b, acme.second.value))

      partition.cut = true
      await Effect.runPromise(revokeFirst(serviceA, acme))
      await until("B refuses a token nobody revoked", async () => !(await accepts(b, acme.second.value)))
      expect((await b.runPromise(Effect.flatMap(ServiceAccounts, (service) => service.freshness))).stale).toBe(true)
      expect(await accepts(b, acme.first.value)).toBe(false)

      partition.cut = false
      await until("B accepts the token nobody revoked again", () => accepts(b, acme.second.value))
      await until("B refuses the token A revoked meanwhile", async () => !(await accepts(b, acme.first.value)))
    } finally {
      await dispose()
    }
  })

  it("with stale answers accepted, B goes on answering from what it knows", async () => {
    const { a, b, partition, dispose } = twoServices({ maxStaleness: "unbounded", freshnessCheckInterval: "50 millis" })
    try {
      const serviceA = await a.runPromise(ServiceAccounts)
      const serviceB = await b.runPromise(ServiceAccounts)
      const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
      await until("B knows acme's tokens", () => accepts(b, acme.second.value))
      partition.cut = true
      await Effect.runPromise(revokeFirst(serviceA, acme))
      // Wait until B knows it is behind by more than it would have allowed by default.
      await until(
        "B reports itself behind",
        async () => (await Effect.runPromise(serviceB.freshness)).behindMillis > 300
      )
      const freshness = await Effect.runPromise(serviceB.freshness)
      expect(freshness.stale).toBe(false)
      expect(freshness.maxStalenessMillis).toBeUndefined()
      expect(await accepts(b, acme.second.value)).toBe(true)
      // The trade-off chosen: the token A revoked is still accepted here until B hears of it.
      expect(await accepts(b, acme.first.value)).toBe(true)
    } finally {
      await dispose()
    }
  })
})
