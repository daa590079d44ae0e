/**
 * Who is calling, the two ways: a signed-in person for the management endpoints (`HostLogin`, which the host
 * implements with its own session, provides `CurrentCaller`), and a service-account token for automation
 * (`ServiceAccountBearer`, implemented here by `bearerLayer` with one call to `authenticate`, which also records the
 * request as a use of the token, provides `CurrentPrincipal`). The library never authenticates people: it authorises
 * the caller the host's login hands over.
 *
 * @example
 * ```ts
 * import { HttpServerRequest } from "@effect/platform"
 * import type { CallerInput } from "@service-accounts/domain"
 * import { ApiErrors, Security } from "@service-accounts/http"
 * import { Effect, Layer } from "effect"
 *
 * // A host's login from a session cookie (`findSession` is the host's own).
 * declare const findSession: (cookie: string | undefined) => Effect.Effect<CallerInput | undefined>
 *
 * export const CookieLogin = Layer.succeed(
 *   Security.HostLogin,
 *   Effect.gen(function* () {
 *     const request = yield* HttpServerRequest.HttpServerRequest
 *     const caller = yield* findSession(request.cookies.session)
 *     if (caller === undefined) return yield* new ApiErrors.SignInRequired({ message: "sign in first" })
 *     return caller
 *   })
 * )
 *
 * // The bearer check automation goes through, over the `ServiceAccounts` service: each accepted request is
 * // recorded as a use of its token.
 * export const Bearer = Security.bearerLayer
 *
 * // A host whose handlers report each use themselves, with the units they charge, turns that off.
 * export const BearerWithoutRecording = Security.bearerLayerWith({ recordUsage: false })
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiError, HttpApiMiddleware, HttpApiSecurity, HttpApp, HttpServerResponse } from "@effect/platform"
import { type CallerInput, type Principal, ServiceAccounts } from "@service-accounts/domain"
import { Context, Effect, Layer, Schema } from "effect"
import * as ApiErrors from "./ApiErrors.js"

/**
 * The person behind a management request, as the host's login established it.
 *
 * @since 0.1.0
 * @category tags
 */
export class CurrentCaller extends Context.Tag("@service-accounts/http/CurrentCaller")<CurrentCaller, CallerInput>() {}

/**
 * Establishes `CurrentCaller` for the management endpoints. The host implements it from its own session (a cookie,
 * an OIDC token…) and its own records of the organisation's plan and tenant URL. It refuses with `SignInRequired`
 * (401) when nobody is signed in, or `InvalidInput` (400) when the request names a caller it cannot read.
 *
 * @since 0.1.0
 * @category tags
 */
export class HostLogin extends HttpApiMiddleware.Tag<HostLogin>()("@service-accounts/http/HostLogin", {
  provides: CurrentCaller,
  failure: Schema.Union(ApiErrors.SignInRequired, ApiErrors.InvalidInput)
}) {}

/**
 * The service account behind an automation request, as `authenticate` answered for its bearer token.
 *
 * @since 0.1.0
 * @category tags
 */
export class CurrentPrincipal extends Context.Tag("@service-accounts/http/CurrentPrincipal")<
  CurrentPrincipal,
  Principal
>() {}

/**
 * Accepts a service-account token as `Authorization: Bearer <token>`; any failure is a bare 401.
 *
 * @since 0.1.0
 * @category tags
 */
export class ServiceAccountBearer extends HttpApiMiddleware.Tag<ServiceAccountBearer>()(
  "@service-accounts/http/ServiceAccountBearer",
  {
    provides: CurrentPrincipal,
    failure: HttpApiError.Unauthorized,
    security: { bearer: HttpApiSecurity.bearer }
  }
) {}

/**
 * The `WWW-Authenticate` challenge every refused bearer token is answered with.
 *
 * @since 0.1.0
 * @category constants
 */
export const challenge = 'Bearer realm="service-accounts"'

const withChallenge = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "www-authenticate", challenge))
)

/**
 * Options of `bearerLayerWith`.
 *
 * @since 0.1.0
 * @category models
 */
export interface BearerOptions {
  /**
   * Record each accepted request as a use of its token — one request, no units — with
   * `authenticate(value, { record: true })`: the token's last use and its account's daily usage then count every
   * request through the middleware. Uses are summed in memory and flushed in batches, never waiting for the store
   * (ADR 0011). Turn it off when the host's own handlers report uses with `recordUsage` (with the units they
   * charge), or the requests would be counted twice. Default: `true`.
   */
  readonly recordUsage?: boolean
}

/**
 * `ServiceAccountBearer` over the `ServiceAccounts` service: one call to `authenticate`, which records the request as
 * a use of the token unless `recordUsage` is `false`. Whatever went wrong (no header, malformed, bad checksum,
 * unknown, revoked, account deleted) the answer is the same empty 401 with the `WWW-Authenticate` challenge; the cause
 * is in the library's debug log and failure counter only, and a refused request records nothing.
 *
 * @since 0.1.0
 * @category layers
 */
export const bearerLayerWith = (
  options: BearerOptions = {}
): Layer.Layer<ServiceAccountBearer, never, ServiceAccounts> => {
  const authenticateOptions = { record: options.recordUsage ?? true }
  return Layer.effect(
    ServiceAccountBearer,
    Effect.map(ServiceAccounts, (service) =>
      ServiceAccountBearer.of({
        bearer: (token) =>
          service
            .authenticate(token, authenticateOptions)
            .pipe(Effect.catchAll(() => Effect.zipRight(withChallenge, Effect.fail(new HttpApiError.Unauthorized()))))
      })
    )
  )
}

/**
 * `bearerLayerWith()`: the bearer check with its defaults, recording each accepted request as a use of its token.
 *
 * @since 0.1.0
 * @category layers
 */
export const bearerLayer: Layer.Layer<ServiceAccountBearer, never, ServiceAccounts> = bearerLayerWith()
