/**
 * Putting it together: `@service-accounts/http`'s service (the API, the bearer check, the health checks, the OpenAPI
 * document) with the example's stand-in login and its page, served by Node's HTTP server over `ServiceAccounts` and
 * an `EventStore`.
 */
import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
// The sub-path import keeps the cluster, SQL and worker modules of the package index out of start-up.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import {
  type EventStore,
  type IntegrityCheckpoints,
  ServiceAccounts,
  type ServiceAccountsOptions
} from "@service-accounts/domain"
import { HttpService, type Security } from "@service-accounts/http"
import { Effect, Layer } from "effect"
import * as DemoLogin from "./DemoLogin.js"
import { PageLive } from "./Page.js"

/** Options of the example's HTTP service. */
export interface HttpServiceOptions {
  /** The organisations the demo login knows. Default: `DemoLogin.demoOrganizations`. */
  readonly organizations?: ReadonlyArray<DemoLogin.DemoOrganization>
  /** How callers are identified. Default: the example's stand-in, `DemoLogin.layer(organizations)`. */
  readonly login?: Layer.Layer<Security.HostLogin>
}

/**
 * The routes — the API, its OpenAPI document (`/api/openapi.json`, browsable at `/api/docs`), `/healthz`, `/readyz`,
 * the page and the demo sign-in's list of organisations — on whatever `HttpServer` is provided, over the
 * `ServiceAccounts` service.
 */
export const HttpServiceLive = (options: HttpServiceOptions = {}) => {
  const organizations = options.organizations ?? DemoLogin.demoOrganizations
  return HttpService.layer({
    login: options.login ?? DemoLogin.layer(organizations),
    routes: [PageLive, DemoLogin.organizationsRoute(organizations)]
  })
}

/** Where to listen. Port 0 picks a free port; the chosen address is on `HttpServer`. */
export interface ListenOptions {
  readonly port: number
  readonly host: string
}

/** Options of `ServerLive`: the routes', the service's, and what runs next to the service over the same store. */
export interface ServerOptions extends HttpServiceOptions {
  /** Default: none (the service's defaults). */
  readonly service?: ServiceAccountsOptions
  /** The periodic checkpointer (`Checkpoints.fromConfig`, or `IntegrityCheckpoints.layer`). Default: none. */
  readonly checkpointer?: Layer.Layer<
    IntegrityCheckpoints.IntegrityCheckpointer,
    IntegrityCheckpoints.InvalidSigningKey,
    EventStore
  >
}

/**
 * The whole server over the given event store: Node's HTTP server, the library's service, the routes, and the
 * checkpointer when one is given. It outputs the `HttpServer`, so a caller can read the address it listens on, and the
 * `ServiceAccounts` service, so it can seed demo data.
 */
export const ServerLive = <E>(listen: ListenOptions, store: Layer.Layer<EventStore, E>, options: ServerOptions = {}) =>
  Layer.merge(
    HttpServiceLive(options).pipe(Layer.provideMerge(ServiceAccounts.layerWith(options.service ?? {}))),
    options.checkpointer ?? Layer.empty
  ).pipe(
    Layer.provide(store),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: listen.port, host: listen.host }))
  )

/** `http://host:port` of a running server. */
export const baseUrl: Effect.Effect<string, never, HttpServer.HttpServer> = HttpServer.addressWith((address) =>
  Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "http://localhost")
)
