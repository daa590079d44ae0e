/**
 * The HTTP contract: endpoints, request and response bodies, errors and the two ways a caller is identified
 * (a signed-in person for management, a service-account bearer token for automation). The OpenAPI document
 * at `/api/openapi.json` is generated from this definition.
 */
import {
  HttpApi,
  HttpApiEndpoint,
  HttpApiError,
  HttpApiGroup,
  HttpApiMiddleware,
  HttpApiSchema,
  HttpApiSecurity,
  OpenApi
} from "@effect/platform"
import { type CallerInput, type Principal, Scope } from "@service-accounts/domain"
import { Context, Schema } from "effect"
import * as ApiErrors from "./ApiErrors.js"

// ---------------------------------------------------------------------------------------------------------------
// Who is calling
// ---------------------------------------------------------------------------------------------------------------

/** The person behind a management request, as the host's login established it. */
export class CurrentCaller extends Context.Tag("example-http-service/CurrentCaller")<CurrentCaller, CallerInput>() {}

/**
 * Establishes `CurrentCaller` for the management endpoints. The example implements it with `DemoLogin.layer`,
 * a stand-in that trusts request headers; a host implements it with its own session (a cookie, an OIDC token…).
 */
export class HostLogin extends HttpApiMiddleware.Tag<HostLogin>()("HostLogin", {
  provides: CurrentCaller,
  failure: ApiErrors.SignInRequired
}) {}

/** The service account behind an automation request, as `authenticate` answered for its bearer token. */
export class CurrentPrincipal extends Context.Tag("example-http-service/CurrentPrincipal")<
  CurrentPrincipal,
  Principal
>() {}

/** Accepts a service-account token as `Authorization: Bearer <token>`; any failure is a bare 401. */
export class ServiceAccountBearer extends HttpApiMiddleware.Tag<ServiceAccountBearer>()("ServiceAccountBearer", {
  provides: CurrentPrincipal,
  failure: HttpApiError.Unauthorized,
  security: { bearer: HttpApiSecurity.bearer }
}) {}

// ---------------------------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------------------------

// The shapes here are structural only (a string where a string belongs); the library decides what a valid name,
// description or scope is and answers `InvalidInput` naming the field. Messages never repeat the input.
const text = (what: string) => Schema.String.annotations({ message: () => `${what} must be a string` })

const Actor = Schema.Struct({ userId: Schema.String, role: Schema.String })

export const CreateServiceAccountRequest = Schema.Struct({
  name: text("name"),
  description: Schema.optionalWith(text("description"), { exact: true })
}).annotations({ identifier: "CreateServiceAccountRequest" })

export const CreatedServiceAccount = Schema.Struct({
  serviceAccountId: Schema.String,
  name: Schema.String
}).annotations({ identifier: "CreatedServiceAccount" })

export const TokenView = Schema.Struct({
  tokenId: Schema.String,
  name: Schema.String,
  /** The last characters of the value: enough to recognise a token, useless to an attacker. */
  hint: Schema.String,
  scopes: Schema.Array(Schema.String),
  status: Schema.Literal("active", "revoked"),
  issuedAt: Schema.DateTimeUtc,
  issuedBy: Actor,
  revokedAt: Schema.optional(Schema.DateTimeUtc),
  revokedBy: Schema.optional(Actor),
  revocationReason: Schema.optional(Schema.Literal("Manual", "ServiceAccountDeleted"))
}).annotations({ identifier: "Token" })

export const ServiceAccountView = Schema.Struct({
  serviceAccountId: Schema.String,
  name: Schema.String,
  description: Schema.optional(Schema.String),
  status: Schema.Literal("active", "deleted"),
  createdAt: Schema.DateTimeUtc,
  createdBy: Actor,
  tokens: Schema.Array(TokenView)
}).annotations({ identifier: "ServiceAccount" })

export const Directory = Schema.Struct({
  organizationId: Schema.String,
  tenantUrl: Schema.String,
  accounts: Schema.Array(ServiceAccountView)
}).annotations({ identifier: "Directory" })

export const DeletedServiceAccount = Schema.Struct({
  serviceAccountId: Schema.String,
  revokedTokenIds: Schema.Array(Schema.String)
}).annotations({ identifier: "DeletedServiceAccount" })

export const IssueTokenRequest = Schema.Struct({
  name: text("name"),
  /** Default `["read", "write"]`. */
  scopes: Schema.optionalWith(
    Schema.Array(
      Schema.Literal(...Scope.literals).annotations({
        message: () => ({
          message: `a scope must be one of ${Scope.literals.map((s) => `"${s}"`).join(", ")}`,
          override: true
        })
      })
    ).annotations({ message: () => "scopes must be an array" }),
    { exact: true }
  )
}).annotations({ identifier: "IssueTokenRequest" })

/**
 * The one response that carries a token value. `value` and `sessionJson` are `Redacted` until this body is
 * written, so they cannot reach a log on the way.
 */
export const IssuedToken = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  name: Schema.String,
  scopes: Schema.Array(Schema.String),
  hint: Schema.String,
  value: Schema.Redacted(Schema.String),
  /** The ready-to-save `session.json`: `{"accessToken": …, "tenantURL": …, "scopes": […]}`. */
  sessionJson: Schema.Redacted(Schema.String)
}).annotations({ identifier: "IssuedToken" })

export const RevokedToken = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String
}).annotations({ identifier: "RevokedToken" })

export const AuditEntry = Schema.Struct({
  position: Schema.BigInt,
  occurredAt: Schema.DateTimeUtc,
  actor: Actor,
  action: Schema.String,
  serviceAccountId: Schema.String,
  tokenId: Schema.optional(Schema.String),
  summary: Schema.String
}).annotations({ identifier: "AuditEntry" })

export const WhoAmI = Schema.Struct({
  organizationId: Schema.String,
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  scopes: Schema.Array(Schema.String)
}).annotations({ identifier: "WhoAmI" })

export const DemoOrganization = Schema.Struct({
  id: Schema.String,
  name: Schema.String,
  plan: Schema.String,
  tenantUrl: Schema.String
}).annotations({ identifier: "DemoOrganization" })

// ---------------------------------------------------------------------------------------------------------------
// Endpoints
// ---------------------------------------------------------------------------------------------------------------

const serviceAccountId = HttpApiSchema.param("serviceAccountId", Schema.String)
const tokenId = HttpApiSchema.param("tokenId", Schema.String)

/** Service accounts: list, create, get, delete. Needs a signed-in administrator. */
export class ServiceAccountsGroup extends HttpApiGroup.make("serviceAccounts")
  .add(HttpApiEndpoint.get("list", "/service-accounts").addSuccess(Directory))
  .add(
    HttpApiEndpoint.post("create", "/service-accounts")
      .setPayload(CreateServiceAccountRequest)
      .addSuccess(CreatedServiceAccount, { status: 201 })
      .addError(ApiErrors.DuplicateServiceAccountName)
  )
  .add(
    HttpApiEndpoint.get("get")`/service-accounts/${serviceAccountId}`
      .addSuccess(ServiceAccountView)
      .addError(ApiErrors.ServiceAccountNotFound)
  )
  .add(
    HttpApiEndpoint.del("delete")`/service-accounts/${serviceAccountId}`
      .addSuccess(DeletedServiceAccount)
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

/** Tokens: issue (the only response with a token value) and revoke. Needs a signed-in administrator. */
export class TokensGroup extends HttpApiGroup.make("tokens")
  .add(
    HttpApiEndpoint.post("issue")`/service-accounts/${serviceAccountId}/tokens`
      .setPayload(IssueTokenRequest)
      .addSuccess(IssuedToken, { status: 201 })
      .addError(ApiErrors.ServiceAccountNotFound)
      .addError(ApiErrors.DuplicateTokenName)
      .addError(ApiErrors.TokenAlreadyIssued)
  )
  .add(
    HttpApiEndpoint.post("revoke")`/service-accounts/${serviceAccountId}/tokens/${tokenId}/revoke`
      .addSuccess(RevokedToken)
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

/** The audit trail: who did what, when. Needs a signed-in administrator. */
export class AuditGroup extends HttpApiGroup.make("audit")
  .add(HttpApiEndpoint.get("trail", "/audit-trail").addSuccess(Schema.Array(AuditEntry)))
  .addError(ApiErrors.InvalidInput)
  .addError(ApiErrors.NotAuthorized)
  .addError(ApiErrors.PlanNotEligible)
  .addError(ApiErrors.StoreUnavailable)
  .middleware(HostLogin)
  .prefix("/api") {}

/** What automation calls with a service-account token. */
export class AutomationGroup extends HttpApiGroup.make("automation")
  .add(HttpApiEndpoint.get("whoami", "/whoami").addSuccess(WhoAmI))
  .middleware(ServiceAccountBearer)
  .prefix("/api") {}

/** The example's stand-in login: which demo organisations exist. Not part of a real host. */
export class DemoGroup extends HttpApiGroup.make("demo")
  .add(HttpApiEndpoint.get("organizations", "/demo/organizations").addSuccess(Schema.Array(DemoOrganization)))
  .prefix("/api") {}

/** The whole API. */
export class ServiceAccountsApi extends HttpApi.make("service-accounts")
  .add(ServiceAccountsGroup)
  .add(TokensGroup)
  .add(AuditGroup)
  .add(AutomationGroup)
  .add(DemoGroup)
  .addError(ApiErrors.InvalidInput)
  .annotate(OpenApi.Title, "Service accounts (example)")
  .annotate(
    OpenApi.Description,
    "Manage an organisation's service accounts and their API tokens; automation calls /api/whoami with a token."
  ) {}
