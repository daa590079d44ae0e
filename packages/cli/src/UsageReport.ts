/**
 * What `sa-audit usage` reports: the domain's usage view (`UsageView`, folded from the history's `UsageRecorded`
 * events) joined with its directory view for names and statuses — per organisation, service account and token, the
 * requests and units of each UTC day in a window of days, their sums, and each token's last use.
 *
 * Counts are the view's own numbers, summed with the domain's `UsageView.sumDays` and `UsageView.total`: requests are
 * whole numbers, units JavaScript numbers (whole numbers and binary fractions add up exactly; ADR 0011). Nothing is
 * rounded on the way out: `UsageText` and `JSON.stringify` print each number as the shortest text that reads back
 * as the same number.
 *
 * @example
 * ```ts
 * import { UsageReport } from "@service-accounts/cli"
 * import {
 *   DirectoryView,
 *   type DomainEvent,
 *   foldProjection,
 *   OrganizationId,
 *   type StoredUsage,
 *   UsageView
 * } from "@service-accounts/domain"
 *
 * // One organisation's usage of March 2026, per account and token, from folded views.
 * const march = (directoryEvents: ReadonlyArray<DomainEvent>, usageEvents: ReadonlyArray<StoredUsage>) => {
 *   const report = UsageReport.make(
 *     foldProjection(DirectoryView.projection, directoryEvents),
 *     foldProjection(UsageView.projectionKeeping(UsageReport.KEEP_EVERY_DAY), usageEvents),
 *     { organizationId: OrganizationId.make("acme") },
 *     { since: "2026-03-01", until: "2026-03-31" }
 *   )
 *   return report.organizations.map((organization) => [organization.organizationId, organization.window.requests])
 * }
 * ```
 *
 * @since 0.3.0
 */
import {
  DirectoryView,
  type OrganizationId,
  type ServiceAccountId,
  type TokenId,
  UsageView
} from "@service-accounts/domain"

/**
 * The days the usage view keeps for an audit: every day the history holds (a century), not the 400 days a service
 * keeps by default.
 *
 * @since 0.3.0
 * @category constants
 */
export const KEEP_EVERY_DAY = 36_525

/**
 * What to report on: an organisation, a service account or a token (each optional; none is every organisation).
 *
 * @since 0.3.0
 * @category models
 */
export interface Selection {
  readonly organizationId?: OrganizationId | undefined
  readonly serviceAccountId?: ServiceAccountId | undefined
  readonly tokenId?: TokenId | undefined
}

/**
 * The UTC days reported, `YYYY-MM-DD`, both inclusive; absent: unbounded on that side.
 *
 * @since 0.3.0
 * @category models
 */
export interface Window {
  readonly since?: string | undefined
  readonly until?: string | undefined
}

/**
 * Requests and units, and the days they were counted on.
 *
 * @since 0.3.0
 * @category models
 */
export interface Usage {
  /** The days of the window with any use, oldest first. */
  readonly days: ReadonlyArray<UsageView.DayCounts>
  /** The sum of `days`. */
  readonly window: UsageView.Counts
  /** The sum of every day the history holds, in or out of the window. */
  readonly total: UsageView.Counts
  /** The latest use recorded, in or out of the window (to the precision of the recorders' flushes). */
  readonly lastUsedAt: Date | undefined
}

/**
 * A token's usage. `name`, `hint` and `status` come from the directory; a token that only usage events mention has
 * status `"unknown"`.
 *
 * @since 0.3.0
 * @category models
 */
export interface TokenReport extends Usage {
  readonly tokenId: string
  readonly name: string | undefined
  readonly hint: string | undefined
  readonly status: "active" | "revoked" | "unknown"
}

/**
 * A service account's usage: the sums of the tokens listed.
 *
 * @since 0.3.0
 * @category models
 */
export interface AccountReport extends Usage {
  readonly serviceAccountId: string
  readonly name: string | undefined
  readonly status: "active" | "deleted" | "unknown"
  readonly tokens: ReadonlyArray<TokenReport>
}

/**
 * An organisation's usage: the sums of the accounts listed.
 *
 * @since 0.3.0
 * @category models
 */
export interface OrganizationReport extends Usage {
  readonly organizationId: string
  readonly accounts: ReadonlyArray<AccountReport>
}

/**
 * The report. `found` is false when the account or token selected appears nowhere in the history (in the organisation
 * selected, if one is): `organizations` is then empty.
 *
 * @since 0.3.0
 * @category models
 */
export interface Report {
  readonly selection: Selection
  readonly window: Window
  readonly found: boolean
  /** In the order of their ids. */
  readonly organizations: ReadonlyArray<OrganizationReport>
}

const inWindow = (window: Window) => (day: UsageView.DayCounts) =>
  (window.since === undefined || day.day >= window.since) && (window.until === undefined || day.day <= window.until)

const latest = (times: Iterable<Date | undefined>): Date | undefined => {
  let last: Date | undefined
  for (const time of times) if (time !== undefined && (last === undefined || time > last)) last = time
  return last
}

/** The sums of several reports' usage. */
const summed = (parts: ReadonlyArray<Usage>): Usage => {
  const days = UsageView.sumDays(parts)
  return {
    days,
    window: UsageView.total(days),
    total: UsageView.total(parts.map((part) => part.total)),
    lastUsedAt: latest(parts.map((part) => part.lastUsedAt))
  }
}

const tokenReport = (
  tokenId: string,
  token: DirectoryView.TokenView | undefined,
  usage: UsageView.TokenUsage | undefined,
  window: Window
): TokenReport => {
  const days = usage === undefined ? [] : usage.days.filter(inWindow(window))
  return {
    tokenId,
    name: token?.name,
    hint: token?.hint,
    status: token?.status ?? "unknown",
    days,
    window: UsageView.total(days),
    total: UsageView.total(usage?.days ?? []),
    lastUsedAt: usage?.lastUsedAt
  }
}

const byId = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0)

/** Every token's usage (or only one organisation's), by organisation: the view's tokens, each made once. */
const usageByOrganization = (
  usage: UsageView.UsageViewState,
  only: OrganizationId | undefined
): Map<OrganizationId, Array<UsageView.TokenUsage>> => {
  const out = new Map<OrganizationId, Array<UsageView.TokenUsage>>()
  for (const token of UsageView.tokens(usage, only === undefined ? {} : { organizationId: only })) {
    const list = out.get(token.organizationId)
    if (list === undefined) out.set(token.organizationId, [token])
    else list.push(token)
  }
  return out
}

/** One organisation: its accounts (deleted ones too) and then accounts only usage events mention, each with tokens. */
const organizationReport = (
  directory: DirectoryView.DirectoryViewState,
  usages: ReadonlyArray<UsageView.TokenUsage>,
  organizationId: OrganizationId,
  selection: Selection,
  window: Window
): OrganizationReport => {
  const listed = DirectoryView.accounts(DirectoryView.directoryOf(directory, organizationId), { includeDeleted: true })
  const byToken = new Map<string, UsageView.TokenUsage>(usages.map((token) => [token.tokenId, token]))
  // Tokens with usage that the directory does not list under their account, by account.
  const strays = new Map<string, Array<UsageView.TokenUsage>>()
  const inDirectory = new Set<string>()
  for (const account of listed)
    for (const token of account.tokens) inDirectory.add(`${account.serviceAccountId} ${token.tokenId}`)
  for (const token of usages) {
    if (inDirectory.has(`${token.serviceAccountId} ${token.tokenId}`)) continue
    const list = strays.get(token.serviceAccountId) ?? []
    list.push(token)
    strays.set(token.serviceAccountId, list)
  }
  const wantedToken = (tokenId: string) => selection.tokenId === undefined || tokenId === selection.tokenId
  const wantedAccount = (serviceAccountId: string) =>
    selection.serviceAccountId === undefined || serviceAccountId === selection.serviceAccountId
  const accounts: Array<AccountReport> = []
  const add = (
    serviceAccountId: string,
    account: DirectoryView.AccountView | undefined,
    tokens: ReadonlyArray<TokenReport>
  ) => {
    if (!wantedAccount(serviceAccountId)) return
    // Selecting a token lists only the account that holds it.
    if (selection.tokenId !== undefined && tokens.length === 0) return
    accounts.push({
      serviceAccountId,
      name: account?.name,
      status: account?.status ?? "unknown",
      tokens,
      ...summed(tokens)
    })
  }
  for (const account of listed) {
    const tokens = account.tokens
      .filter((token) => wantedToken(token.tokenId))
      .map((token) => tokenReport(token.tokenId, token, byToken.get(token.tokenId), window))
    for (const stray of strays.get(account.serviceAccountId) ?? []) {
      if (wantedToken(stray.tokenId)) tokens.push(tokenReport(stray.tokenId, undefined, stray, window))
    }
    strays.delete(account.serviceAccountId)
    add(account.serviceAccountId, account, tokens)
  }
  for (const [serviceAccountId, list] of Array.from(strays).sort(([a], [b]) => byId(a, b))) {
    const tokens = list
      .filter((token) => wantedToken(token.tokenId))
      .map((token) => tokenReport(token.tokenId, undefined, token, window))
    add(serviceAccountId, undefined, tokens)
  }
  return { organizationId, accounts, ...summed(accounts) }
}

/**
 * The usage of the selection over the window, from a directory view and a usage view of the same history. A token's
 * days, sums and last use are the usage view's; each account's and organisation's are the sums of what is listed
 * under it (with a token selected, its account lists only that token). Tokens and accounts never used are listed too
 * (with no days), so that an auditor sees which tokens stopped being used.
 *
 * @since 0.3.0
 * @category constructors
 */
export const make = (
  directory: DirectoryView.DirectoryViewState,
  usage: UsageView.UsageViewState,
  selection: Selection,
  window: Window
): Report => {
  const usages = usageByOrganization(usage, selection.organizationId)
  const ids = new Set(DirectoryView.organizations(directory).map((organization) => organization.organizationId))
  for (const id of usages.keys()) ids.add(id)
  const organizations = Array.from(ids)
    .filter((id) => selection.organizationId === undefined || id === selection.organizationId)
    .sort(byId)
    .map((id) => organizationReport(directory, usages.get(id) ?? [], id, selection, window))
  const narrowed = selection.serviceAccountId !== undefined || selection.tokenId !== undefined
  const kept = narrowed ? organizations.filter((organization) => organization.accounts.length > 0) : organizations
  return { selection, window, found: !narrowed || kept.length > 0, organizations: kept }
}
