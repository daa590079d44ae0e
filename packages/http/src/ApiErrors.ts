/**
 * The error bodies of the HTTP API: one class per answer, each with its status (which is what `HttpApi` answers with
 * and what the OpenAPI document lists). The body's `_tag` is the library's error name, so a client switches on the
 * names the library documents. Which library error becomes which of these is `ErrorMapping.table`.
 *
 * @example
 * ```ts
 * import { ApiErrors } from "@service-accounts/http"
 * import { Schema } from "effect"
 *
 * // A host's login that finds no session refuses with the API's 401 body.
 * const refusal = new ApiErrors.SignInRequired({ message: "sign in first" })
 *
 * // A client reads a refusal of the API with the same schema.
 * const body = Schema.decodeUnknownSync(ApiErrors.InvalidInput)({
 *   _tag: "InvalidInput",
 *   message: "name: a service account name must not be empty",
 *   field: "name",
 *   issues: [{ path: "name", message: "a service account name must not be empty" }]
 * })
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiSchema } from "@effect/platform"
import { Schema } from "effect"

/**
 * One problem with the input: where (`name`, `scopes.0`) and what.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Issue = Schema.Struct({ path: Schema.String, message: Schema.String })

/**
 * 400: the input (body, path, or the caller the host's login handed over) is not acceptable; `field` names the first
 * field at fault.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>("InvalidInputResponse")(
  "InvalidInput",
  { message: Schema.String, field: Schema.String, issues: Schema.Array(Issue) },
  HttpApiSchema.annotations({ status: 400, description: "The input is not acceptable" })
) {}

/**
 * 401: the host's login found no (known) user.
 *
 * @since 0.1.0
 * @category errors
 */
export class SignInRequired extends Schema.TaggedError<SignInRequired>("SignInRequiredResponse")(
  "SignInRequired",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "No signed-in user" })
) {}

/**
 * 403: the caller is not an administrator of their organisation.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAuthorized extends Schema.TaggedError<NotAuthorized>("NotAuthorizedResponse")(
  "NotAuthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "Only an administrator may manage service accounts" })
) {}

/**
 * 403: the caller's organisation is not on the Enterprise plan.
 *
 * @since 0.1.0
 * @category errors
 */
export class PlanNotEligible extends Schema.TaggedError<PlanNotEligible>("PlanNotEligibleResponse")(
  "PlanNotEligible",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "Service accounts need the Enterprise plan" })
) {}

/**
 * 404: no such live account in the caller's organisation (another organisation's accounts included).
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceAccountNotFound extends Schema.TaggedError<ServiceAccountNotFound>(
  "ServiceAccountNotFoundResponse"
)(
  "ServiceAccountNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No such service account" })
) {}

/**
 * 404: no such token on that account.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenNotFound extends Schema.TaggedError<TokenNotFound>("TokenNotFoundResponse")(
  "TokenNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No such token" })
) {}

/**
 * 409: the name is taken by another live account of the organisation.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateServiceAccountName extends Schema.TaggedError<DuplicateServiceAccountName>(
  "DuplicateServiceAccountNameResponse"
)(
  "DuplicateServiceAccountName",
  { message: Schema.String, field: Schema.Literal("name") },
  HttpApiSchema.annotations({ status: 409, description: "The account name is taken" })
) {}

/**
 * 409: the name is taken by another active token of the account.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateTokenName extends Schema.TaggedError<DuplicateTokenName>("DuplicateTokenNameResponse")(
  "DuplicateTokenName",
  { message: Schema.String, field: Schema.Literal("name") },
  HttpApiSchema.annotations({ status: 409, description: "The token name is taken" })
) {}

/**
 * 409: revocation is permanent and already happened.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenAlreadyRevoked extends Schema.TaggedError<TokenAlreadyRevoked>("TokenAlreadyRevokedResponse")(
  "TokenAlreadyRevoked",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "The token is already revoked" })
) {}

/**
 * 409: this idempotency key already issued a token; its value was shown then and is never shown again.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenAlreadyIssued extends Schema.TaggedError<TokenAlreadyIssued>("TokenAlreadyIssuedResponse")(
  "TokenAlreadyIssued",
  { message: Schema.String, tokenId: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "This idempotency key already issued a token" })
) {}

/**
 * 422: the idempotency key was used before for a different request (as the IETF Idempotency-Key draft says).
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandIdReused extends Schema.TaggedError<CommandIdReused>("CommandIdReusedResponse")(
  "CommandIdReused",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 422, description: "The idempotency key was used for a different request" })
) {}

/**
 * 409: other writers kept changing the organisation's accounts; the request may be sent again.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>("ConcurrencyConflictResponse")(
  "ConcurrencyConflict",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "A concurrent change won; try again" })
) {}

/**
 * 503: the event store failed; the request may be sent again. The detail goes to the server's log only.
 *
 * @since 0.1.0
 * @category errors
 */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>("StoreUnavailableResponse")(
  "StoreUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503, description: "The event store is unavailable; try again" })
) {}
