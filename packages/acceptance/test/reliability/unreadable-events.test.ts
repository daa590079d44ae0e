/**
 * Issue 13: one unreadable stored event must not make another process accept revoked tokens.
 *
 * Two services (A and B) in runtimes of their own, each with its own EventStoreDB client, on one test server. An
 * event that B's adapter cannot read (data that is not JSON, metadata that is not a JSON object) or that B's read
 * models cannot decode lands in another application's stream or in another organisation's directory stream while B
 * is following the store; then A revokes a token. B must refuse it — and go on accepting the tokens nobody revoked.
 * Before the fix, B's subscription ended at the unreadable event and B accepted the revoked token for good.
 *
 * Then the bound: B is cut off the store (a TCP proxy between B and the server drops every connection and refuses
 * new ones). Past `maxStaleness`, B refuses every token; once the proxy lets B through again, B accepts the tokens
 * nobody revoked and refuses the one A revoked meanwhile.
 */
import { binaryEvent, EventStoreDBClient, jsonEvent } from "@eventstore/db-client"
import { describe, expect, it } from "@effect/vitest"
import { directoryStream, type OrganizationId, ServiceAccounts } from "@service-accounts/domain"
import { start as startTestServer } from "@service-accounts/eventstoredb-test-server"
import { layer as eventStoreDbLayer } from "@service-accounts/store-eventstoredb"
import { Effect } from "effect"
import { accepts, organisationWithTokens, serviceRuntime, startProxy, until } from "./following.js"

type Plant = (client: EventStoreDBClient, streamId: string) => Promise<unknown>

const unreadable: ReadonlyArray<readonly [string, Plant]> = [
  [
    "data that is not JSON",
    (client, streamId) =>
      client.appendToStream(streamId, binaryEvent({ type: "OpaqueBytes", data: new Uint8Array([0xff, 0x00, 0x1b]) }))
  ],
  [
    "metadata that is not a JSON object",
    (client, streamId) =>
      client.appendToStream(streamId, jsonEvent({ type: "TokenRevoked", data: { nothing: true }, metadata: [1, 2] }))
  ],
  [
    "JSON data that does not decode",
    (client, streamId) =>
      client.appendToStream(streamId, jsonEvent({ type: "TokenRevoked", data: { serviceAccountId: 42 } }))
  ]
]

const places: ReadonlyArray<readonly [string, (organizationId: string) => string]> = [
  ["another application's stream", () => `billing-${crypto.randomUUID()}`],
  ["another organisation's directory stream", (organizationId) => directoryStream(organizationId as OrganizationId)]
]

const withServer = async <A>(use: (connectionString: string, port: number) => Promise<A>): Promise<A> => {
  const server = await startTestServer()
  try {
    return await use(server.connectionString, server.port)
  } finally {
    await server.close()
  }
}

describe("an unreadable stored event, over EventStoreDB (two services, each with its own client)", () => {
  for (const [what, plant] of unreadable) {
    for (const [where, streamOf] of places) {
      it(`${what} in ${where}: B still refuses a token A revokes afterwards`, () =>
        withServer(async (connectionString) => {
          const store = eventStoreDbLayer({ connectionString })
          const a = serviceRuntime(store, {}, "a")
          const b = serviceRuntime(store, {}, "b")
          const client = EventStoreDBClient.connectionString(connectionString)
          try {
            const serviceA = await a.runPromise(ServiceAccounts)
            await b.runPromise(ServiceAccounts)
            const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
            const other = await Effect.runPromise(organisationWithTokens(serviceA, "globex"))
            await until(
              "B knows acme's and globex's tokens",
              async () => (await accepts(b, acme.second.value)) && (await accepts(b, other.first.value))
            )

            await plant(client, streamOf("globex"))
            await Effect.runPromise(
              serviceA.revokeToken(acme.caller, {
                serviceAccountId: acme.account.serviceAccountId,
                tokenId: acme.first.tokenId
              })
            )

            await until("B refuses the token A revoked", async () => !(await accepts(b, acme.first.value)))
            expect(await accepts(b, acme.second.value)).toBe(true)
            if (where === "another organisation's directory stream") {
              // That organisation's history is unreadable: its tokens fail closed, in both processes.
              await until("B refuses globex's tokens", async () => !(await accepts(b, other.first.value)))
              await until("A refuses globex's tokens", async () => !(await accepts(a, other.first.value)))
            } else {
              expect(await accepts(b, other.first.value)).toBe(true)
            }
            const freshness = await b.runPromise(Effect.flatMap(ServiceAccounts, (service) => service.freshness))
            expect(freshness.stale).toBe(false)
            expect(freshness.quarantined).toStrictEqual(
              where === "another organisation's directory stream" ? [directoryStream("globex" as OrganizationId)] : []
            )
          } finally {
            await client.dispose()
            await a.dispose()
            await b.dispose()
          }
        }))
    }
  }

  it("a service started after an unreadable event of another application follows the store past it", () =>
    withServer(async (connectionString) => {
      const store = eventStoreDbLayer({ connectionString })
      const a = serviceRuntime(store, {}, "a")
      const client = EventStoreDBClient.connectionString(connectionString)
      try {
        const serviceA = await a.runPromise(ServiceAccounts)
        const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
        await client.appendToStream(
          "billing-1",
          binaryEvent({ type: "OpaqueBytes", data: new Uint8Array([0xff, 0x00]) })
        )
        const b = serviceRuntime(store, {}, "b")
        try {
          await b.runPromise(ServiceAccounts)
          expect(await accepts(b, acme.second.value)).toBe(true)
          await Effect.runPromise(
            serviceA.revokeToken(acme.caller, {
              serviceAccountId: acme.account.serviceAccountId,
              tokenId: acme.second.tokenId
            })
          )
          await until("B refuses the token A revoked", async () => !(await accepts(b, acme.second.value)))
          expect(await accepts(b, acme.first.value)).toBe(true)
        } finally {
          await b.dispose()
        }
      } finally {
        await client.dispose()
        await a.dispose()
      }
    }))

  it("cut off the store past the bound, B refuses every token; back, it accepts those nobody revoked", () =>
    withServer(async (connectionString, port) => {
      const proxy = await startProxy(port)
      const a = serviceRuntime(eventStoreDbLayer({ connectionString }), {}, "a")
      const b = serviceRuntime(
        eventStoreDbLayer({ connectionString: `esdb://127.0.0.1:${proxy.port}?tls=false` }),
        { maxStaleness: "1 second", freshnessCheckInterval: "100 millis" },
        "b"
      )
      try {
        const serviceA = await a.runPromise(ServiceAccounts)
        await b.runPromise(ServiceAccounts)
        const acme = await Effect.runPromise(organisationWithTokens(serviceA, "acme"))
        await until("B knows acme's tokens", () => accepts(b, acme.second.value))

        proxy.cut()
        await Effect.runPromise(
          serviceA.revokeToken(acme.caller, {
            serviceAccountId: acme.account.serviceAccountId,
            tokenId: acme.first.tokenId
          })
        )
        await until(
          "B refuses a token nobody revoked (its read models are past the bound)",
          async () => !(await accepts(b, acme.second.value))
        )
        const stale = await b.runPromise(Effect.flatMap(ServiceAccounts, (service) => service.freshness))
        expect(stale.stale).toBe(true)
        expect(stale.behindMillis).toBeGreaterThan(1000)
        expect(await accepts(b, acme.first.value)).toBe(false)

        proxy.heal()
        await until("B accepts the token nobody revoked again", () => accepts(b, acme.second.value))
        await until(
          "B refuses the token A revoked while B was cut off",
          async () => !(await accepts(b, acme.first.value))
        )
        expect(await accepts(a, acme.second.value)).toBe(true)
      } finally {
        await a.dispose()
        await b.dispose()
        await proxy.close()
      }
    }))
})
