/**
 * The test server as an Effect service, started and stopped with a scope.
 *
 * @since 0.1.0
 */
import { createServer } from "node:net"
import { Context, Data, Effect, Layer, type Scope } from "effect"
import { type DropMode, type RpcMethod, type RunningTestServer, type StartOptions, start } from "./start.js"

/**
 * The server could not start (for example, the port was taken).
 *
 * @since 0.1.0
 * @category errors
 */
export class TestServerStartError extends Data.TaggedError("TestServerStartError")<{ readonly cause: unknown }> {}

/**
 * What the {@link TestServer} service provides.
 *
 * @since 0.1.0
 * @category models
 */
export interface TestServerService {
  /** `esdb://HOST:PORT?tls=false`, ready for `EventStoreDBClient.connectionString`. */
  readonly connectionString: string
  /** `HOST:PORT` for `new EventStoreDBClient({ endpoint }, { insecure: true })`, an IPv6 address in brackets. */
  readonly endpoint: string
  readonly port: number
  /** Ends every open subscription call; succeeds with how many there were. */
  readonly dropSubscriptions: (mode?: DropMode) => Effect.Effect<number>
  /** How many subscription calls are open right now (ends nothing). */
  readonly openSubscriptions: Effect.Effect<number>
  /** How many calls of an RPC the server has received. */
  readonly callCount: (method: RpcMethod) => Effect.Effect<number>
  /** How many calls of an RPC each client library made, by `user-agent` (`""`: none); see `RunningTestServer`. */
  readonly callsByAgent: (method: RpcMethod) => Effect.Effect<ReadonlyMap<string, number>>
  /**
   * Ends every call, closes the listener and listens again on the same port with the same store (see
   * `RunningTestServer.restart`).
   */
  readonly restart: Effect.Effect<void>
}

/**
 * Starts a server and closes it when the scope closes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const scoped = (options?: StartOptions): Effect.Effect<RunningTestServer, TestServerStartError, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.tryPromise({ try: () => start(options), catch: (cause) => new TestServerStartError({ cause }) }),
    (server) => Effect.promise(() => server.close())
  )

const toService = (server: RunningTestServer): TestServerService => ({
  connectionString: server.connectionString,
  endpoint: server.endpoint,
  port: server.port,
  dropSubscriptions: (mode) => Effect.sync(() => server.dropSubscriptions(mode)),
  openSubscriptions: Effect.sync(() => server.openSubscriptions()),
  callCount: (method) => Effect.sync(() => server.callCount(method)),
  callsByAgent: (method) => Effect.sync(() => server.callsByAgent(method)),
  restart: Effect.promise(() => server.restart())
})

/**
 * A running test server, for Effect programs and `@effect/vitest` tests. `TestServer.layer(options)`
 * starts one server per layer build and stops it when the layer's scope closes.
 *
 * @example
 * import { Effect } from "effect"
 * import { TestServer } from "@service-accounts/eventstoredb-test-server"
 *
 * const program = Effect.gen(function* () {
 *   const { connectionString } = yield* TestServer
 *   return connectionString
 * }).pipe(Effect.provide(TestServer.layer()))
 *
 * @since 0.1.0
 * @category tags
 */
export class TestServer extends Context.Tag("@service-accounts/eventstoredb-test-server/TestServer")<
  TestServer,
  TestServerService
>() {
  /**
   * A layer that starts a server when built and closes it when its scope closes.
   *
   * @since 0.1.0
   * @category layers
   */
  static readonly layer = (options?: StartOptions): Layer.Layer<TestServer, TestServerStartError> =>
    Layer.scoped(TestServer, Effect.map(scoped(options), toService))
}

/**
 * A port of 127.0.0.1 nobody listens on: one the system had just given out and that was then released. For testing
 * what a client does when no server answers (a connection refused), without guessing a port number.
 *
 * @example
 * import { Effect } from "effect"
 * import { closedPort } from "@service-accounts/eventstoredb-test-server"
 *
 * const connectionString = Effect.map(closedPort, (port) => `esdb://127.0.0.1:${port}?tls=false`)
 *
 * @since 0.3.0
 * @category utils
 */
export const closedPort: Effect.Effect<number> = Effect.async<number>((resume) => {
  const server = createServer()
  server.listen(0, "127.0.0.1", () => {
    const address = server.address()
    const port = typeof address === "object" && address !== null ? address.port : 0
    server.close(() => resume(Effect.succeed(port)))
  })
})
