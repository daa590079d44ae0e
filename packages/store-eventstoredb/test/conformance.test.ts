import { eventStoreConformance } from "@service-accounts/testing"
import { layerConfig } from "../src/index.js"
import { onTestServer } from "./layers.js"

eventStoreConformance("eventstoredb (test server)", onTestServer())

eventStoreConformance("eventstoredb (real server)", layerConfig(), {
  skip: !process.env.EVENTSTORE_CONNECTION_STRING && "EVENTSTORE_CONNECTION_STRING is not set",
  // A real server's $all holds its own events and every earlier run's: reading it from the start takes longer.
  receiveTimeout: 20_000,
  timeout: 60_000
})
