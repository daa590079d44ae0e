/**
 * `@service-accounts/domain/service`: the application service, `ServiceAccounts` — commands run against the store
 * with an expected revision, queries and `authenticate` answered from the read models — and its source of
 * randomness.
 *
 * @since 0.3.0
 */
export * from "./SecureRandom.js"
export * from "./ServiceAccounts.js"
export * from "./ServiceAccountsShape.js"
export * from "./UsageReports.js"
