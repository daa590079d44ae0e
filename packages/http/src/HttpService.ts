/**
 * Everything at once, for a host that serves nothing else on the same API: the management endpoints with their
 * handlers, the bearer check, the health checks, the OpenAPI document (`/api/openapi.json`, browsable at `/api/docs`)
 * and the uniform 400s, on whatever `HttpServer` is provided, over the `ServiceAccounts` service. The host gives its
 * login, and may add routes outside the API (a page). A host that adds endpoints to the API itself puts the same
 * pieces together around its larger API (see `Api` and `Health`).
 *
 * @example
 * ```ts
 * import { createServer } from "node:http"
 * import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
 * import { ServiceAccounts } from "@service-accounts/domain"
 * import { HttpService, type Security } from "@service-accounts/http"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Layer } from "effect"
 *
 * declare const login: Layer.Layer<Security.HostLogin>
 *
 * export const Server = HttpService.layer({ login }).pipe(
 *   Layer.provide(ServiceAccounts.layer),
 *   Layer.provide(memoryStore),
 *   Layer.provide(NodeHttpServer.layer(createServer, { port: 3000, host: "127.0.0.1" }))
 * )
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, type HttpApiEndpoint, HttpApiSwagger } from "@effect/platform"
import { Layer } from "effect"
import { ManagementApi } from "./Api.js"
import * as BadRequests from "./BadRequests.js"
import * as Handlers from "./Handlers.js"
import * as Health from "./Health.js"
import * as Security from "./Security.js"

/**
 * What `layer` serves: `ManagementApi` with the health checks.
 *
 * @since 0.1.0
 * @category api
 */
export class ServedApi extends ManagementApi.add(Health.HealthGroup) {}

/**
 * Options of `layer`.
 *
 * @since 0.1.0
 * @category models
 */
export interface Options {
  /** How people are identified for the management endpoints: the host's `HostLogin`. */
  readonly login: Layer.Layer<Security.HostLogin>
  /** Where the OpenAPI document is served. Default `/api/openapi.json`. */
  readonly openApiPath?: HttpApiEndpoint.PathSegment
  /** Where the document can be browsed. Default `/api/docs`. */
  readonly docsPath?: HttpApiEndpoint.PathSegment
  /**
   * Routes served beside the API, outside its contract and its OpenAPI document (a page, its assets): layers that
   * add them to `HttpApiBuilder.Router`, as `HttpApiBuilder.Router.use` makes them.
   */
  readonly routes?: ReadonlyArray<Layer.Layer<never>>
  /**
   * Record each request the bearer check accepts as a use of its token (see `Security.BearerOptions`). Default:
   * `true`.
   */
  readonly recordUsage?: boolean
}

/**
 * The whole HTTP service. Needs an `HttpServer` (with the platform's services) and `ServiceAccounts`.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (options: Options) => {
  const api = HttpApiBuilder.api(ServedApi).pipe(
    Layer.provide([Handlers.layer, Health.layer]),
    Layer.provide([
      options.login,
      Security.bearerLayerWith(options.recordUsage === undefined ? {} : { recordUsage: options.recordUsage })
    ])
  )
  const beside = Layer.mergeAll(
    HttpApiBuilder.middlewareOpenApi({ path: options.openApiPath ?? "/api/openapi.json" }),
    HttpApiSwagger.layer({ path: options.docsPath ?? "/api/docs" }),
    BadRequests.layer,
    ...(options.routes ?? [])
  )
  return HttpApiBuilder.serve().pipe(Layer.provide(beside), Layer.provide(api))
}
