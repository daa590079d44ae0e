import { type StartOptions, TestServer } from "@service-accounts/eventstoredb-test-server"
import { Effect, Layer } from "effect"
import { type KurrentDBOptions, layer } from "../src/index.js"

/** The test server's connection string with the client's own scheme (it gives `esdb://…`, which still works). */
export const kurrentdb = (connectionString: string): string => connectionString.replace(/^esdb:\/\//, "kurrentdb://")

/**
 * A fresh test server per build, with the adapter connected to it (and the server's hooks as `TestServer`); both
 * closed with the layer's scope.
 */
export const onTestServer = (options: KurrentDBOptions = {}, server: StartOptions = {}) =>
  Layer.unwrapScoped(
    Effect.map(TestServer, ({ connectionString }) =>
      layer({ connectionString: kurrentdb(connectionString), ...options })
    )
  ).pipe(Layer.provideMerge(TestServer.layer(server)))
