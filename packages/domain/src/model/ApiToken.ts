/**
 * The API token entity: its state inside a service account, and the rules for issuing and revoking it.
 *
 * @example
 * ```ts
 * import { ApiToken, TokenId, TokenName } from "@service-accounts/domain"
 *
 * // A token as the directory keeps it: its id, name, whether it is active, and its place in the issue order.
 * const ci = ApiToken.issued(TokenId.make("6f1c2a34-7e0b-4c1d-9a2b-3c4d5e6f7a8b"), TokenName.make("ci"), 0)
 * const revoked = ApiToken.revoked(ci)
 * console.log(ci.active, revoked.active) // true false
 * ```
 *
 * @since 0.1.0
 */
import type { TokenId } from "./Ids.js"
import type { TokenName } from "./Names.js"

/**
 * A token as the decider needs to know it. The digest is not kept here: deciding never needs it.
 *
 * @since 0.1.0
 * @category models
 */
export interface ApiTokenState {
  readonly id: TokenId
  readonly name: TokenName
  readonly active: boolean
  /**
   * The token's place in its account's issue order (0 for the first token issued).
   *
   * @since 0.2.0
   */
  readonly sequence: number
}

/**
 * A token just issued.
 *
 * @since 0.1.0
 * @category constructors
 */
export const issued = (id: TokenId, name: TokenName, sequence: number): ApiTokenState => ({
  id,
  name,
  active: true,
  sequence
})

/**
 * The same token, revoked.
 *
 * @since 0.1.0
 * @category constructors
 */
export const revoked = (token: ApiTokenState): ApiTokenState => ({ ...token, active: false })
