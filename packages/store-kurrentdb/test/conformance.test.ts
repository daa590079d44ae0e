import { binaryEvent, KurrentDBClient } from "@kurrent/kurrentdb-client"
import { start } from "@service-accounts/eventstoredb-test-server"
import { eventStoreConformance } from "@service-accounts/testing"
import { Effect } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { layer, layerConfig } from "../src/index.js"
import { kurrentdb } from "./layers.js"
import { readsByAgent } from "./reads.js"

/**
 * Writes an event whose data is not JSON (as another application may): the client writes it as it is, and the
 * adapter cannot hand it out as a `RecordedEvent`.
 */
const plantUnreadable = (connectionString: string) => (streamId: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => KurrentDBClient.connectionString(connectionString)),
    (client) =>
      Effect.promise(() =>
        client.appendToStream(streamId, binaryEvent({ type: "OpaqueBytes", data: new Uint8Array([0xff, 0x00, 0x1b]) }))
      ),
    (client) => Effect.promise(() => client.dispose())
  )

// One server for the whole suite (the suite builds its layer once), so the planting client can reach it too. Every
// read of the suite (streams and $all, forwards and backwards) goes through the client's native bridge.
const server = await start()
afterAll(() => server.close())
const connectionString = kurrentdb(server.connectionString)

eventStoreConformance("kurrentdb (test server)", layer({ connectionString }), {
  plantUnreadable: plantUnreadable(connectionString)
})

// Runs after the suite above (tests run in file order): its reads reached the server through the bridge. grpc-js
// carried Read calls too, but only subscriptions (bridge.test.ts shows the split call by call).
describe("the conformance suite over kurrentdb://", () => {
  it("read through the client's native bridge", async () => {
    const reads = Effect.runSync(
      readsByAgent({ callsByAgent: (method) => Effect.sync(() => server.callsByAgent(method)) })
    )
    expect(reads.bridge).toBeGreaterThan(0)
    expect(reads.grpcJs).toBeGreaterThan(0)
  })
})

// The old scheme still works (the client prints a deprecation warning for it). A server of its own: the suite above
// leaves unreadable events in its store, which a suite without `plantUnreadable` does not expect.
const esdbServer = await start()
afterAll(() => esdbServer.close())
eventStoreConformance(
  "kurrentdb, esdb:// scheme (test server)",
  layer({ connectionString: esdbServer.connectionString })
)

const real = process.env.KURRENTDB_CONNECTION_STRING ?? process.env.EVENTSTORE_CONNECTION_STRING
// `layerConfig()` reads KURRENTDB_CONNECTION_STRING, or else EVENTSTORE_CONNECTION_STRING.
eventStoreConformance("kurrentdb (real server)", layerConfig(), {
  skip: !real && "neither KURRENTDB_CONNECTION_STRING nor EVENTSTORE_CONNECTION_STRING is set",
  // A real server's $all holds its own events and every earlier run's: reading it from the start takes longer.
  receiveTimeout: 20_000,
  timeout: 60_000,
  ...(real === undefined ? {} : { plantUnreadable: plantUnreadable(real) })
})
