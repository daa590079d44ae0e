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
import type { EventStoreDBClient } from "@eventstore/db-client"
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

const textOf = (connectionString: string | Redacted.Redacted<string>): string =>
  Redacted.isRedacted(connectionString) ? Redacted.value(connectionString) : connectionString

/**
 * The server(s) a connection string names, for messages and logs — `esdb://db1:2113,db2:2113` — never its
 * credentials or options. A string that cannot be read is described as such, without any of it.
 *
 * @example
 * ```ts
 * import { describeConnection } from "@service-accounts/store-eventstoredb"
 *
 * describeConnection("esdb://admin:changeit@localhost:2113?tls=false") // "esdb://localhost:2113"
 * ```
 *
 * @since 0.3.0
 * @category utils
 */
export const describeConnection = (connectionString: string | Redacted.Redacted<string>): string =>
  Either.match(Core.parseConnectionString(dialect, textOf(connectionString)), {
    onLeft: () => "an EventStoreDB server (its connection string cannot be read)",
    onRight: Core.describeSettings
  })

/**
 * A client for a connection string, disposed when the scope closes. Creating it makes no call: the connection
 * opens on the first command. The adapter reads the string itself, refusing an option the client does not know,
 * and makes the client from what it read: the client never sees the string, which it would print or log whole
 * (password included).
 *
 * @since 0.1.0
 * @category constructors
 */
export const connect = (
  connectionString: string | Redacted.Redacted<string>
): Effect.Effect<EventStoreDBClient, InvalidConnectionString, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.suspend(() =>
      Either.mapLeft(
        Either.flatMap(Core.parseConnectionString(dialect, textOf(connectionString)), clientFor),
        (reason) => new InvalidConnectionString({ reason })
      )
    ),
    Core.disposeClient("EventStoreDB")
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
