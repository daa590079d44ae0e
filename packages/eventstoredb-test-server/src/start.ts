/**
 * Starting and stopping an in-process EventStoreDB test server.
 *
 * @since 0.1.0
 */
import type * as Internal from "./internal/context.js"
import { listen } from "./internal/server.js"

/**
 * An RPC the server implements, named `Service.Method` (for {@link RunningTestServer.callCount}).
 *
 * @since 0.1.0
 * @category models
 */
export type RpcMethod = Internal.RpcMethod

/**
 * How {@link RunningTestServer.dropSubscriptions} ends the calls: `"unavailable"` fails them with
 * gRPC UNAVAILABLE (the client's subscription emits an `UnavailableError`, as on a lost connection);
 * `"end"` completes them with OK (the client's subscription just ends).
 *
 * @since 0.1.0
 * @category models
 */
export type DropMode = "unavailable" | "end"

/**
 * Options of {@link start}.
 *
 * @since 0.1.0
 * @category models
 */
export interface StartOptions {
  /** Port to listen on; `0` (the default) picks a free port. */
  readonly port?: number
  /** IPv4 address or host name to listen on; default `127.0.0.1`. */
  readonly host?: string
  /**
   * `"advertised"` (default): `ServerFeatures.GetSupportedMethods` lists `Streams.BatchAppend`, so the
   * client sends every append through `BatchAppend`, as against a current real server.
   * `"unimplemented"`: the `ServerFeatures` service is absent (UNIMPLEMENTED), so the client falls back
   * to `Streams.Append`, as against an old server.
   */
  readonly serverFeatures?: "advertised" | "unimplemented"
  /** Largest append accepted, in bytes of data, metadata and type (UTF-16); default 1 MiB, as a real server. */
  readonly maxAppendSize?: number
}

/**
 * A running test server.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningTestServer {
  /** `esdb://HOST:PORT?tls=false`, ready for `EventStoreDBClient.connectionString`. */
  readonly connectionString: string
  readonly host: string
  readonly port: number
  /**
   * Ends every open subscription call (to simulate a dropped subscription) and returns how many there
   * were. The server keeps running and its data stays.
   */
  dropSubscriptions(mode?: DropMode): number
  /** How many calls of an RPC the server has received (for example to check an append took `BatchAppend`). */
  callCount(method: RpcMethod): number
  /** Ends open calls and stops listening. Safe to call more than once. */
  close(): Promise<void>
}

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::", "[::]"])

/**
 * Starts a test server with a fresh, empty store (apart from the server's own system events). Two
 * servers never share data. Not a database: for tests and examples only.
 *
 * @example
 * import { EventStoreDBClient } from "@eventstore/db-client"
 * import { start } from "@service-accounts/eventstoredb-test-server"
 *
 * const server = await start()
 * const client = EventStoreDBClient.connectionString(server.connectionString)
 * // ... use the client ...
 * await client.dispose()
 * await server.close()
 *
 * @since 0.1.0
 * @category constructors
 */
export const start = async (options: StartOptions = {}): Promise<RunningTestServer> => {
  const host = options.host ?? "127.0.0.1"
  const { port, context, shutdown } = await listen({
    host,
    port: options.port ?? 0,
    serverFeatures: options.serverFeatures ?? "advertised",
    maxAppendSize: options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE
  })
  const connectHost = WILDCARD_HOSTS.has(host) ? "127.0.0.1" : host
  let closing: Promise<void> | undefined
  return {
    connectionString: `esdb://${connectHost}:${port}?tls=false`,
    host,
    port,
    dropSubscriptions: (mode = "unavailable") => {
      const subscriptions = context.openCalls("subscription")
      for (const subscription of subscriptions) subscription.terminate(mode)
      return subscriptions.length
    },
    callCount: (method) => context.callCount(method),
    close: () => {
      closing ??= shutdown()
      return closing
    }
  }
}
