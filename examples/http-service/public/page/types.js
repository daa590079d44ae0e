// @ts-check
// The shapes of the API's answers, as the page's modules use them (JSDoc types only: this module has no code).

/**
 * @typedef {{ userId: string, role: string }} Actor
 * @typedef {{ tokenId: string, name: string, hint: string, scopes: string[], status: "active" | "revoked",
 *   issuedAt: string, issuedBy: Actor, revokedAt?: string, revocationReason?: string, lastUsedAt?: string }} Token
 * @typedef {{ serviceAccountId: string, name: string, description?: string, createdAt: string,
 *   createdBy: Actor, tokens: Token[] }} Account
 * @typedef {{ organizationId: string, tenantUrl: string, accounts: Account[] }} Directory
 * @typedef {{ id: string, name: string, plan: string, tenantUrl: string }} DemoOrganization
 * @typedef {{ _tag?: string, message?: string, field?: string, issues?: { path: string, message: string }[] }} ApiError
 * @typedef {{ requests: number, units: number }} UsageCounts
 * @typedef {{ day: string, requests: number, units: number }} DayUsage days with any use only, oldest first
 * @typedef {{ serviceAccountId: string, name: string, lastUsedAt?: string, window: UsageCounts, total: UsageCounts,
 *   days: DayUsage[] }} AccountUsage
 * @typedef {{ organizationId: string, since: string, window: UsageCounts, days: DayUsage[],
 *   accounts: AccountUsage[] }} UsageReport `since`: the window's first day; the window ends today
 */

export {}
