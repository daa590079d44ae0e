/**
 * Health checks for a load balancer or an orchestrator: `GET /healthz` answers 200 while the process serves requests
 * (liveness); `GET /readyz` answers 200 while the service can answer — its read models have caught up with the store
 * and are not past `maxStaleness`, `ServiceAccounts.readiness` — and 503 otherwise (readiness), so traffic goes
 * elsewhere while a process starts in the background or has lost the store. Neither needs a caller.
 *
 * @example
 * ```ts
 * import { HttpApiBuilder } from "@effect/platform"
 * import { Api, Handlers, Health, Security } from "@service-accounts/http"
 * import { Layer } from "effect"
 *
 * declare const login: Layer.Layer<Security.HostLogin>
 *
 * class HostApi extends Api.ManagementApi.add(Health.HealthGroup) {}
 *
 * export const ApiLive = HttpApiBuilder.api(HostApi).pipe(
 *   Layer.provide([Handlers.layer, Health.layer]),
 *   Layer.provide([login, Security.bearerLayer])
 * )
 * ```
 *
 * @since 0.1.0
 */
import {
  HttpApiBuilder,
  HttpApiEndpoint,
  HttpApiGroup,
  HttpApiSchema,
  HttpApp,
  HttpServerResponse
} from "@effect/platform"
import { ServiceAccounts } from "@service-accounts/domain"
import { Effect, Schema } from "effect"
import { ManagementApi } from "./Api.js"

/**
 * The answer of `/healthz`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Live = Schema.Struct({ status: Schema.Literal("live") }).annotations({ identifier: "Live" })

/**
 * The answer of `/readyz` while the service can answer.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Ready = Schema.Struct({
  ready: Schema.Literal(true),
  caughtUp: Schema.Boolean,
  stale: Schema.Boolean
}).annotations({ identifier: "Ready" })

/**
 * 503, the answer of `/readyz` while the service cannot answer: it has not caught up with the store yet
 * (`caughtUp: false`), or it has not heard from the store for longer than `maxStaleness` (`stale: true`).
 *
 * @since 0.1.0
 * @category errors
 */
export class NotReady extends Schema.TaggedError<NotReady>("NotReadyResponse")(
  "NotReady",
  { message: Schema.String, ready: Schema.Literal(false), caughtUp: Schema.Boolean, stale: Schema.Boolean },
  HttpApiSchema.annotations({ status: 503, description: "The service cannot answer yet, or not any more" })
) {}

/**
 * `GET /healthz` and `GET /readyz`, at the root of the server.
 *
 * @since 0.1.0
 * @category groups
 */
export class HealthGroup extends HttpApiGroup.make("health")
  .add(HttpApiEndpoint.get("live", "/healthz").addSuccess(Live))
  .add(HttpApiEndpoint.get("ready", "/readyz").addSuccess(Ready).addError(NotReady)) {}

// The management API with the health checks: what `layer` is typed against (see `Api`).
class WithHealth extends ManagementApi.add(HealthGroup) {}

/** A health answer is about this moment: no cache may keep it. */
const noStore = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "cache-control", "no-store"))
)

/**
 * `HealthGroup` over the `ServiceAccounts` service.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.group(WithHealth, "health", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers
      .handle("live", () => Effect.as(noStore, { status: "live" as const }))
      .handle("ready", () =>
        Effect.zipRight(
          noStore,
          Effect.flatMap(service.readiness, ({ ready, caughtUp, stale }) =>
            ready
              ? Effect.succeed({ ready, caughtUp, stale })
              : Effect.fail(
                  new NotReady({
                    message: caughtUp
                      ? "the service has not heard from the event store for too long"
                      : "the service is still catching up with the event store",
                    ready,
                    caughtUp,
                    stale
                  })
                )
          )
        )
      )
  })
)
