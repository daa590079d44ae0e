/**
 * The `EventStore` port on EventStoreDB, through the official `@eventstore/db-client`.
 *
 * - Streams and revisions are EventStoreDB's own: the domain's stream names (`serviceAccountDirectory-<org>`) are
 *   used as they are, so the server's category projection groups them (`$ce-serviceAccountDirectory`).
 * - Expected revisions map one to one (`any`, `no_stream`, `stream_exists`, a revision); event ids are sent as the
 *   events' UUIDs, so a re-sent append is deduplicated by the server.
 * - A position of the port is an event's **commit position**. EventStoreDB positions are (commit, prepare) pairs;
 *   on EventStoreDB 20 and later each event is committed by its own record and both numbers are equal, so the
 *   adapter reads a position as `{ commit: p, prepare: p }`.
 * - Reads and subscriptions of the whole store skip the server's own events (types or streams starting with `$`);
 *   subscriptions ask the server to filter them out.
 * - Catch-up subscriptions survive a dropped connection: they resubscribe (with backoff) after the last event they
 *   delivered.
 *
 * @since 0.1.0
 */
import { EventStoreDBClient } from "@eventstore/db-client"
import { EventStore, type EventStoreShape } from "@service-accounts/domain"
import * as Core from "@service-accounts/eventstoredb-core"
import { Config, type ConfigError, Context, Effect, Layer, Redacted, type Schedule, Schema, type Scope } from "effect"
import { streamsClient } from "./internal/client.js"

/**
 * Options of the adapter: `resubscribe` (how subscriptions come back after a drop) and `streamPrefixes` (which
 * streams `readAll` and `subscribeToAll` show). The same options as the KurrentDB adapter's.
 *
 * @since 0.1.0
 * @category models
 */
export type EventStoreDBOptions = Core.StoreOptions

/**
 * Where the adapter connects: a connection string (`esdb://…` or `esdb+discover://…`), or a client made elsewhere.
 *
 * @since 0.1.0
 * @category models
 */
export type Connection =
  | { readonly connectionString: string | Redacted.Redacted<string> }
  | { readonly client: EventStoreDBClient }

/**
 * The default resubscription schedule: exponential backoff from 100 ms, at most 5 s between attempts, giving up
 * after one minute without a message.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResubscribe: Schedule.Schedule<unknown, unknown> = Core.defaultResubscribe

/**
 * The connection string could not be parsed. The reason never repeats the string, which may hold a password.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidConnectionString extends Schema.TaggedError<InvalidConnectionString>()("InvalidConnectionString", {
  reason: Schema.String
}) {
  override get message(): string {
    return `invalid EventStoreDB connection string: ${this.reason}`
  }
}

/**
 * The client the adapter uses, for what the port does not cover (stream metadata, projections, checkpoints).
 *
 * @since 0.1.0
 * @category tags
 */
export class EventStoreDBConnection extends Context.Tag("@service-accounts/store-eventstoredb/EventStoreDBConnection")<
  EventStoreDBConnection,
  { readonly client: EventStoreDBClient }
>() {}

/**
 * The port over a client. The client stays the caller's: closing it is the caller's business.
 *
 * @example
 * ```ts
 * import { EventStoreDBClient } from "@eventstore/db-client"
 * import { make } from "@service-accounts/store-eventstoredb"
 *
 * const client = EventStoreDBClient.connectionString("esdb://localhost:2113?tls=false")
 * const store = make(client)
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (client: EventStoreDBClient, options: EventStoreDBOptions = {}): EventStoreShape =>
  Core.makeStore(streamsClient(client), options)

/**
 * A client for a connection string, disposed when the scope closes. Creating it makes no call: the connection
 * opens on the first command. An option the client does not know is refused by name (the client would print the
 * whole string, password included, to the console).
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (
  connectionString: string | Redacted.Redacted<string>
): Effect.Effect<EventStoreDBClient, InvalidConnectionString, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() => {
      const text = Redacted.isRedacted(connectionString) ? Redacted.value(connectionString) : connectionString
      const refused = Core.checkOptionNames(text)
      return refused === undefined
        ? Effect.try({
            try: () => EventStoreDBClient.connectionString(text),
            catch: (error) => new InvalidConnectionString({ reason: Core.safeReason(error) })
          })
        : Effect.fail(new InvalidConnectionString({ reason: refused }))
    }),
    // `dispose` waits for every call the client opened to finish; a call it cannot end must not hold the scope.
    (client) =>
      Effect.promise(() => client.dispose().catch(() => undefined)).pipe(
        Effect.timeoutTo({
          duration: "5 seconds",
          onSuccess: () => Effect.void,
          onTimeout: () => Effect.logWarning("the EventStoreDB client did not finish disposing within 5 seconds")
        }),
        Effect.flatten
      )
  )

const clientOf = (connection: Connection): Effect.Effect<EventStoreDBClient, InvalidConnectionString, Scope.Scope> =>
  "client" in connection ? Effect.succeed(connection.client) : connect(connection.connectionString)

/**
 * Provides `EventStore` (and the client, as `EventStoreDBConnection`). From a connection string, the layer makes
 * the client and disposes it when its scope closes; a client passed in stays the caller's, and is not disposed.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * import { layer } from "@service-accounts/store-eventstoredb"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   return yield* Stream.runCollect(store.readStream("serviceAccountDirectory-acme"))
 * })
 *
 * const runnable = Effect.provide(program, layer({ connectionString: "esdb://localhost:2113?tls=false" }))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: Connection & EventStoreDBOptions
): Layer.Layer<EventStore | EventStoreDBConnection, InvalidConnectionString> =>
  Layer.scopedContext(
    Effect.map(clientOf(options), (client) =>
      Context.make(EventStore, make(client, options)).pipe(Context.add(EventStoreDBConnection, { client }))
    )
  )

/**
 * Like {@link layer}, with the connection string from configuration: by default the `EVENTSTORE_CONNECTION_STRING`
 * environment variable, read as a redacted value so it never shows in logs.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: Config.Config<Redacted.Redacted<string> | string> = Config.redacted("EVENTSTORE_CONNECTION_STRING"),
  options: EventStoreDBOptions = {}
): Layer.Layer<EventStore | EventStoreDBConnection, ConfigError.ConfigError | InvalidConnectionString> =>
  Layer.unwrapEffect(Effect.map(config, (connectionString) => layer({ connectionString, ...options })))
