/**
 * Where the example keeps its events, and through which adapter.
 *
 * - `EVENTSTORE_ADAPTER` chooses the adapter: `eventstoredb` (the default: `@service-accounts/store-eventstoredb`
 *   on `@eventstore/db-client`) or `kurrentdb` (`@service-accounts/store-kurrentdb` on `@kurrent/kurrentdb-client`).
 * - A real server when its connection string is set (`EVENTSTORE_CONNECTION_STRING`; for `kurrentdb`,
 *   `KURRENTDB_CONNECTION_STRING` or else `EVENTSTORE_CONNECTION_STRING`), and otherwise an in-process test server
 *   started for this run (test infrastructure, not a database: everything is gone when the program ends).
 *
 * Only the chosen adapter is loaded (a dynamic import): the two clients break each other's appends in one process.
 */
import type { EventStore } from "@service-accounts/domain"
import { TestServer, type TestServerStartError } from "@service-accounts/eventstoredb-test-server"
import type * as EventStoreDB from "@service-accounts/store-eventstoredb"
import type * as KurrentDB from "@service-accounts/store-kurrentdb"
import { Config, type ConfigError, Effect, Layer, Option } from "effect"

/** Where the events went, for the program to say. */
export class StoreDescription extends Effect.Tag("@service-accounts/example-eventstoredb/StoreDescription")<
  StoreDescription,
  { readonly description: string }
>() {}

/** What the store provides. */
export type Store = EventStore | StoreDescription

/** Why the store could not be set up. */
export type StoreError =
  | ConfigError.ConfigError
  | EventStoreDB.InvalidConnectionString
  | KurrentDB.InvalidConnectionString
  | TestServerStartError

/** The adapters the example runs on. */
export type Adapter = "eventstoredb" | "kurrentdb"

/** `EVENTSTORE_ADAPTER`: `eventstoredb` (default) or `kurrentdb`. */
export const adapterConfig: Config.Config<Adapter> = Config.literal(
  "eventstoredb",
  "kurrentdb"
)("EVENTSTORE_ADAPTER").pipe(Config.withDefault<Adapter>("eventstoredb"))

/** What the example needs of an adapter, whichever it is. */
interface Loaded {
  readonly name: string
  readonly scheme: string
  /** The variables that name a real server, in the order the adapter's `layerConfig` reads them. */
  readonly variables: ReadonlyArray<string>
  readonly layer: (connectionString: string) => Layer.Layer<EventStore, StoreError>
  readonly layerConfig: Layer.Layer<EventStore, StoreError>
}

const load = (adapter: Adapter): Effect.Effect<Loaded> =>
  adapter === "kurrentdb"
    ? Effect.map(
        Effect.promise(() => import("@service-accounts/store-kurrentdb")),
        (kurrent): Loaded => ({
          name: "KurrentDB adapter (@kurrent/kurrentdb-client)",
          scheme: "kurrentdb",
          variables: ["KURRENTDB_CONNECTION_STRING", "EVENTSTORE_CONNECTION_STRING"],
          layer: (connectionString) => kurrent.layer({ connectionString }),
          layerConfig: kurrent.layerConfig()
        })
      )
    : Effect.map(
        Effect.promise(() => import("@service-accounts/store-eventstoredb")),
        (eventstore): Loaded => ({
          name: "EventStoreDB adapter (@eventstore/db-client)",
          scheme: "esdb",
          variables: ["EVENTSTORE_CONNECTION_STRING"],
          layer: (connectionString) => eventstore.layer({ connectionString }),
          layerConfig: eventstore.layerConfig()
        })
      )

const onTestServer = (adapter: Loaded): Layer.Layer<Store, StoreError> =>
  Layer.unwrapScoped(
    Effect.map(TestServer, ({ connectionString }) => {
      const own = connectionString.replace(/^esdb:/, `${adapter.scheme}:`)
      return Layer.merge(
        adapter.layer(own),
        Layer.succeed(StoreDescription, {
          description: `the in-process EventStoreDB test server at ${own}, through the ${adapter.name} (not a database; set ${adapter.variables.join(" or ")} for a real server)`
        })
      )
    })
  ).pipe(Layer.provide(TestServer.layer()))

const onRealServer = (adapter: Loaded): Layer.Layer<Store, StoreError> =>
  Layer.merge(
    adapter.layerConfig,
    // The connection string may hold a password: it is not repeated.
    Layer.succeed(StoreDescription, {
      description: `the server of ${adapter.variables.join(" (else ")}${adapter.variables.length > 1 ? ")" : ""}, through the ${adapter.name}`
    })
  )

const realServerSet = (variables: ReadonlyArray<string>): Effect.Effect<boolean, ConfigError.ConfigError> =>
  Effect.map(Effect.all(variables.map((name) => Config.option(Config.nonEmptyString(name)))), (values) =>
    values.some(Option.isSome)
  )

/** The store, chosen from the environment. */
export const StoreLive: Layer.Layer<Store, StoreError> = Layer.unwrapEffect(
  Effect.gen(function* () {
    const adapter = yield* load(yield* adapterConfig)
    return (yield* realServerSet(adapter.variables)) ? onRealServer(adapter) : onTestServer(adapter)
  })
)
