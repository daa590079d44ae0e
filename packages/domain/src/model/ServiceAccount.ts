/**
 * The service account entity: a live account with its tokens, and how token events change it.
 *
 * The directory keeps its accounts in a world of native `Map`s updated in place (see `Directory`); this module
 * gives the account as readers see it — a snapshot that later events never change — and the entity's rules, which
 * the directory applies to the account it keeps.
 *
 * @example
 * ```ts
 * import {
 *   ApiToken,
 *   ServiceAccount,
 *   ServiceAccountId,
 *   ServiceAccountName,
 *   TokenId,
 *   TokenName
 * } from "@service-accounts/domain"
 *
 * // An account as `Directory.account(state, id)` gives it: its first "ci" token revoked, a second one active.
 * const first = TokenId.make("6f1c2a34-7e0b-4c1d-9a2b-3c4d5e6f7a8b")
 * const second = TokenId.make("0b7e4d2c-1a3f-4e5d-8c6b-9a8f7e6d5c4b")
 * const account: ServiceAccount.ServiceAccountState = {
 *   id: ServiceAccountId.make("3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9"),
 *   name: ServiceAccountName.make("deploy-bot"),
 *   description: undefined,
 *   tokens: [
 *     ApiToken.revoked(ApiToken.issued(first, TokenName.make("ci"), 0)),
 *     ApiToken.issued(second, TokenName.make("ci"), 1)
 *   ]
 * }
 *
 * ServiceAccount.activeTokenIds(account) // [second]
 * // Option.some(second): names compare by key, and a revoked token does not hold its name.
 * ServiceAccount.activeTokenNamed(account, "CI")
 * ```
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type * as ApiToken from "./ApiToken.js"
import type { ServiceAccountId, TokenId } from "./Ids.js"
import { nameKey } from "./Names.js"
import type { Description, ServiceAccountName } from "./Names.js"

/**
 * A live service account as of one directory state: a snapshot, which later events never change (read it with
 * `Directory.account` or `Directory.accounts`). Deleted accounts are not kept: nothing can be decided about them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceAccountState {
  readonly id: ServiceAccountId
  readonly name: ServiceAccountName
  readonly description: Description | undefined
  /**
   * Every token the account was issued, active or revoked, in the order they were issued (a token's `sequence` is
   * its index here).
   *
   * @since 0.2.0
   */
  readonly tokens: ReadonlyArray<ApiToken.ApiTokenState>
}

/**
 * The active token with this name (compared by name key), if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const activeTokenNamed = (account: ServiceAccountState, name: string): Option.Option<TokenId> => {
  const key = nameKey(name)
  for (const token of account.tokens) if (token.active && nameKey(token.name) === key) return Option.some(token.id)
  return Option.none()
}

/**
 * The ids of the account's active tokens, in the order they were issued.
 *
 * @since 0.1.0
 * @category getters
 */
export const activeTokenIds = (account: ServiceAccountState): ReadonlyArray<TokenId> =>
  account.tokens.filter((token) => token.active).map((token) => token.id)
