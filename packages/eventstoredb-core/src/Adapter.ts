/**
 * The `EventStore` port on the EventStoreDB / KurrentDB streams protocol, whichever client carries the calls. Both
 * adapters (`@service-accounts/store-eventstoredb` on `@eventstore/db-client`, `@service-accounts/store-kurrentdb`
 * on `@kurrent/kurrentdb-client`) describe their client as a {@link StreamsClient} and get the same port from
 * {@link makeStore}: the same error mapping, position mapping, resubscription, checkpoints and connection-string
 * checks. Use one of the adapters; this package has no promise of its own beyond what they need.
 *
 * @example
 * ```ts
 * import { type EventStoreShape } from "@service-accounts/domain"
 * import { makeStore, type StreamsClient } from "@service-accounts/eventstoredb-core"
 *
 * // An adapter describes its client's calls once, and the port follows.
 * const storeOver = (client: StreamsClient): EventStoreShape => makeStore(client, { streamPrefixes: ["orders-"] })
 * ```
 *
 * @since 0.1.0
 */
import type { EventStoreShape } from "@service-accounts/domain"
import { Effect, Schedule } from "effect"
import type { StreamsClient } from "./internal/client.js"
import { keepFor, readAll, readStream } from "./internal/read.js"
import { subscribeToAll, subscribeToStream } from "./internal/subscribe.js"
import { append, tombstone } from "./internal/write.js"
import { Writes } from "./internal/writes.js"

export type {
  ClientError,
  ClientEvent,
  ClientPosition,
  ClientRecord,
  JsonEventData,
  OpenRead,
  Pull,
  Stoppable,
  StreamsClient,
  SubscriptionFilter
} from "./internal/client.js"
export {
  CHECKPOINT_CATEGORY,
  CHECKPOINT_EVENT_TYPE,
  checkpointStream,
  makeCheckpoints
} from "./internal/checkpoints.js"
export type {
  Certificates,
  ConnectionDialect,
  ConnectionSettings,
  EndPoint,
  NodePreference
} from "./internal/connectionString.js"
export {
  certificates,
  describe as describeSettings,
  KNOWN_OPTIONS,
  parse as parseConnectionString,
  withoutCredentials
} from "./internal/connectionString.js"
export { readableRead } from "./internal/readable.js"

/**
 * Options of the adapters.
 *
 * @since 0.1.0
 * @category models
 */
export interface StoreOptions {
  /**
   * How long to wait between attempts to resubscribe after a subscription dropped (the server ended the call or the
   * connection failed). It starts over once messages flow again; when it gives up, the subscription fails with
   * `EventStoreUnavailable`. Default: {@link defaultResubscribe}.
   */
  readonly resubscribe?: Schedule.Schedule<unknown, unknown>
  /**
   * Only streams whose names start with one of these prefixes are part of `readAll` and `subscribeToAll` (filtered
   * by the server for subscriptions). Set it when the database is shared with applications whose events are not JSON,
   * for example `["serviceAccountDirectory-"]`. Default: every stream that is not a system stream.
   */
  readonly streamPrefixes?: ReadonlyArray<string>
}

/**
 * The default resubscription schedule: exponential backoff from 100 ms, at most 5 s between attempts, giving up
 * after one minute without a message.
 *
 * @since 0.1.0
 * @category constants
 */
export const defaultResubscribe: Schedule.Schedule<unknown, unknown> = Schedule.exponential("100 millis").pipe(
  Schedule.union(Schedule.spaced("5 seconds")),
  Schedule.upTo("1 minute")
)

/**
 * The port over a client's calls.
 *
 * - Streams and revisions are the server's own; expected revisions map one to one; event ids are sent as the
 *   events' UUIDs, so a re-sent append is deduplicated by the server.
 * - A position of the port is an event's **commit position**, read back as `{ commit: p, prepare: p }` (equal on
 *   EventStoreDB 20 and later, and on every KurrentDB).
 * - Reads and subscriptions of the whole store skip the server's own events (types or streams starting with `$`).
 * - Catch-up subscriptions resubscribe (by `resubscribe`) after the last event they delivered when they drop.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeStore = (client: StreamsClient, options: StoreOptions = {}): EventStoreShape => {
  const keep = keepFor(options.streamPrefixes)
  // Shared by the port's appends and its subscriptions: deliveries give way to the store's own requests.
  const writes = new Writes()
  const settings = { schedule: options.resubscribe ?? defaultResubscribe, writes }
  return {
    append: append(client, writes),
    readStream: readStream(client),
    readAll: readAll(client, keep),
    subscribeToStream: subscribeToStream(client, settings),
    subscribeToAll: subscribeToAll(client, settings, keep, options.streamPrefixes),
    tombstone: tombstone(client)
  }
}

/**
 * Disposes a client an adapter made, when its scope closes. A client's `dispose` waits for every call it opened to
 * finish; a call it cannot end must not hold the scope, so after 5 seconds the adapter logs a warning and goes on.
 *
 * @since 0.1.0
 * @category constructors
 */
export const disposeClient =
  (name: string) =>
  (client: { dispose(): Promise<void> }): Effect.Effect<void> =>
    Effect.promise(() => client.dispose().catch(() => undefined)).pipe(
      Effect.timeoutTo({
        duration: "5 seconds",
        onSuccess: () => Effect.void,
        onTimeout: () => Effect.logWarning(`the ${name} client did not finish disposing within 5 seconds`)
      }),
      Effect.flatten
    )
