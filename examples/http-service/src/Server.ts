/**
 * Putting it together: the API's handlers, the host's login, the bearer check, the page and the OpenAPI
 * document, served by Node's HTTP server over `ServiceAccounts` and an `EventStore`.
 */
import { createServer } from "node:http"
import { HttpApiBuilder, HttpApiError, HttpApiSwagger, HttpServer, HttpServerError } from "@effect/platform"
// The sub-path import keeps the cluster, SQL and worker modules of the package index out of start-up.
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import { type EventStore, type IntegrityCheckpoints, ServiceAccounts, Token } from "@service-accounts/domain"
import { Cause, Effect, Layer } from "effect"
import type { HostLogin } from "./Api.js"
import { ServiceAccountsApi } from "./Api.js"
import { InvalidInput } from "./ApiErrors.js"
import * as DemoLogin from "./DemoLogin.js"
import {
  AuditLive,
  AutomationLive,
  DemoLive,
  ServiceAccountBearerLive,
  ServiceAccountsLive,
  TokensLive
} from "./Handlers.js"
import { PageLive } from "./Page.js"

// Effect's default messages end with ", actual <the input>"; the input may be a pasted secret. As the library does
// for its own messages (ADR 0003), the echo is cut, token-shaped text redacted and the length capped.
const withoutInput = (message: string): string =>
  Token.redactTokens(message.replace(/,? actual[\s\S]*$/, "")).slice(0, 300)

/**
 * Every 400 has the same body, `InvalidInput` with a message and the field: the library's own for what it
 * decides, and here for what fails before the library is called (a body that is not JSON, a string where an
 * array belongs).
 */
const uniformBadRequests = HttpApiBuilder.middleware(ServiceAccountsApi, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const error = Cause.squash(cause)
    if (error instanceof HttpApiError.HttpApiDecodeError) {
      const issues = error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: withoutInput(issue.message)
      }))
      const first = error.issues[0]?.path[0]
      return Effect.fail(
        new InvalidInput({
          message: `invalid request body: ${issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")}`,
          field: first === undefined ? "(body)" : String(first),
          issues
        })
      )
    }
    if (HttpServerError.isServerError(error) && error._tag === "RequestError" && error.reason === "Decode") {
      return Effect.fail(
        new InvalidInput({ message: "the request body must be a JSON object", field: "(body)", issues: [] })
      )
    }
    return Effect.failCause(cause)
  })
)

/** Options of the example's HTTP service. */
export interface HttpServiceOptions {
  /** The organisations the demo login knows. Default: `DemoLogin.demoOrganizations`. */
  readonly organizations?: ReadonlyArray<DemoLogin.DemoOrganization>
  /** How callers are identified. Default: the example's stand-in, `DemoLogin.layer(organizations)`. */
  readonly login?: Layer.Layer<HostLogin>
}

/** What `ServerLive` runs next to the service, over the same store. */
export interface ServerOptions extends HttpServiceOptions {
  /** The periodic checkpointer (`Checkpoints.fromConfig`, or `IntegrityCheckpoints.layer`). Default: none. */
  readonly checkpointer?: Layer.Layer<
    IntegrityCheckpoints.IntegrityCheckpointer,
    IntegrityCheckpoints.InvalidSigningKey,
    EventStore
  >
}

/**
 * The routes — API, OpenAPI document (`/api/openapi.json`, browsable at `/api/docs`) and the page — on whatever
 * `HttpServer` is provided, over the `ServiceAccounts` service.
 */
export const HttpServiceLive = (options: HttpServiceOptions = {}) => {
  const organizations = options.organizations ?? DemoLogin.demoOrganizations
  const api = HttpApiBuilder.api(ServiceAccountsApi).pipe(
    Layer.provide([ServiceAccountsLive, TokensLive, AuditLive, AutomationLive, DemoLive(organizations)]),
    Layer.provide([options.login ?? DemoLogin.layer(organizations), ServiceAccountBearerLive])
  )
  return HttpApiBuilder.serve().pipe(
    Layer.provide([
      PageLive,
      HttpApiBuilder.middlewareOpenApi({ path: "/api/openapi.json" }),
      HttpApiSwagger.layer({ path: "/api/docs" }),
      uniformBadRequests
    ]),
    Layer.provide(api)
  )
}

/** Where to listen. Port 0 picks a free port; the chosen address is on `HttpServer`. */
export interface ListenOptions {
  readonly port: number
  readonly host: string
}

/**
 * The whole server over the given event store: Node's HTTP server, the library's service, the routes, and the
 * checkpointer when one is given. It outputs the `HttpServer` so a caller can read the address it listens on.
 */
export const ServerLive = <E>(listen: ListenOptions, store: Layer.Layer<EventStore, E>, options: ServerOptions = {}) =>
  Layer.merge(
    HttpServiceLive(options).pipe(Layer.provide(ServiceAccounts.layer)),
    options.checkpointer ?? Layer.empty
  ).pipe(
    Layer.provide(store),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: listen.port, host: listen.host }))
  )

/** `http://host:port` of a running server. */
export const baseUrl: Effect.Effect<string, never, HttpServer.HttpServer> = HttpServer.addressWith((address) =>
  Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "http://localhost")
)
