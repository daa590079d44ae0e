/**
 * The management endpoints' implementations: each calls the library with the caller the host's login established
 * (`CurrentCaller`) and answers the library's typed errors by `ErrorMapping.table`. No business rule lives here.
 *
 * @example
 * ```ts
 * import { HttpApiBuilder } from "@effect/platform"
 * import { Api, Handlers, Security } from "@service-accounts/http"
 * import { Layer } from "effect"
 *
 * // The management API with its handlers, given the host's login and the `ServiceAccounts` service.
 * declare const login: Layer.Layer<Security.HostLogin>
 *
 * export const ApiLive = HttpApiBuilder.api(Api.ManagementApi).pipe(
 *   Layer.provide(Handlers.layer),
 *   Layer.provide([login, Security.bearerLayer])
 * )
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpApp, HttpServerResponse } from "@effect/platform"
import { ServiceAccounts, type UsageReport } from "@service-accounts/domain"
import { DateTime, Effect, Layer } from "effect"
import { ManagementApi } from "./Api.js"
import type * as Bodies from "./Bodies.js"
import { InvalidInput } from "./ApiErrors.js"
import { fromLibrary } from "./ErrorMapping.js"
import { CurrentCaller, CurrentPrincipal } from "./Security.js"

/** Answers must not be kept by a browser or a proxy: the issue response carries a secret. */
const noStore = HttpApp.appendPreResponseHandler((_request, response) =>
  Effect.succeed(HttpServerResponse.setHeader(response, "cache-control", "no-store"))
)

/**
 * `ServiceAccountsGroup`: list, create, get, delete.
 *
 * @since 0.1.0
 * @category layers
 */
export const ServiceAccountsLive = HttpApiBuilder.group(ManagementApi, "serviceAccounts", (handlers) =>
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

/**
 * `TokensGroup`: issue (with `Cache-Control: no-store`) and revoke.
 *
 * @since 0.1.0
 * @category layers
 */
export const TokensLive = HttpApiBuilder.group(ManagementApi, "tokens", (handlers) =>
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

/**
 * `AuditGroup`: the organisation's audit trail.
 *
 * @since 0.1.0
 * @category layers
 */
export const AuditLive = HttpApiBuilder.group(ManagementApi, "audit", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers.handle("trail", () =>
      Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.auditTrail(caller)))
    )
  })
)

// The library reports times as `Date`s; the bodies carry them as `DateTime.Utc`s, like the listings' times.
const utc = <T extends { readonly lastUsedAt?: Date }>(
  item: T
): Omit<T, "lastUsedAt"> & { readonly lastUsedAt?: DateTime.Utc } => {
  const { lastUsedAt, ...rest } = item
  return lastUsedAt === undefined ? rest : { ...rest, lastUsedAt: DateTime.unsafeFromDate(lastUsedAt) }
}

const reportBody = (report: UsageReport): typeof Bodies.UsageReport.Type => ({
  ...report,
  accounts: report.accounts.map((account) => ({ ...utc(account), tokens: account.tokens.map(utc) }))
})

/**
 * `UsageGroup`: the usage report and the unused tokens.
 *
 * @since 0.1.0
 * @category layers
 */
export const UsageLive = HttpApiBuilder.group(ManagementApi, "usage", (handlers) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    return handlers
      .handle("report", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.usage(caller, urlParams))).pipe(
          Effect.map(reportBody)
        )
      )
      .handle("unusedTokens", ({ urlParams }) =>
        Effect.flatMap(CurrentCaller, (caller) => fromLibrary(service.unusedTokens(caller, urlParams))).pipe(
          Effect.map((tokens) => ({
            days: urlParams.days,
            tokens: tokens.map((token) => ({ ...utc(token), issuedAt: DateTime.unsafeFromDate(token.issuedAt) }))
          }))
        )
      )
  })
)

/**
 * `AutomationGroup`: who the bearer token stands for.
 *
 * @since 0.1.0
 * @category layers
 */
export const AutomationLive = HttpApiBuilder.group(ManagementApi, "automation", (handlers) =>
  handlers.handle("whoami", () =>
    Effect.map(CurrentPrincipal, ({ organizationId, serviceAccountId, tokenId, scopes }) => ({
      organizationId,
      serviceAccountId,
      tokenId,
      scopes
    }))
  )
)

/**
 * Every group of `ManagementApi`, implemented. Needs the `ServiceAccounts` service, the host's `HostLogin` and the
 * bearer check (`Security.bearerLayer`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = Layer.mergeAll(ServiceAccountsLive, TokensLive, AuditLive, UsageLive, AutomationLive)
