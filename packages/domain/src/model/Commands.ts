/**
 * The four commands. Their encoded form is what a caller passes to `ServiceAccounts`; they are decoded
 * (trimmed, checked) before anything else happens, and a bad field is an `InvalidInput` naming it.
 *
 * @example
 * ```ts
 * import { IssueToken, ServiceAccountCommand } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * // A command's encoded form is what callers send; decoding trims and checks every field.
 * const issue = Schema.decodeUnknownSync(IssueToken)({
 *   _tag: "IssueToken",
 *   serviceAccountId: "3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9",
 *   name: " ci "
 * })
 * console.log(issue.name, issue.scopes) // "ci" ["read", "write"] (the default scopes)
 *
 * // Any of the four, told apart by `_tag`.
 * const command = Schema.decodeUnknownSync(ServiceAccountCommand)({ _tag: "CreateServiceAccount", name: "deploy-bot" })
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { Scopes } from "./Scope.js"
import { ServiceAccountId, TokenId } from "./Ids.js"
import { Description, ServiceAccountName, TokenName } from "./Names.js"

/**
 * Create a service account.
 *
 * @since 0.1.0
 * @category commands
 */
export const CreateServiceAccount = Schema.TaggedStruct("CreateServiceAccount", {
  name: ServiceAccountName,
  description: Schema.optional(Description)
})
/**
 * @since 0.1.0
 * @category commands
 */
export type CreateServiceAccount = typeof CreateServiceAccount.Type

/**
 * The scopes a token gets when none are given.
 *
 * @since 0.1.0
 * @category constants
 */
export const DEFAULT_SCOPES = ["read", "write"] as const

/**
 * Issue an API token for a service account. Scopes default to `["read", "write"]`.
 *
 * @since 0.1.0
 * @category commands
 */
export const IssueToken = Schema.TaggedStruct("IssueToken", {
  serviceAccountId: ServiceAccountId,
  name: TokenName,
  scopes: Schema.optionalWith(Scopes, { default: () => [...DEFAULT_SCOPES] })
})
/**
 * @since 0.1.0
 * @category commands
 */
export type IssueToken = typeof IssueToken.Type

/**
 * Revoke one token, permanently.
 *
 * @since 0.1.0
 * @category commands
 */
export const RevokeToken = Schema.TaggedStruct("RevokeToken", {
  serviceAccountId: ServiceAccountId,
  tokenId: TokenId
})
/**
 * @since 0.1.0
 * @category commands
 */
export type RevokeToken = typeof RevokeToken.Type

/**
 * Delete a service account; its active tokens are revoked in the same append.
 *
 * @since 0.1.0
 * @category commands
 */
export const DeleteServiceAccount = Schema.TaggedStruct("DeleteServiceAccount", {
  serviceAccountId: ServiceAccountId
})
/**
 * @since 0.1.0
 * @category commands
 */
export type DeleteServiceAccount = typeof DeleteServiceAccount.Type

/**
 * Every command.
 *
 * @since 0.1.0
 * @category commands
 */
export const ServiceAccountCommand = Schema.Union(CreateServiceAccount, IssueToken, RevokeToken, DeleteServiceAccount)
/**
 * @since 0.1.0
 * @category commands
 */
export type ServiceAccountCommand = typeof ServiceAccountCommand.Type
