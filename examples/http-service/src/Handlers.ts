/**
 * The endpoints' implementations: each one calls the library with the caller the host's login established and
 * turns the library's typed errors into HTTP errors (`ApiErrors.fromLibrary`). No business rule lives here.
 */
import { HttpApiBuilder, HttpApiError, HttpApp, HttpServerResponse } from "@effect/platform"
import { ServiceAccounts } from "@service-accounts/domain"
import { Effect, Layer } from "effect"
import { CurrentCaller, CurrentPrincipal, ServiceAccountBearer, ServiceAccountsApi } from "./Api.js"
import { fromLibrary, InvalidInput } from "./ApiErrors.js"
import type { DemoOrganization } from "./DemoLogin.js"

/** Answers must not be kept by a browser or a proxy: the issue response carries a secret. */
const noStore = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "cache-control", "no-store"))
)

export const ServiceAccountsLive = HttpApiBuilder.group(ServiceAccountsApi, "serviceAccounts", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers
      .handle("list", () => Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.list(caller))))
      .handle("create", ({ payload }) =>
        Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.create(caller, payload))).pipe(
          Effect.map(({ serviceAccountId, name }) => ({ serviceAccountId, name }))
        )
      )
      .handle("get", ({ path }) =>
        Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.get(caller, path.serviceAccountId))).pipe(
          // `get` takes the bare id, so the library cannot name the field; the path parameter is it.
          Effect.mapError((error) =>
            error._tag === "InvalidInput" && error.field === "(input)"
              ? new InvalidInput({ message: error.message, field: "serviceAccountId", issues: error.issues })
              : error
          )
        )
      )
      .handle("delete", ({ path }) =>
        Effect.flatMap(CurrentCaller, (caller) =>
          fromLibrary(service.delete(caller, { serviceAccountId: path.serviceAccountId }))
        ).pipe(Effect.map(({ serviceAccountId, revokedTokenIds }) => ({ serviceAccountId, revokedTokenIds })))
      )
  })
)

export const TokensLive = HttpApiBuilder.group(ServiceAccountsApi, "tokens", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers
      .handle("issue", ({ path, payload }) =>
        Effect.gen(function* () {
          yield* noStore
          const caller = yield* CurrentCaller
          const issued = yield* fromLibrary(
            service.issueToken(caller, {
              serviceAccountId: path.serviceAccountId,
              name: payload.name,
              ...(payload.scopes === undefined ? {} : { scopes: payload.scopes })
            })
          )
          // `value` and `sessionJson` stay `Redacted` until the body is encoded.
          const { serviceAccountId, tokenId, name, scopes, hint, value, sessionJson } = issued
          return { serviceAccountId, tokenId, name, scopes, hint, value, sessionJson }
        })
      )
      .handle("revoke", ({ path }) =>
        Effect.flatMap(CurrentCaller, (caller) =>
          fromLibrary(service.revokeToken(caller, { serviceAccountId: path.serviceAccountId, tokenId: path.tokenId }))
        ).pipe(Effect.map(({ serviceAccountId, tokenId }) => ({ serviceAccountId, tokenId })))
      )
  })
)

export const AuditLive = HttpApiBuilder.group(ServiceAccountsApi, "audit", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers.handle("trail", () =>
      Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.auditTrail(caller)))
    )
  })
)

export const AutomationLive = HttpApiBuilder.group(ServiceAccountsApi, "automation", (handlers) =>
  handlers.handle("whoami", () =>
    Effect.map(CurrentPrincipal, ({ organizationId, serviceAccountId, tokenId, scopes }) => ({
      organizationId,
      serviceAccountId,
      tokenId,
      scopes
    }))
  )
)

export const DemoLive = (organizations: ReadonlyArray<DemoOrganization>) =>
  HttpApiBuilder.group(ServiceAccountsApi, "demo", (handlers) =>
    handlers.handle("organizations", () => Effect.succeed(organizations))
  )

const challenge = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "www-authenticate", 'Bearer realm="service-accounts"'))
)

/**
 * The bearer-token check automation goes through: one call to `authenticate`. Whatever went wrong (no header,
 * malformed, unknown, revoked, account deleted) the answer is the same bare 401; the cause is in the library's
 * debug log and failure counter only.
 */
export const ServiceAccountBearerLive = Layer.effect(
  ServiceAccountBearer,
  Effect.map(ServiceAccounts, (service) =>
    ServiceAccountBearer.of({
      bearer: (token) =>
        service
          .authenticate(token)
          .pipe(Effect.catchAll(() => Effect.zipRight(challenge, Effect.fail(new HttpApiError.Unauthorized()))))
    })
  )
)
