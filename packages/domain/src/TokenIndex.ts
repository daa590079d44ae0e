/**
 * The token index: token digest → principal, for `authenticate`. A lookup is one SHA-256 and one map read.
 * Revoked tokens stay in the index, marked, so a failed authentication can say why in the logs.
 *
 * @since 0.1.0
 */
import { HashMap, Option } from "effect"
import type { RevocationReason, Scope } from "./Events.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"
import type { Projection } from "./Projection.js"

/**
 * What a token stands for.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenEntry {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly scopes: ReadonlyArray<Scope>
  readonly revoked: Option.Option<RevocationReason>
}

/**
 * @since 0.1.0
 * @category models
 */
export interface TokenIndexState {
  readonly byDigest: HashMap.HashMap<string, TokenEntry>
  readonly digestByToken: HashMap.HashMap<TokenId, string>
}

/**
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<TokenIndexState> = {
  name: "token-index",
  version: 1,
  initialState: { byDigest: HashMap.empty(), digestByToken: HashMap.empty() },
  apply: (state, { event }) => {
    switch (event._tag) {
      case "TokenIssued":
        return {
          byDigest: HashMap.set(state.byDigest, event.secretHash, {
            organizationId: event.organizationId,
            serviceAccountId: event.serviceAccountId,
            tokenId: event.tokenId,
            scopes: event.scopes,
            revoked: Option.none()
          }),
          digestByToken: HashMap.set(state.digestByToken, event.tokenId, event.secretHash)
        }
      case "TokenRevoked": {
        const digest = HashMap.get(state.digestByToken, event.tokenId)
        if (Option.isNone(digest)) return state
        const entry = HashMap.get(state.byDigest, digest.value)
        if (Option.isNone(entry) || Option.isSome(entry.value.revoked)) return state
        return {
          ...state,
          byDigest: HashMap.set(state.byDigest, digest.value, { ...entry.value, revoked: Option.some(event.reason) })
        }
      }
      default:
        return state
    }
  }
}

/**
 * The entry for a digest, if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const lookup = (state: TokenIndexState, digest: string): Option.Option<TokenEntry> =>
  HashMap.get(state.byDigest, digest)
