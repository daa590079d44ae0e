// @ts-check
// The shapes of the API's answers, as the page's modules use them (JSDoc types only: this module has no code).

/**
 * @typedef {{ userId: string, role: string }} Actor
 * @typedef {{ tokenId: string, name: string, hint: string, scopes: string[], status: "active" | "revoked",
 *   issuedAt: string, issuedBy: Actor, revokedAt?: string, revocationReason?: string }} Token
 * @typedef {{ serviceAccountId: string, name: string, description?: string, createdAt: string,
 *   createdBy: Actor, tokens: Token[] }} Account
 * @typedef {{ organizationId: string, tenantUrl: string, accounts: Account[] }} Directory
 * @typedef {{ id: string, name: string, plan: string, tenantUrl: string }} DemoOrganization
 * @typedef {{ _tag?: string, message?: string, field?: string, issues?: { path: string, message: string }[] }} ApiError
 */

export {}
