/**
 * The error bodies of the HTTP API, one class per library error, each with its status. The body's `_tag` is the
 * library's error name, so a client switches on the same names the library documents.
 *
 * Messages are the library's own (they never repeat secret input), except for store failures and
 * concurrency conflicts, whose details are internal: those get a fixed message and go to the server log.
 */
import { HttpApiSchema } from "@effect/platform"
import type { ServiceAccountsShape } from "@service-accounts/domain"
import { Effect, Schema } from "effect"

/** One problem with the input: where (`name`, `scopes.0`) and what. */
export const Issue = Schema.Struct({ path: Schema.String, message: Schema.String })

/** 400: the input (body, path or caller) is not acceptable; `field` names the first field at fault. */
export class InvalidInput extends Schema.TaggedError<InvalidInput>("InvalidInputResponse")(
  "InvalidInput",
  { message: Schema.String, field: Schema.String, issues: Schema.Array(Issue) },
  HttpApiSchema.annotations({ status: 400, description: "The input is not acceptable" })
) {}

/** 401: the example's stand-in login found no (known) user; see `DemoLogin.ts`. */
export class SignInRequired extends Schema.TaggedError<SignInRequired>("SignInRequiredResponse")(
  "SignInRequired",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 401, description: "No signed-in user" })
) {}

/** 403: the caller is not an administrator of their organisation. */
export class NotAuthorized extends Schema.TaggedError<NotAuthorized>("NotAuthorizedResponse")(
  "NotAuthorized",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "Only an administrator may manage service accounts" })
) {}

/** 403: the caller's organisation is not on the Enterprise plan. */
export class PlanNotEligible extends Schema.TaggedError<PlanNotEligible>("PlanNotEligibleResponse")(
  "PlanNotEligible",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 403, description: "Service accounts need the Enterprise plan" })
) {}

/** 404: no such live account in the caller's organisation (another organisation's accounts included). */
export class ServiceAccountNotFound extends Schema.TaggedError<ServiceAccountNotFound>(
  "ServiceAccountNotFoundResponse"
)(
  "ServiceAccountNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No such service account" })
) {}

/** 404: no such token on that account. */
export class TokenNotFound extends Schema.TaggedError<TokenNotFound>("TokenNotFoundResponse")(
  "TokenNotFound",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 404, description: "No such token" })
) {}

/** 409: the name is taken by another live account of the organisation. */
export class DuplicateServiceAccountName extends Schema.TaggedError<DuplicateServiceAccountName>(
  "DuplicateServiceAccountNameResponse"
)(
  "DuplicateServiceAccountName",
  { message: Schema.String, field: Schema.Literal("name") },
  HttpApiSchema.annotations({ status: 409, description: "The account name is taken" })
) {}

/** 409: the name is taken by another active token of the account. */
export class DuplicateTokenName extends Schema.TaggedError<DuplicateTokenName>("DuplicateTokenNameResponse")(
  "DuplicateTokenName",
  { message: Schema.String, field: Schema.Literal("name") },
  HttpApiSchema.annotations({ status: 409, description: "The token name is taken" })
) {}

/** 409: revocation is permanent and already happened. */
export class TokenAlreadyRevoked extends Schema.TaggedError<TokenAlreadyRevoked>("TokenAlreadyRevokedResponse")(
  "TokenAlreadyRevoked",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "The token is already revoked" })
) {}

/** 409: this idempotency key already issued a token; its value was shown then and is never shown again. */
export class TokenAlreadyIssued extends Schema.TaggedError<TokenAlreadyIssued>("TokenAlreadyIssuedResponse")(
  "TokenAlreadyIssued",
  { message: Schema.String, tokenId: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "This idempotency key already issued a token" })
) {}

/** 422: the idempotency key was used before for a different request (as the IETF Idempotency-Key draft says). */
export class CommandIdReused extends Schema.TaggedError<CommandIdReused>("CommandIdReusedResponse")(
  "CommandIdReused",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 422, description: "The idempotency key was used for a different request" })
) {}

/** 409: other writers kept changing the organisation's accounts; the request may be sent again. */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>("ConcurrencyConflictResponse")(
  "ConcurrencyConflict",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 409, description: "A concurrent change won; try again" })
) {}

/** 503: the event store failed; the request may be sent again. */
export class StoreUnavailable extends Schema.TaggedError<StoreUnavailable>("StoreUnavailableResponse")(
  "StoreUnavailable",
  { message: Schema.String },
  HttpApiSchema.annotations({ status: 503, description: "The event store is unavailable; try again" })
) {}

/** The errors every call can meet before anything is looked up, plus store failures. */
export const accessErrors = [InvalidInput, NotAuthorized, PlanNotEligible, StoreUnavailable] as const
/** What every command can meet besides its own refusals. */
export const commandErrors = [...accessErrors, CommandIdReused, ConcurrencyConflict] as const

/** The service's methods (not its status effects, `freshness`, `readiness`, `snapshot`). */
type Method = {
  readonly [K in keyof ServiceAccountsShape]: ServiceAccountsShape[K] extends (...args: never) => unknown ? K : never
}[keyof ServiceAccountsShape]

type ErrorOf<K extends Method> =
  ReturnType<ServiceAccountsShape[K]> extends Effect.Effect<infer _A, infer E, infer _R> ? E : never

/** Every error any method of the service can fail with (authenticate's is handled by the bearer middleware). */
export type LibraryError = ErrorOf<"create" | "issueToken" | "revokeToken" | "delete" | "list" | "get" | "auditTrail">

/** The HTTP error of each library error, by `_tag`. */
interface HttpErrors {
  readonly InvalidInput: InvalidInput
  readonly NotAuthorized: NotAuthorized
  readonly PlanNotEligible: PlanNotEligible
  readonly ServiceAccountNotFound: ServiceAccountNotFound
  readonly TokenNotFound: TokenNotFound
  readonly DuplicateServiceAccountName: DuplicateServiceAccountName
  readonly DuplicateTokenName: DuplicateTokenName
  readonly TokenAlreadyRevoked: TokenAlreadyRevoked
  readonly TokenAlreadyIssued: TokenAlreadyIssued
  readonly CommandIdReused: CommandIdReused
  readonly ConcurrencyConflict: ConcurrencyConflict
  readonly StreamDeleted: StoreUnavailable
  readonly EventStoreUnavailable: StoreUnavailable
  readonly CorruptStoredEvent: StoreUnavailable
}

/** The HTTP errors a call failing with `E` can answer with (distributes over a union). */
export type HttpErrorFor<E extends LibraryError> = E extends { readonly _tag: infer T extends keyof HttpErrors }
  ? HttpErrors[T]
  : never

const toHttpError = <E extends LibraryError>(error: E): Effect.Effect<never, HttpErrorFor<E>> => {
  const failed = toAnyHttpError(error)
  // `toAnyHttpError` maps each tag to the error `HttpErrors` names for it, so this narrowing is what it does.
  return failed as Effect.Effect<never, HttpErrorFor<E>>
}

const toAnyHttpError = (error: LibraryError): Effect.Effect<never, HttpErrors[keyof HttpErrors]> => {
  switch (error._tag) {
    case "InvalidInput":
      return Effect.fail(
        new InvalidInput({
          message: error.message,
          field: error.field,
          issues: error.issues.map(({ path, message }) => ({ path, message }))
        })
      )
    case "NotAuthorized":
      return Effect.fail(new NotAuthorized({ message: error.message }))
    case "PlanNotEligible":
      return Effect.fail(new PlanNotEligible({ message: error.message }))
    case "ServiceAccountNotFound":
      return Effect.fail(new ServiceAccountNotFound({ message: error.message }))
    case "TokenNotFound":
      return Effect.fail(new TokenNotFound({ message: error.message }))
    case "DuplicateServiceAccountName":
      return Effect.fail(new DuplicateServiceAccountName({ message: error.message, field: "name" }))
    case "DuplicateTokenName":
      return Effect.fail(new DuplicateTokenName({ message: error.message, field: "name" }))
    case "TokenAlreadyRevoked":
      return Effect.fail(new TokenAlreadyRevoked({ message: error.message }))
    case "TokenAlreadyIssued":
      return Effect.fail(new TokenAlreadyIssued({ message: error.message, tokenId: error.tokenId }))
    case "CommandIdReused":
      return Effect.fail(new CommandIdReused({ message: error.message }))
    case "ConcurrencyConflict":
      return Effect.logWarning("command gave up after repeated concurrency conflicts").pipe(
        Effect.annotateLogs({ streamId: error.streamId }),
        Effect.zipRight(
          Effect.fail(
            new ConcurrencyConflict({
              message: "the organisation's service accounts changed concurrently; send the request again"
            })
          )
        )
      )
    case "StreamDeleted":
    case "EventStoreUnavailable":
    case "CorruptStoredEvent":
      // Store failures: the detail is for operators, not for the caller.
      return Effect.logError("event store failure").pipe(
        Effect.annotateLogs({ error: error._tag, detail: error.message }),
        Effect.zipRight(
          Effect.fail(new StoreUnavailable({ message: "the service account store is unavailable; try again later" }))
        )
      )
  }
}

/**
 * Runs a library call and turns its typed errors into the HTTP API's errors.
 */
export const fromLibrary = <A, E extends LibraryError, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, HttpErrorFor<E>, R> => Effect.catchAll(effect, toHttpError)
