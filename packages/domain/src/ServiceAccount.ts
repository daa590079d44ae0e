/**
 * The service account entity: a live account with its tokens, and how token events change it.
 *
 * @since 0.1.0
 */
import { HashMap, Option } from "effect"
import * as ApiToken from "./ApiToken.js"
import type { ServiceAccountId, TokenId } from "./Ids.js"
import { nameKey } from "./Names.js"
import type { Description, ServiceAccountName, TokenName } from "./Names.js"

/**
 * A live service account. Deleted accounts are not kept: nothing can be decided about them.
 *
 * @since 0.1.0
 * @category models
 */
export interface ServiceAccountState {
  readonly id: ServiceAccountId
  readonly name: ServiceAccountName
  readonly description: Description | undefined
  readonly tokens: HashMap.HashMap<TokenId, ApiToken.ApiTokenState>
  /**
   * How many tokens the account was ever issued: the next token's `sequence`. (Each token carries its place in the
   * issue order, so issuing allocates no growing list.)
   *
   * @since 0.2.0
   */
  readonly issuedTokens: number
  /** Active tokens by name key: the token-name uniqueness index. */
  readonly activeTokenNames: HashMap.HashMap<string, TokenId>
}

/**
 * A new account without tokens.
 *
 * @since 0.1.0
 * @category constructors
 */
export const created = (
  id: ServiceAccountId,
  name: ServiceAccountName,
  description: Description | undefined
): ServiceAccountState => ({
  id,
  name,
  description,
  tokens: HashMap.empty(),
  issuedTokens: 0,
  activeTokenNames: HashMap.empty()
})

/**
 * The active token with this name (compared by name key), if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const activeTokenNamed = (account: ServiceAccountState, name: string): Option.Option<TokenId> =>
  HashMap.get(account.activeTokenNames, nameKey(name))

/**
 * The ids of the account's active tokens, in the order they were issued.
 *
 * @since 0.1.0
 * @category getters
 */
export const activeTokenIds = (account: ServiceAccountState): ReadonlyArray<TokenId> => {
  const active: Array<ApiToken.ApiTokenState> = []
  for (const token of HashMap.values(account.tokens)) if (token.active) active.push(token)
  return active.sort((a, b) => a.sequence - b.sequence).map((token) => token.id)
}

/**
 * The account with a newly issued token.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTokenIssued = (account: ServiceAccountState, id: TokenId, name: TokenName): ServiceAccountState =>
  HashMap.has(account.tokens, id)
    ? account
    : {
        ...account,
        tokens: HashMap.set(account.tokens, id, ApiToken.issued(id, name, account.issuedTokens)),
        issuedTokens: account.issuedTokens + 1,
        activeTokenNames: HashMap.set(account.activeTokenNames, nameKey(name), id)
      }

/**
 * The account with one token revoked. Unknown or already revoked tokens leave it unchanged.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withTokenRevoked = (account: ServiceAccountState, id: TokenId): ServiceAccountState => {
  const token = HashMap.get(account.tokens, id)
  if (Option.isNone(token) || !token.value.active) return account
  const key = nameKey(token.value.name)
  const holder = HashMap.get(account.activeTokenNames, key)
  return {
    ...account,
    tokens: HashMap.set(account.tokens, id, ApiToken.revoked(token.value)),
    activeTokenNames:
      Option.isSome(holder) && holder.value === id
        ? HashMap.remove(account.activeTokenNames, key)
        : account.activeTokenNames
  }
}
