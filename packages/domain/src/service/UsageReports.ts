/**
 * What the service reports about usage: per organisation, per account and per token, the requests and units of
 * each UTC day and in total, and when each token was last used; and the active tokens nobody has used for a while
 * (the candidates to revoke when rotating).
 *
 * @example
 * ```ts
 * import { ServiceAccounts, type UsageReport } from "@service-accounts/domain"
 * import { Effect } from "effect"
 *
 * const caller = {
 *   organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
 *   actor: { userId: "alice", role: "administrator" }
 * }
 *
 * // The last 7 days of every account, and the active tokens unused for 30 days.
 * export const review = Effect.gen(function* () {
 *   const service = yield* ServiceAccounts
 *   const report: UsageReport = yield* service.usage(caller, { days: 7 })
 *   const stale = yield* service.unusedTokens(caller, { days: 30 })
 *   return { requests: report.total.requests, toRevoke: stale.map((token) => token.tokenId) }
 * })
 * ```
 *
 * @since 0.3.0
 */

/**
 * Requests and units.
 *
 * @since 0.3.0
 * @category models
 */
export interface UsageCounts {
  readonly requests: number
  readonly units: number
}

/**
 * One UTC day's requests and units.
 *
 * @since 0.3.0
 * @category models
 */
export interface DayUsage extends UsageCounts {
  /** `YYYY-MM-DD` */
  readonly day: string
}

/**
 * One token's usage in a report.
 *
 * @since 0.3.0
 * @category models
 */
export interface TokenUsageReport {
  readonly tokenId: string
  readonly name: string
  readonly status: "active" | "revoked"
  /** When it was last used, to the precision of the recorders' flushes; absent when never (as far as is kept). */
  readonly lastUsedAt?: Date
  /** Over the report's days. */
  readonly window: UsageCounts
  /** Over every day kept. */
  readonly total: UsageCounts
  /** The report's days with any use, oldest first. */
  readonly days: ReadonlyArray<DayUsage>
}

/**
 * One account's usage in a report: its tokens', summed.
 *
 * @since 0.3.0
 * @category models
 */
export interface AccountUsageReport {
  readonly serviceAccountId: string
  readonly name: string
  readonly lastUsedAt?: Date
  readonly window: UsageCounts
  readonly total: UsageCounts
  readonly days: ReadonlyArray<DayUsage>
  readonly tokens: ReadonlyArray<TokenUsageReport>
}

/**
 * An organisation's usage: its live accounts', summed.
 *
 * @since 0.3.0
 * @category models
 */
export interface UsageReport {
  readonly organizationId: string
  /** The first day of the report's window (`YYYY-MM-DD`, UTC); the window ends today. */
  readonly since: string
  readonly window: UsageCounts
  readonly total: UsageCounts
  readonly days: ReadonlyArray<DayUsage>
  readonly accounts: ReadonlyArray<AccountUsageReport>
}

/**
 * What a usage report covers: one account (by default every live account) and the last `days` days, today
 * included (default 30).
 *
 * @since 0.3.0
 * @category models
 */
export interface UsageQuery {
  readonly serviceAccountId?: string
  readonly days?: number
}

/**
 * An active token nobody has used for the days asked about (or ever, if it was issued before them).
 *
 * @since 0.3.0
 * @category models
 */
export interface UnusedToken {
  readonly serviceAccountId: string
  readonly accountName: string
  readonly tokenId: string
  readonly name: string
  readonly issuedAt: Date
  readonly lastUsedAt?: Date
}
