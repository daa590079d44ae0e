/**
 * The `EventStore` port on KurrentDB (and EventStoreDB 20 and later), through the maintained client
 * `@kurrent/kurrentdb-client`. It behaves as `@service-accounts/store-eventstoredb` does — the two share their
 * mapping of the port (`@service-accounts/eventstoredb-core`) and differ only in the client that carries the calls:
 *
 * - reads of a stream and of `$all` go through the client's native bridge (a Rust gRPC client shipped as prebuilt
 *   binaries in `@kurrent/bridge`); subscriptions and writes go through grpc-js, appends over `BatchAppend` when
 *   the server offers it and no credentials are set (with credentials, which the adapter gives the client as a
 *   credentials provider, the client sends each append as its own `Append` call);
 * - use this adapter or the EventStoreDB one in a process, not both: the two clients register their generated
 *   protobuf classes under the same global names, and the `BatchAppend` of the one loaded first breaks;
 * - connection strings are `kurrentdb://…` (also `kurrentdb+discover://`, `kurrent://`, `kdb://`); `esdb://…` still
 *   works (the adapter reads the string itself, so the client's deprecation warning for it is not printed).
 *
 * Positions are commit positions, expected revisions map one to one, system events are skipped in reads and
 * subscriptions of the whole store, subscriptions resubscribe after the last event they delivered.
 *
 * @since 0.1.0
 */
import type { KurrentDBClient } from "@kurrent/kurrentdb-client"
import { EventStore, type EventStoreShape } from "@service-accounts/domain"
import * as Core from "@service-accounts/eventstoredb-core"
import {
  Config,
  type ConfigError,
  Context,
  Effect,
  Either,
  Layer,
  Redacted,
  type Schedule,
  Schema,
  type Scope
} from "effect"
import { streamsClient } from "./internal/client.js"
import { client as clientFor, dialect } from "./internal/connectionString.js"

/**
 * Options of the adapter: `resubscribe` (how subscriptions come back after a drop) and `streamPrefixes` (which
 * streams `readAll` and `subscribeToAll` show). The same options as the EventStoreDB adapter's.
 *
 * @since 0.1.0
 * @category models
 */
export type KurrentDBOptions = Core.StoreOptions

/**
 * Where the adapter connects: a connection string (`kurrentdb://…`, `kurrentdb+discover://…`, or the deprecated
 * `esdb://…`), or a client made elsewhere.
 *
 * @since 0.1.0
 * @category models
 */
export type Connection =
  | { readonly connectionString: string | Redacted.Redacted<string> }
  | { readonly client: KurrentDBClient }

/**
 * The default resubscription schedule: exponential backoff from 100 ms, at most 5 s between attempts, giving up
 * after one minute without a message.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResubscribe: Schedule.Schedule<unknown, unknown> = Core.defaultResubscribe

/**
 * The connection string could not be parsed, names an option the client does not know (named in the reason), or
 * gives an option a value it cannot take. The reason never repeats any other part of the string, which may hold a
 * password.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidConnectionString extends Schema.TaggedError<InvalidConnectionString>()("InvalidConnectionString", {
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid KurrentDB connection string: ${this.reason}`
  }
}

/**
 * The client the adapter uses, for what the port does not cover (stream metadata, projections, checkpoints).
 *
 * @since 0.1.0
 * @category tags
 */
export class KurrentDBConnection extends Context.Tag("@service-accounts/store-kurrentdb/KurrentDBConnection")<
  KurrentDBConnection,
  { readonly client: KurrentDBClient }
>() {}

/**
 * The port over a client. The client stays the caller's: closing it is the caller's business.
 *
 * @example
 * ```ts
 * import { KurrentDBClient } from "@kurrent/kurrentdb-client"
 * import { make } from "@service-accounts/store-kurrentdb"
 *
 * const client = KurrentDBClient.connectionString("kurrentdb://localhost:2113?tls=false")
 * const store = make(client)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (client: KurrentDBClient, options: KurrentDBOptions = {}): EventStoreShape =>
  Core.makeStore(streamsClient(client), options)

const textOf = (connectionString: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(connectionString) ? Redacted.value(connectionString) : connectionString

/**
 * The server(s) a connection string names, for messages and logs — `kurrentdb://db1:2113,db2:2113` — never its
 * credentials or options. A string that cannot be read is described as such, without any of it.
 *
 * @example
 * ```ts
 * import { describeConnection } from "@service-accounts/store-kurrentdb"
 *
 * describeConnection("kurrentdb://admin:changeit@localhost:2113?tls=false") // "kurrentdb://localhost:2113"
 * ```
 *
 * @since 0.1.0
 * @category utils
 */
export const describeConnection = (connectionString: string | Redacted.Redacted<string>): string =>
  Either.match(Core.parseConnectionString(dialect, textOf(connectionString)), {
    onLeft: () => "a KurrentDB server (its connection string cannot be read)",
    onRight: Core.describeSettings
  })

/**
 * A client for a connection string, disposed when the scope closes. Creating it makes no call: the connections
 * (grpc-js's, and the native bridge's for reads) open on the first command. The adapter reads the string itself,
 * refusing an option the client does not know, and gives the client the settings it read without the credentials,
 * which reach the client as a credentials provider: the client never sees the password in a string, which it would
 * print or log whole.
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (
  connectionString: string | Redacted.Redacted<string>
): Effect.Effect<KurrentDBClient, InvalidConnectionString, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() =>
      Either.mapLeft(
        Either.flatMap(Core.parseConnectionString(dialect, textOf(connectionString)), clientFor),
        (reason) => new InvalidConnectionString({ reason })
      )
    ),
    Core.disposeClient("KurrentDB")
  )

const clientOf = (connection: Connection): Effect.Effect<KurrentDBClient, InvalidConnectionString, Scope.Scope> =>
  "client" in connection ? Effect.succeed(connection.client) : connect(connection.connectionString)

/**
 * Provides `EventStore` (and the client, as `KurrentDBConnection`). From a connection string, the layer makes the
 * client and disposes it when its scope closes; a client passed in stays the caller's, and is not disposed.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * import { layer } from "@service-accounts/store-kurrentdb"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   return yield* Stream.runCollect(store.readStream("serviceAccountDirectory-acme"))
 * })
 *
 * const runnable = Effect.provide(program, layer({ connectionString: "kurrentdb://localhost:2113?tls=false" }))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Connection & KurrentDBOptions
): Layer.Layer<EventStore | KurrentDBConnection, InvalidConnectionString> =>
  Layer.scopedContext(
    Effect.map(clientOf(options), (client) =>
      Context.make(EventStore, make(client, options)).pipe(Context.add(KurrentDBConnection, { client }))
    )
  )

/**
 * The configuration `layerConfig` reads by default: `KURRENTDB_CONNECTION_STRING`, or else
 * `EVENTSTORE_CONNECTION_STRING` (so a deployment configured for the EventStoreDB adapter moves over unchanged),
 * as a redacted value.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultConfig: Config.Config<Redacted.Redacted<string>> = Config.redacted(
  "KURRENTDB_CONNECTION_STRING"
).pipe(Config.orElse(() => Config.redacted("EVENTSTORE_CONNECTION_STRING")))

/**
 * Like {@link layer}, with the connection string from configuration: by default {@link defaultConfig}, read as a
 * redacted value so it never shows in logs.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Redacted.Redacted<string> | string> = defaultConfig,
  options: KurrentDBOptions = {}
): Layer.Layer<EventStore | KurrentDBConnection, ConfigError.ConfigError | InvalidConnectionString> =>
  Layer.unwrapEffect(Effect.map(config, (connectionString) => layer({ connectionString, ...options })))
