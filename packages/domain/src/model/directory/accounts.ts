/**
 * The service account entity as the directory keeps it, inside its world of native `Map`s (see `Directory`): the
 * entity's rules for issuing and revoking its tokens, applied during a `Versioned` update. Readers get snapshots
 * (`ServiceAccount.ServiceAccountState`), which later events never change.
 *
 * @internal
 */
import * as ApiToken from "../ApiToken.js"
import type { ServiceAccountId, TokenId } from "../Ids.js"
import { nameKey } from "../Names.js"
import type { Description, ServiceAccountName, TokenName } from "../Names.js"
import type { ServiceAccountState } from "../ServiceAccount.js"
import * as Versioned from "../../fast/versioned.js"

/**
 * An account as the directory keeps it, inside its world: the record is never changed, its two `Map`s are part of
 * the world and written only through `Versioned` during an update. `tokens` keeps issue order (tokens are never
 * removed from it, so its size is the next token's `sequence`).
 */
export interface AccountEntry {
  readonly id: ServiceAccountId
  readonly name: ServiceAccountName
  readonly description: Description | undefined
  readonly tokens: Map<TokenId, ApiToken.ApiTokenState>
  /** Active tokens by name key: the token-name uniqueness index. */
  readonly activeTokenNames: Map<string, TokenId>
}

/**
 * A new account without tokens.
 */
export const entry = (
  id: ServiceAccountId,
  name: ServiceAccountName,
  description: Description | undefined
): AccountEntry => ({ id, name, description, tokens: new Map(), activeTokenNames: new Map() })

/**
 * The active token with this name key in a kept account.
 */
export const activeTokenKeyed = (account: AccountEntry, key: string): TokenId | undefined =>
  account.activeTokenNames.get(key)

/**
 * Issues a token in a kept account (during a `Versioned` update). A token id already known changes nothing.
 */
export const issueInto = (account: AccountEntry, id: TokenId, name: TokenName): void => {
  if (account.tokens.has(id)) return
  Versioned.set(account.tokens, id, ApiToken.issued(id, name, account.tokens.size))
  Versioned.set(account.activeTokenNames, nameKey(name), id)
}

/**
 * Revokes a token of a kept account (during a `Versioned` update). Unknown or already revoked tokens change
 * nothing.
 */
export const revokeInto = (account: AccountEntry, id: TokenId): void => {
  const token = account.tokens.get(id)
  if (token === undefined || !token.active) return
  Versioned.set(account.tokens, id, ApiToken.revoked(token))
  const key = nameKey(token.name)
  if (account.activeTokenNames.get(key) === id) Versioned.remove(account.activeTokenNames, key)
}

/**
 * The ids of a kept account's active tokens, in the order they were issued.
 */
export const activeTokenIdsOf = (account: AccountEntry): Array<TokenId> => {
  const ids: Array<TokenId> = []
  for (const token of account.tokens.values()) if (token.active) ids.push(token.id)
  return ids
}

/**
 * A kept account as readers see it (the snapshot copies what later events could change).
 */
export const snapshot = (account: AccountEntry): ServiceAccountState => ({
  id: account.id,
  name: account.name,
  description: account.description,
  tokens: Array.from(account.tokens.values())
})
