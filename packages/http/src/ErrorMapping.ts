/**
 * How the library's typed errors become HTTP answers: `table` has one row per error the service's methods can fail
 * with — the status, the body's schema, the body, and for the errors whose detail is for operators only, the log line
 * — and `fromLibrary` runs a library call through it. The table is checked to be complete by the compiler: a new
 * library error that has no row does not compile.
 *
 * | library error                                       | HTTP | body (`_tag`, `message`, …)              |
 * | --------------------------------------------------- | ---- | ---------------------------------------- |
 * | `InvalidInput`                                      | 400  | the library's message, `field`, `issues` |
 * | `NotAuthorized`, `PlanNotEligible`                  | 403  | the library's message                    |
 * | `ServiceAccountNotFound`, `TokenNotFound`           | 404  | the library's message                    |
 * | `DuplicateServiceAccountName`, `DuplicateTokenName` | 409  | the library's message, `field: "name"`   |
 * | `TokenAlreadyRevoked`                               | 409  | the library's message                    |
 * | `TokenAlreadyIssued`                                | 409  | the library's message, `tokenId`         |
 * | `ConcurrencyConflict`                               | 409  | a fixed message; a warning is logged     |
 * | `CommandIdReused`                                   | 422  | the library's message                    |
 * | store errors (`EventStoreUnavailable`, …)           | 503  | `StoreUnavailable`; the detail is logged |
 *
 * Store errors are `EventStoreUnavailable`, `StreamDeleted` and `CorruptStoredEvent`. The library's messages never
 * repeat the input they refuse (ADR 0003), so they go to the client as they are.
 *
 * @example
 * ```ts
 * import { ApiErrors, ErrorMapping } from "@service-accounts/http"
 * import { ServiceAccounts } from "@service-accounts/domain"
 * import { Effect } from "effect"
 *
 * const caller = {
 *   organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
 *   actor: { userId: "alice", role: "administrator" }
 * }
 *
 * // In a handler of your own: the library's errors become the API's (here only the ones `list` can fail with).
 * const listing = Effect.flatMap(ServiceAccounts, (service) => ErrorMapping.fromLibrary(service.list(caller)))
 * const refused: Effect.Effect<
 *   unknown,
 *   ApiErrors.InvalidInput | ApiErrors.NotAuthorized | ApiErrors.PlanNotEligible,
 *   ServiceAccounts
 * > = listing
 *
 * // The table, read by a host that documents its API.
 * const conflictStatus: number = ErrorMapping.table.ConcurrencyConflict.status
 * ```
 *
 * @since 0.1.0
 */
import type { ServiceAccountsShape } from "@service-accounts/domain"
import { Effect, type Schema } from "effect"
import * as ApiErrors from "./ApiErrors.js"

/** The service's methods (not its status effects: `freshness`, `readiness`, `snapshot`). */
type Method = {
  readonly [K in keyof ServiceAccountsShape]: ServiceAccountsShape[K] extends (...args: never) => unknown ? K : never
}[keyof ServiceAccountsShape]

type ErrorOf<K extends Method> =
  ReturnType<ServiceAccountsShape[K]> extends Effect.Effect<infer _A, infer E, infer _R> ? E : never

/**
 * Every error a method of the service can fail with, but `authenticate`'s: the bearer middleware answers that one
 * with a bare 401 (see `Security.bearerLayer`).
 *
 * @since 0.1.0
 * @category models
 */
export type LibraryError = ErrorOf<Exclude<Method, "authenticate">>

type ErrorByTag = { readonly [E in LibraryError as E["_tag"]]: E }

/**
 * One row of the table: what the caller gets for a library error of one kind.
 *
 * @since 0.1.0
 * @category models
 */
export interface Row<E, H> {
  /** The HTTP status: the one `response` declares (and the OpenAPI document lists). */
  readonly status: number
  /** The body's schema, as the endpoints declare it. */
  readonly response: Schema.Schema.AnyNoContext
  /** The body: only what the caller may see. */
  readonly toResponse: (error: E) => H
  /** A log line for operators, for the errors whose detail the caller does not get. */
  readonly log?: (error: E) => Effect.Effect<void>
}

const storeUnavailable = {
  status: 503,
  response: ApiErrors.StoreUnavailable,
  toResponse: () =>
    new ApiErrors.StoreUnavailable({ message: "the service account store is unavailable; try again later" }),
  log: (error: { readonly _tag: string; readonly message: string }) =>
    Effect.logError("event store failure").pipe(Effect.annotateLogs({ error: error._tag, detail: error.message }))
} as const

/**
 * The mapping, one row per library error, keyed by its `_tag`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const table = {
  InvalidInput: {
    status: 400,
    response: ApiErrors.InvalidInput,
    toResponse: (error) =>
      new ApiErrors.InvalidInput({
        message: error.message,
        field: error.field,
        issues: error.issues.map(({ path, message }) => ({ path, message }))
      })
  },
  NotAuthorized: {
    status: 403,
    response: ApiErrors.NotAuthorized,
    toResponse: (error) => new ApiErrors.NotAuthorized({ message: error.message })
  },
  PlanNotEligible: {
    status: 403,
    response: ApiErrors.PlanNotEligible,
    toResponse: (error) => new ApiErrors.PlanNotEligible({ message: error.message })
  },
  ServiceAccountNotFound: {
    status: 404,
    response: ApiErrors.ServiceAccountNotFound,
    toResponse: (error) => new ApiErrors.ServiceAccountNotFound({ message: error.message })
  },
  TokenNotFound: {
    status: 404,
    response: ApiErrors.TokenNotFound,
    toResponse: (error) => new ApiErrors.TokenNotFound({ message: error.message })
  },
  DuplicateServiceAccountName: {
    status: 409,
    response: ApiErrors.DuplicateServiceAccountName,
    toResponse: (error) => new ApiErrors.DuplicateServiceAccountName({ message: error.message, field: "name" })
  },
  DuplicateTokenName: {
    status: 409,
    response: ApiErrors.DuplicateTokenName,
    toResponse: (error) => new ApiErrors.DuplicateTokenName({ message: error.message, field: "name" })
  },
  TokenAlreadyRevoked: {
    status: 409,
    response: ApiErrors.TokenAlreadyRevoked,
    toResponse: (error) => new ApiErrors.TokenAlreadyRevoked({ message: error.message })
  },
  TokenAlreadyIssued: {
    status: 409,
    response: ApiErrors.TokenAlreadyIssued,
    toResponse: (error) => new ApiErrors.TokenAlreadyIssued({ message: error.message, tokenId: error.tokenId })
  },
  CommandIdReused: {
    status: 422,
    response: ApiErrors.CommandIdReused,
    toResponse: (error) => new ApiErrors.CommandIdReused({ message: error.message })
  },
  ConcurrencyConflict: {
    status: 409,
    response: ApiErrors.ConcurrencyConflict,
    // The stream and revisions are internal; the caller learns only that sending again may work.
    toResponse: () =>
      new ApiErrors.ConcurrencyConflict({
        message: "the organisation's service accounts changed concurrently; send the request again"
      }),
    log: (error) =>
      Effect.logWarning("command gave up after repeated concurrency conflicts").pipe(
        Effect.annotateLogs({ streamId: error.streamId })
      )
  },
  // Store failures: the detail is for operators, not for the caller.
  StreamDeleted: storeUnavailable,
  EventStoreUnavailable: storeUnavailable,
  CorruptStoredEvent: storeUnavailable
} satisfies { readonly [T in keyof ErrorByTag]: Row<ErrorByTag[T], unknown> }

type Table = typeof table

/**
 * Every HTTP error the table answers with.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpError = ReturnType<Table[keyof Table]["toResponse"]>

/**
 * The HTTP errors a call failing with `E` can answer with (distributes over a union): what an endpoint must declare.
 *
 * @since 0.1.0
 * @category models
 */
export type HttpErrorFor<E extends LibraryError> = E extends { readonly _tag: infer T extends keyof Table }
  ? ReturnType<Table[T]["toResponse"]>
  : never

// The same table, seen through the mapped type, so that a row can be looked up by a tag the compiler does not know.
const rows: { readonly [T in keyof ErrorByTag]: Row<ErrorByTag[T], HttpError> } = table

const respond = <T extends keyof ErrorByTag>(tag: T, error: ErrorByTag[T]): Effect.Effect<never, HttpError> => {
  const row = rows[tag]
  const failed = Effect.fail(row.toResponse(error))
  return row.log === undefined ? failed : Effect.zipRight(row.log(error), failed)
}

/**
 * Runs a library call and turns its typed errors into the HTTP API's errors, by `table`.
 *
 * @since 0.1.0
 * @category mapping
 */
export const fromLibrary = <A, E extends LibraryError, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<A, HttpErrorFor<E>, R> =>
  Effect.catchAll(effect, (error) => {
    const library: LibraryError = error
    const answered: Effect.Effect<never, HttpError> = respond(library._tag, library)
    // `respond` answers each tag with the error its row builds, which is what `HttpErrorFor` names for it.
    return answered as Effect.Effect<never, HttpErrorFor<E>>
  })
