/**
 * Starting and stopping an in-process EventStoreDB test server.
 *
 * @since 0.1.0
 */
import { isIPv6 } from "node:net"
import type * as Internal from "./internal/context.js"
import { type Listening, listen, makeContext } from "./internal/server.js"

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
  /**
   * Address or host name to listen on; default `127.0.0.1`. IPv6 addresses are written bare or in brackets (`::1`,
   * `[::1]`); `0.0.0.0` and `::` listen on every address.
   */
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
  /**
   * `esdb://HOST:PORT?tls=false`, ready for `EventStoreDBClient.connectionString`. For an IPv6 host it is
   * `esdb://[ADDRESS]:PORT?tls=false`, which `@eventstore/db-client` 6.2.1 cannot parse (its connection strings take no
   * IPv6 literal): connect with {@link RunningTestServer.endpoint} instead.
   */
  readonly connectionString: string
  /**
   * `HOST:PORT` to connect to, with an IPv6 address in brackets (`[::1]:PORT`), for
   * `new EventStoreDBClient({ endpoint }, { insecure: true })`. A wildcard host gives the IPv4 loopback.
   */
  readonly endpoint: string
  /** The address listened on, as given (IPv6 without brackets). */
  readonly host: string
  readonly port: number
  /**
   * Ends every open subscription call (to simulate a dropped subscription) and returns how many there
   * were. The server keeps running and its data stays.
   */
  dropSubscriptions(mode?: DropMode): number
  /** How many subscription calls are open right now. Unlike `dropSubscriptions`, it ends nothing. */
  openSubscriptions(): number
  /** How many calls of an RPC the server has received (for example to check an append took `BatchAppend`). */
  callCount(method: RpcMethod): number
  /**
   * How many calls of an RPC each client library made, by the `user-agent` header the call carried: grpc-js sends
   * `grpc-node-js/<version>`; `""` counts calls without one, such as the reads of `@kurrent/kurrentdb-client`'s
   * native bridge. For example to check that reads took the bridge.
   */
  callsByAgent(method: RpcMethod): ReadonlyMap<string, number>
  /**
   * Restarts the server as a process restart would look to its clients, with the data kept: every open call is
   * ended (UNAVAILABLE), the listener and its connections are closed, then the server listens again on the same
   * address and port with the same store (and the same call counts). Clients reconnect on their next call;
   * subscriptions must subscribe again. Restarts one at a time; a restart after `close` is refused.
   */
  restart(): Promise<void>
  /** Ends open calls and stops listening. Safe to call more than once. */
  close(): Promise<void>
}

const DEFAULT_MAX_APPEND_SIZE = 1024 * 1024
/** Hosts that listen on every address; clients reach them over the IPv4 loopback (`::` is dual-stack by default). */
const WILDCARD_HOSTS = new Set(["0.0.0.0", "::"])

/** `host:port` as grpc-js and the client parse it: an IPv6 address in brackets. */
const hostAndPort = (host: string, port: number): string => (isIPv6(host) ? `[${host}]:${port}` : `${host}:${port}`)

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
  const given = options.host ?? "127.0.0.1"
  const host = given.startsWith("[") && given.endsWith("]") ? given.slice(1, -1) : given
  const context = makeContext(options.maxAppendSize ?? DEFAULT_MAX_APPEND_SIZE)
  const serverFeatures = options.serverFeatures ?? "advertised"
  let listening: Listening = await listen(context, {
    address: hostAndPort(host, options.port ?? 0),
    serverFeatures
  })
  const port = listening.port
  const endpoint = hostAndPort(WILDCARD_HOSTS.has(host) ? "127.0.0.1" : host, port)
  let closing: Promise<void> | undefined
  // Restarts and the close run one after another, so a close never races a listener being bound.
  let last: Promise<void> = Promise.resolve()
  const inTurn = (work: () => Promise<void>): Promise<void> => {
    const next = last.then(work)
    last = next.catch(() => undefined)
    return next
  }
  return {
    connectionString: `esdb://${endpoint}?tls=false`,
    endpoint,
    host,
    port,
    dropSubscriptions: (mode = "unavailable") => {
      const subscriptions = context.openCalls("subscription")
      for (const subscription of subscriptions) subscription.terminate(mode)
      return subscriptions.length
    },
    openSubscriptions: () => context.openCalls("subscription").length,
    callCount: (method) => context.callCount(method),
    callsByAgent: (method) => context.callsByAgent(method),
    restart: () =>
      closing === undefined
        ? inTurn(async () => {
            await listening.shutdown()
            listening = await listen(context, { address: hostAndPort(host, port), serverFeatures })
          })
        : Promise.reject(new Error("the test server is closed: it cannot restart")),
    close: () => {
      closing ??= inTurn(() => listening.shutdown())
      return closing
    }
  }
}
