/**
 * What the application service offers: its methods, what they take and give back, and its options. The service
 * itself (the `ServiceAccounts` tag and its layers) is in `ServiceAccounts.ts`.
 *
 * @example
 * ```ts
 * import {
 *   type Principal,
 *   PrincipalSchema,
 *   ServiceAccounts,
 *   type ServiceAccountsOptions
 * } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Effect, Layer, Schema } from "effect"
 *
 * const options: ServiceAccountsOptions = {
 *   // Refuse every token once the read models are 30 s behind the store (a revocation elsewhere may be unseen).
 *   maxStaleness: "30 seconds",
 *   stateCacheCapacity: 1_000
 * }
 * const live = ServiceAccounts.layerWith(options).pipe(Layer.provide(memoryStore))
 *
 * // A readiness check for the host.
 * const ready = Effect.flatMap(ServiceAccounts, (accounts) => accounts.freshness).pipe(
 *   Effect.map((freshness) => !freshness.stale && freshness.quarantined.length === 0)
 * )
 *
 * // Passing an authenticated principal on to another service, as JSON.
 * const forward = (principal: Principal): string => JSON.stringify(Schema.encodeSync(PrincipalSchema)(principal))
 * ```
 *
 * @since 0.3.0
 */
import { type Duration, type Effect, type Redacted, type Schedule, Schema } from "effect"
import type * as AuditTrail from "../readModels/AuditTrail.js"
import type { Caller } from "../model/Caller.js"
import type { CreateServiceAccount, DeleteServiceAccount, IssueToken, RevokeToken } from "../model/Commands.js"
import type * as Directory from "../model/Directory.js"
import type * as DirectoryView from "../readModels/DirectoryView.js"
import type { UsageInput } from "../model/Usage.js"
import type { UnusedToken, UsageQuery, UsageReport } from "./UsageReports.js"
import type {
  AccessError,
  InvalidInput,
  AppendError,
  AuthenticationFailed,
  CommandError,
  DuplicateServiceAccountName,
  DuplicateTokenName,
  ServiceAccountNotFound,
  StoreError,
  TokenAlreadyIssued,
  TokenAlreadyRevoked,
  TokenNotFound
} from "../model/Errors.js"
import { Scope } from "../model/Scope.js"
import { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"

/**
 * The caller as passed in: the encoded (plain JSON) form of `Caller`.
 *
 * @since 0.1.0
 * @category models
 */
export type CallerInput = typeof Caller.Encoded

/**
 * @since 0.1.0
 * @category models
 */
export type CreateInput = Omit<typeof CreateServiceAccount.Encoded, "_tag">
/**
 * @since 0.1.0
 * @category models
 */
export type IssueTokenInput = Omit<typeof IssueToken.Encoded, "_tag">
/**
 * @since 0.1.0
 * @category models
 */
export type RevokeTokenInput = Omit<typeof RevokeToken.Encoded, "_tag">
/**
 * @since 0.1.0
 * @category models
 */
export type DeleteInput = Omit<typeof DeleteServiceAccount.Encoded, "_tag">

/**
 * A newly issued token. `value` and `sessionJson` are the only places the token value ever exists: show them
 * once, then let them go.
 *
 * @since 0.1.0
 * @category models
 */
export interface IssuedToken {
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly name: string
  readonly scopes: ReadonlyArray<Scope>
  readonly hint: string
  readonly value: Redacted.Redacted<string>
  /** `{"accessToken": "<TOKEN>", "tenantURL": "<TENANT URL>", "scopes": [...]}` */
  readonly sessionJson: Redacted.Redacted<string>
}

/**
 * Who a token authenticates as.
 *
 * @since 0.1.0
 * @category models
 */
export interface Principal {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly scopes: ReadonlyArray<Scope>
}

const PrincipalStruct = Schema.Struct({
  organizationId: OrganizationId,
  serviceAccountId: ServiceAccountId,
  tokenId: TokenId,
  scopes: Schema.Array(Scope)
}).annotations({ identifier: "Principal" })

/**
 * The schema of a `Principal`, for hosts that pass it on (to another service, into a request context).
 *
 * @since 0.2.0
 * @category schemas
 */
export const PrincipalSchema: Schema.Schema<Principal, typeof PrincipalStruct.Encoded> = PrincipalStruct

/**
 * What the management page lists: the tenant URL on top, then the live accounts with their tokens.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryListing {
  readonly organizationId: OrganizationId
  readonly tenantUrl: string
  readonly accounts: ReadonlyArray<DirectoryView.AccountView>
}

/**
 * How fresh the read models are, for a host's health check.
 *
 * @since 0.3.0
 * @category models
 */
export interface ReadModelsFreshness {
  /** When the read models were last confirmed to hold every event the store held at that moment. */
  readonly confirmedAt: Date
  /** Milliseconds from then to now: how far behind the store the read models may be. */
  readonly behindMillis: number
  /** The bound past which `authenticate` refuses every token; `undefined` when stale answers are accepted. */
  readonly maxStalenessMillis: number | undefined
  /** Whether `authenticate` refuses every token right now because the read models are past the bound. */
  readonly stale: boolean
  /** The position of the last event the read models' subscription handled, if any. */
  readonly position: bigint | undefined
  /** Organisation streams holding an event that could not be read: their tokens are refused until it is repaired. */
  readonly quarantined: ReadonlyArray<string>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ServiceAccountsShape {
  readonly create: (
    caller: CallerInput,
    input: CreateInput
  ) => Effect.Effect<Directory.Created, CommandError | DuplicateServiceAccountName>
  readonly issueToken: (
    caller: CallerInput,
    input: IssueTokenInput
  ) => Effect.Effect<IssuedToken, CommandError | ServiceAccountNotFound | DuplicateTokenName | TokenAlreadyIssued>
  readonly revokeToken: (
    caller: CallerInput,
    input: RevokeTokenInput
  ) => Effect.Effect<Directory.Revoked, CommandError | ServiceAccountNotFound | TokenNotFound | TokenAlreadyRevoked>
  readonly delete: (
    caller: CallerInput,
    input: DeleteInput
  ) => Effect.Effect<Directory.Deleted, CommandError | ServiceAccountNotFound>
  /** The organisation's live accounts, from the read model. */
  readonly list: (caller: CallerInput) => Effect.Effect<DirectoryListing, AccessError>
  /** One live account, from the read model. */
  readonly get: (
    caller: CallerInput,
    serviceAccountId: string
  ) => Effect.Effect<DirectoryView.AccountView, AccessError | ServiceAccountNotFound>
  /** The organisation's audit trail, oldest first, read from its stream in the store (it is not kept in memory). */
  readonly auditTrail: (
    caller: CallerInput
  ) => Effect.Effect<ReadonlyArray<AuditTrail.AuditEntry>, AccessError | StoreError>
  /**
   * Who a token value stands for. Any failure — malformed, bad checksum, unknown, revoked, account deleted,
   * another organisation's token — is the one `AuthenticationFailed`; the cause goes to the debug log and
   * the `service_accounts_authentication_failures` counter only.
   */
  readonly authenticate: (
    value: Redacted.Redacted<string> | string,
    options?: {
      readonly organizationId?: string
      /** Also record the request as a use of the token (one request, no units), as `recordUsage` would. */
      readonly record?: boolean
    }
  ) => Effect.Effect<Principal, AuthenticationFailed>
  /**
   * Records a use of a token: the principal `authenticate` returned, how many requests (default 1), the units the
   * host charges for them (default 0) and when (default now). Cheap and never waiting for the store: uses are summed
   * in memory and flushed in batches (ADR 0011). Refused, with nothing recorded, for a principal `authenticate` did
   * not give (its token unknown, or of another account or organisation), counts that are negative, fractional
   * requests, not finite or huge, and a time in the future or older than the days kept.
   */
  readonly recordUsage: (principal: Principal, usage?: typeof UsageInput.Encoded) => Effect.Effect<void, InvalidInput>
  /** The organisation's usage (or one account's), per day over the last `days` days and in total. */
  readonly usage: (
    caller: CallerInput,
    query?: UsageQuery
  ) => Effect.Effect<UsageReport, AccessError | ServiceAccountNotFound>
  /** The organisation's active tokens that nobody has used for the last `days` days: candidates to revoke. */
  readonly unusedTokens: (
    caller: CallerInput,
    query: { readonly days: number }
  ) => Effect.Effect<ReadonlyArray<UnusedToken>, AccessError>
  /**
   * How far behind the store the read models may be, and whether `authenticate` refuses every token because of it
   * (see `ServiceAccountsOptions.maxStaleness`). For a host's health or readiness check.
   */
  readonly freshness: Effect.Effect<ReadModelsFreshness>
  /**
   * Whether the service can answer: its read models have caught up with the store (from a snapshot and the events
   * after it, or from the whole history) and are not past `maxStaleness`. For a host's readiness check.
   */
  readonly readiness: Effect.Effect<Readiness>
  /**
   * Writes a snapshot of the read models now (see `ServiceAccountsOptions.snapshots`): other processes, and this one
   * when it starts again, start from it. Fails only when the store does; `undefined` when the read models hold
   * nothing yet.
   */
  readonly snapshot: Effect.Effect<SnapshotInfo | undefined, AppendError>
}

/**
 * What a snapshot of the read models covers.
 *
 * @since 0.3.0
 * @category models
 */
export interface SnapshotInfo {
  /** Every event at or before this position of the store is in it (and some after it may be). */
  readonly position: bigint
  readonly createdAt: Date
  readonly organizations: number
  readonly tokens: number
  /** How many events of its stream hold it. */
  readonly chunks: number
}

/**
 * Whether the service can answer, and how it started.
 *
 * @since 0.3.0
 * @category models
 */
export interface Readiness {
  /** Caught up and not past the staleness bound: `authenticate`, `list` and `get` answer from current read models. */
  readonly ready: boolean
  /** The read models have caught up with the store since the service started. */
  readonly caughtUp: boolean
  /** Past `maxStaleness` (see `freshness`): `authenticate` refuses every token. */
  readonly stale: boolean
  /** The snapshot the service started from, or `undefined` when it replayed the whole history. */
  readonly startedFrom: SnapshotInfo | undefined
  /** Commands still running (a closing service waits for them). */
  readonly commandsInFlight: number
  /**
   * Usage summed or appended-but-failed that the store does not hold yet (tokens' sums and events waiting): what a
   * crash now would lose.
   */
  readonly usagePending: number
}

/**
 * Options of the service.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceAccountsOptions {
  /** How many organisations' decision states to keep in memory (least recently used go first). Default 10,000. */
  readonly stateCacheCapacity?: number
  /** How to retry a command whose append met a concurrent writer. Default: up to 5 immediate retries. */
  readonly conflictRetry?: Schedule.Schedule<unknown, unknown>
  /**
   * How to re-send an append the store failed with a retryable error (its outcome may be unknown: the same
   * events, with the same ids and expected revision, are re-sent, and the store recognises them if they were
   * written). Default: 3 retries, exponential from 50 ms, jittered.
   */
  readonly storeRetry?: Schedule.Schedule<unknown, unknown>
  /**
   * How long the read models may go without being confirmed up to date with the store before `authenticate`
   * refuses every token (the one `AuthenticationFailed`; the cause `read-models-stale` goes to the debug log and the
   * failure counter). A process whose subscription is lost would otherwise go on accepting tokens that another
   * process has revoked. `"unbounded"` accepts stale answers instead: availability during a store outage over the
   * promise that a revocation cuts off at once (ADR 0008). Default: 10 seconds.
   */
  readonly maxStaleness?: Duration.DurationInput | "unbounded"
  /**
   * How often the read models are checked against the position of the store's last event (a read of one event).
   * Default: a quarter of `maxStaleness`, at most 2.5 seconds; never more than half of `maxStaleness`.
   */
  readonly freshnessCheckInterval?: Duration.DurationInput
  /**
   * Write snapshots of the read models to the store (ADR 0010): when this many events have been handled since the
   * last one (`every`, default 100,000), or when `interval` has passed (default 10 minutes) and anything was
   * handled — unless the store already holds a snapshot that recent, written by another process. Without this
   * option the service writes none (but still starts from the newest one it finds, and `snapshot` writes one).
   */
  readonly snapshots?: { readonly every?: number; readonly interval?: Duration.DurationInput }
  /**
   * `"caught-up"` (default): building the layer catches the read models up with the store and fails if the history
   * cannot be read. `"background"`: the layer is built at once and catches up in the background, for hosts that
   * serve a health check meanwhile; `readiness` says when it is ready, and `authenticate` refuses until then.
   */
  readonly startup?: "caught-up" | "background"
  /** How long closing the layer waits for commands in flight before it lets the store go. Default: 10 seconds. */
  readonly drainTimeout?: Duration.DurationInput
  /**
   * Usage recording (ADR 0011): sums are flushed every `flushInterval` (default 5 seconds) and as soon as
   * `maxPending` tokens (default 10,000) have sums; the usage view keeps `retentionDays` days (default 400), and
   * older usage streams are tombstoned.
   */
  readonly usage?: {
    readonly flushInterval?: Duration.DurationInput
    readonly maxPending?: number
    readonly retentionDays?: number
  }
}
