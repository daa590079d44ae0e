/**
 * The service account entity: a live account with its tokens, and how token events change it.
 *
 * The directory keeps its accounts in a world of native `Map`s updated in place (see `Directory`); this module
 * gives the account as readers see it — a snapshot that later events never change — and the entity's rules, which
 * the directory applies to the account it keeps.
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
