import { type StartOptions, TestServer } from "@service-accounts/eventstoredb-test-server"
import { Effect, Layer } from "effect"
import { type EventStoreDBOptions, layer } from "../src/index.js"

/**
 * A fresh test server per build, with the adapter connected to it (and the server's hooks as `TestServer`); both
 * closed with the layer's scope.
 */
export const onTestServer = (options: EventStoreDBOptions = {}, server: StartOptions = {}) =>
  Layer.unwrapScoped(Effect.map(TestServer, ({ connectionString }) => layer({ connectionString, ...options }))).pipe(
    Layer.provideMerge(TestServer.layer(server))
  )
