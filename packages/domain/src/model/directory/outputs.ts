/**
 * What the directory's decisions give back (`Directory.Created`, `Issued`, `Revoked`, `Deleted`).
 *
 * @internal
 */
import type { Redacted } from "effect"
import type { ServiceAccountId, TokenId } from "../Ids.js"
import type { ServiceAccountName, TokenName } from "../Names.js"
import type { Scope } from "../Scope.js"

/**
 * What `create` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Created {
  readonly _tag: "Created"
  readonly serviceAccountId: ServiceAccountId
  readonly name: ServiceAccountName
}

/**
 * What `issueToken` gives back. `value` and `sessionJson` are the only places the token value ever exists.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued {
  readonly _tag: "Issued"
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly name: TokenName
  readonly scopes: ReadonlyArray<Scope>
  readonly hint: string
  readonly value: Redacted.Redacted<string>
  /**
   * `{"accessToken": "<TOKEN>", "tenantURL": "<TENANT URL>", "scopes": [...]}`
   *
   * @since 0.3.0
   */
  readonly sessionJson: Redacted.Redacted<string>
}

/**
 * What `revokeToken` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Revoked {
  readonly _tag: "Revoked"
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
}

/**
 * What `delete` gives back: the tokens the cascade revoked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deleted {
  readonly _tag: "Deleted"
  readonly serviceAccountId: ServiceAccountId
  readonly revokedTokenIds: ReadonlyArray<TokenId>
}
