/**
 * The management API's contract: its endpoint groups under `/api`, each with its bodies, its errors and the way its
 * caller is identified, and `ManagementApi`, the whole. The OpenAPI document is generated from it.
 *
 * A host serves more than this (a page, a health check, endpoints of its own): it adds its groups to `ManagementApi`
 * with `.add(group)`. The result keeps `ManagementApi`'s identifier, `"service-accounts"`, which the handler layers of
 * `Handlers` and `Health` are typed against, so they implement the same groups of the larger API.
 *
 * @example
 * ```ts
 * import { HttpApiEndpoint, HttpApiGroup, OpenApi } from "@effect/platform"
 * import { Api, Health } from "@service-accounts/http"
 * import { Schema } from "effect"
 *
 * // A host's API: the management endpoints, the health checks, and one endpoint of its own.
 * class VersionGroup extends HttpApiGroup.make("version").add(
 *   HttpApiEndpoint.get("version", "/version").addSuccess(Schema.Struct({ version: Schema.String }))
 * ) {}
 *
 * class HostApi extends Api.ManagementApi.add(Health.HealthGroup)
 *   .add(VersionGroup)
 *   .annotate(OpenApi.Title, "Acme's API") {}
 *
 * // Its OpenAPI document lists the management endpoints, the health checks and /version.
 * export const document = OpenApi.fromApi(HostApi)
 * ```
 *
 * @since 0.1.0
 */
import { HttpApi, HttpApiEndpoint, HttpApiGroup, HttpApiSchema, OpenApi } from "@effect/platform"
import { Schema } from "effect"
import * as ApiErrors from "./ApiErrors.js"
import * as Bodies from "./Bodies.js"
import { HostLogin, ServiceAccountBearer } from "./Security.js"

const serviceAccountId = HttpApiSchema.param("serviceAccountId", Schema.String)
const tokenId = HttpApiSchema.param("tokenId", Schema.String)

/**
 * Service accounts: list, create, get, delete. Needs a signed-in administrator (`HostLogin`).
 *
 * @since 0.1.0
 * @category groups
 */
export class ServiceAccountsGroup extends HttpApiGroup.make("serviceAccounts")
  .add(HttpApiEndpoint.get("list", "/service-accounts").addSuccess(Bodies.Directory))
  .add(
    HttpApiEndpoint.post("create", "/service-accounts")
      .setPayload(Bodies.CreateServiceAccountRequest)
      .addSuccess(Bodies.CreatedServiceAccount, { status: 201 })
      .addError(ApiErrors.DuplicateServiceAccountName)
  )
  .add(
    HttpApiEndpoint.get("get")`/service-accounts/${serviceAccountId}`
      .addSuccess(Bodies.ServiceAccountView)
      .addError(ApiErrors.ServiceAccountNotFound)
  )
  .add(
    HttpApiEndpoint.del("delete")`/service-accounts/${serviceAccountId}`
      .addSuccess(Bodies.DeletedServiceAccount)
      .addError(ApiErrors.ServiceAccountNotFound)
  )
  .addError(ApiErrors.InvalidInput)
  .addError(ApiErrors.NotAuthorized)
  .addError(ApiErrors.PlanNotEligible)
  .addError(ApiErrors.CommandIdReused)
  .addError(ApiErrors.ConcurrencyConflict)
  .addError(ApiErrors.StoreUnavailable)
  .middleware(HostLogin)
  .prefix("/api") {}

/**
 * Tokens: issue (the only response with a token value) and revoke. Needs a signed-in administrator (`HostLogin`).
 *
 * @since 0.1.0
 * @category groups
 */
export class TokensGroup extends HttpApiGroup.make("tokens")
  .add(
    HttpApiEndpoint.post("issue")`/service-accounts/${serviceAccountId}/tokens`
      .setPayload(Bodies.IssueTokenRequest)
      .addSuccess(Bodies.IssuedToken, { status: 201 })
      .addError(ApiErrors.ServiceAccountNotFound)
      .addError(ApiErrors.DuplicateTokenName)
      .addError(ApiErrors.TokenAlreadyIssued)
  )
  .add(
    HttpApiEndpoint.post("revoke")`/service-accounts/${serviceAccountId}/tokens/${tokenId}/revoke`
      .addSuccess(Bodies.RevokedToken)
      .addError(ApiErrors.ServiceAccountNotFound)
      .addError(ApiErrors.TokenNotFound)
      .addError(ApiErrors.TokenAlreadyRevoked)
  )
  .addError(ApiErrors.InvalidInput)
  .addError(ApiErrors.NotAuthorized)
  .addError(ApiErrors.PlanNotEligible)
  .addError(ApiErrors.CommandIdReused)
  .addError(ApiErrors.ConcurrencyConflict)
  .addError(ApiErrors.StoreUnavailable)
  .middleware(HostLogin)
  .prefix("/api") {}

/**
 * The audit trail: who did what, when. Needs a signed-in administrator (`HostLogin`).
 *
 * @since 0.1.0
 * @category groups
 */
export class AuditGroup extends HttpApiGroup.make("audit")
  .add(HttpApiEndpoint.get("trail", "/audit-trail").addSuccess(Schema.Array(Bodies.AuditEntry)))
  .addError(ApiErrors.InvalidInput)
  .addError(ApiErrors.NotAuthorized)
  .addError(ApiErrors.PlanNotEligible)
  .addError(ApiErrors.StoreUnavailable)
  .middleware(HostLogin)
  .prefix("/api") {}

/**
 * Usage: the organisation's report (per account, token and UTC day; `?serviceAccountId=` for one account, `?days=` for
 * the window, default 30) and the active tokens nobody used for `?days=` days (candidates to revoke). Needs a
 * signed-in administrator (`HostLogin`).
 *
 * @since 0.1.0
 * @category groups
 */
export class UsageGroup extends HttpApiGroup.make("usage")
  .add(
    HttpApiEndpoint.get("report", "/usage")
      .setUrlParams(Bodies.UsageQuery)
      .addSuccess(Bodies.UsageReport)
      .addError(ApiErrors.ServiceAccountNotFound)
  )
  .add(
    HttpApiEndpoint.get("unusedTokens", "/usage/unused-tokens")
      .setUrlParams(Bodies.UnusedTokensQuery)
      .addSuccess(Bodies.UnusedTokens)
  )
  .addError(ApiErrors.InvalidInput)
  .addError(ApiErrors.NotAuthorized)
  .addError(ApiErrors.PlanNotEligible)
  .middleware(HostLogin)
  .prefix("/api") {}

/**
 * What automation calls with a service-account token (`ServiceAccountBearer`).
 *
 * @since 0.1.0
 * @category groups
 */
export class AutomationGroup extends HttpApiGroup.make("automation")
  .add(HttpApiEndpoint.get("whoami", "/whoami").addSuccess(Bodies.WhoAmI))
  .middleware(ServiceAccountBearer)
  .prefix("/api") {}

/**
 * The management API: accounts, tokens, the audit trail, usage and the automation endpoint. `InvalidInput` is an error of
 * the whole API, so a request refused before any handler runs (a body that is not JSON) gets the same 400 body (see
 * `BadRequests`).
 *
 * @since 0.1.0
 * @category api
 */
export class ManagementApi extends HttpApi.make("service-accounts")
  .add(ServiceAccountsGroup)
  .add(TokensGroup)
  .add(AuditGroup)
  .add(UsageGroup)
  .add(AutomationGroup)
  .addError(ApiErrors.InvalidInput)
  .annotate(OpenApi.Title, "Service accounts")
  .annotate(
    OpenApi.Description,
    "Manage an organisation's service accounts and their API tokens; automation calls /api/whoami with a token."
  ) {}
