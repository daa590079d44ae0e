/**
 * Where the example keeps its events: a real EventStoreDB server when `EVENTSTORE_CONNECTION_STRING` is set, and
 * otherwise an in-process test server started for this run (test infrastructure, not a database: everything is gone
 * when the program ends).
 */
import type { EventStore } from "@service-accounts/domain"
import { TestServer, type TestServerStartError } from "@service-accounts/eventstoredb-test-server"
import {
  type EventStoreDBConnection,
  type InvalidConnectionString,
  layer,
  layerConfig
} from "@service-accounts/store-eventstoredb"
import { Config, type ConfigError, Effect, Layer, Option } from "effect"

/** Where the events went, for the program to say. */
export class StoreDescription extends Effect.Tag("@service-accounts/example-eventstoredb/StoreDescription")<
  StoreDescription,
  { readonly description: string }
>() {}

/** What the store provides. */
export type Store = EventStore | EventStoreDBConnection | StoreDescription

/** Why the store could not be set up. */
export type StoreError = ConfigError.ConfigError | InvalidConnectionString | TestServerStartError

const onTestServer: Layer.Layer<Store, StoreError> = Layer.unwrapScoped(
  Effect.map(TestServer, ({ connectionString }) =>
    Layer.merge(
      layer({ connectionString }),
      Layer.succeed(StoreDescription, {
        description: `the in-process EventStoreDB test server at ${connectionString} (not a database; set EVENTSTORE_CONNECTION_STRING for a real server)`
      })
    )
  )
).pipe(Layer.provide(TestServer.layer()))

const onRealServer: Layer.Layer<Store, StoreError> = Layer.merge(
  layerConfig(),
  // The connection string may hold a password: it is not repeated.
  Layer.succeed(StoreDescription, { description: "the EventStoreDB server of EVENTSTORE_CONNECTION_STRING" })
)

/** The store, chosen from the environment. */
export const StoreLive: Layer.Layer<Store, StoreError> = Layer.unwrapEffect(
  Effect.map(Config.option(Config.nonEmptyString("EVENTSTORE_CONNECTION_STRING")), (value) =>
    Option.isSome(value) ? onRealServer : onTestServer
  )
)
