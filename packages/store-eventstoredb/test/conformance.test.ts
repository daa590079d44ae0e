import { binaryEvent, EventStoreDBClient } from "@eventstore/db-client"
import { start } from "@service-accounts/eventstoredb-test-server"
import { eventStoreConformance } from "@service-accounts/testing"
import { Effect } from "effect"
import { afterAll } from "vitest"
import { layer, layerConfig } from "../src/index.js"

/**
 * Writes an event whose data is not JSON (as another application may): the official client writes it as it is, and
 * the adapter cannot hand it out as a `RecordedEvent`.
 */
const plantUnreadable = (connectionString: string) => (streamId: string) =>
  Effect.acquireUseRelease(
    Effect.sync(() => EventStoreDBClient.connectionString(connectionString)),
    (client) =>
      Effect.promise(() =>
        client.appendToStream(streamId, binaryEvent({ type: "OpaqueBytes", data: new Uint8Array([0xff, 0x00, 0x1b]) }))
      ),
    (client) => Effect.promise(() => client.dispose())
  )

// One server for the whole suite (the suite builds its layer once), so the planting client can reach it too.
const server = await start()
afterAll(() => server.close())

eventStoreConformance("eventstoredb (test server)", layer({ connectionString: server.connectionString }), {
  plantUnreadable: plantUnreadable(server.connectionString)
})

const real = process.env.EVENTSTORE_CONNECTION_STRING
eventStoreConformance("eventstoredb (real server)", layerConfig(), {
  skip: !real && "EVENTSTORE_CONNECTION_STRING is not set",
  // A real server's $all holds its own events and every earlier run's: reading it from the start takes longer.
  receiveTimeout: 20_000,
  timeout: 60_000,
  ...(real === undefined ? {} : { plantUnreadable: plantUnreadable(real) })
})
