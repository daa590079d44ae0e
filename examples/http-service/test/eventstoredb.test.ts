/**
 * With `EVENTSTORE_CONNECTION_STRING` set, the example keeps its data in EventStoreDB. Here the connection string
 * points at the in-process test server (`@service-accounts/eventstoredb-test-server`), which speaks the real
 * server's gRPC protocol; the same code runs against a real EventStoreDB.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { type RunningTestServer, start } from "@service-accounts/eventstoredb-test-server"
import { ConfigProvider, Effect, Layer, Schema } from "effect"
import * as Store from "../src/Store.js"
import { client, type RunningServer, startServer } from "./testServer.js"

let eventStoreDB: RunningTestServer
let server: RunningServer

beforeAll(async () => {
  eventStoreDB = await start()
  const chosen = await Effect.runPromise(
    Store.fromConfig.pipe(
      Effect.withConfigProvider(
        ConfigProvider.fromMap(new Map([["EVENTSTORE_CONNECTION_STRING", eventStoreDB.connectionString]]))
      )
    )
  )
  expect(chosen.description).toContain("EventStoreDB")
  expect(chosen.description).not.toContain(eventStoreDB.connectionString)
  server = await startServer(chosen.layer)
})

afterAll(async () => {
  await server?.close()
  await eventStoreDB?.close()
})

describe("the example on EventStoreDB", () => {
  it("creates, issues, authenticates, revokes", async () => {
    const { call } = client(server.url)
    const created = await call("POST", "/api/service-accounts", { body: { name: "on-eventstoredb" } })
    expect(created.status).toBe(201)
    const { serviceAccountId } = Schema.decodeUnknownSync(Schema.Struct({ serviceAccountId: Schema.String }))(
      created.json
    )
    const issued = await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name: "ci" } })
    expect(issued.status).toBe(201)
    const { value, tokenId } = Schema.decodeUnknownSync(
      Schema.Struct({ value: Schema.String, tokenId: Schema.String })
    )(issued.json)
    const bearer = { headers: { authorization: `Bearer ${value}` }, as: "nobody" as const }
    expect((await call("GET", "/api/whoami", bearer)).status).toBe(200)
    expect((await call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${tokenId}/revoke`)).status).toBe(200)
    expect((await call("GET", "/api/whoami", bearer)).status).toBe(401)
    expect(eventStoreDB.callCount("Streams.BatchAppend")).toBeGreaterThan(0)
  })

  it("picks the in-memory store when no connection string is set", async () => {
    const chosen = await Effect.runPromise(
      Store.fromConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
    )
    expect(chosen.description).toContain("in memory")
    expect(Layer.isLayer(chosen.layer)).toBe(true)
  })
})
