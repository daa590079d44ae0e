/**
 * The schemas of what the directory view lists (`DirectoryView.TokenViewSchema`, `AccountViewSchema`).
 *
 * @internal
 */
import { Schema } from "effect"
import { Actor } from "../model/Caller.js"
import { RevocationReason } from "../model/Events.js"
import { ServiceAccountId, TokenId } from "../model/Ids.js"
import { Scope } from "../model/Scope.js"

export const TokenViewStruct = Schema.Struct({
  tokenId: TokenId,
  name: Schema.String,
  hint: Schema.String,
  scopes: Schema.Array(Scope),
  status: Schema.Literal("active", "revoked"),
  issuedAt: Schema.DateTimeUtc,
  issuedBy: Actor,
  revokedAt: Schema.optionalWith(Schema.DateTimeUtc, { exact: true }),
  revokedBy: Schema.optionalWith(Actor, { exact: true }),
  revocationReason: Schema.optionalWith(RevocationReason, { exact: true }),
  lastUsedAt: Schema.optionalWith(Schema.DateTimeUtc, { exact: true })
}).annotations({ identifier: "TokenView" })

export const AccountViewStruct = Schema.Struct({
  serviceAccountId: ServiceAccountId,
  name: Schema.String,
  description: Schema.optionalWith(Schema.String, { exact: true }),
  status: Schema.Literal("active", "deleted"),
  createdAt: Schema.DateTimeUtc,
  createdBy: Actor,
  deletedAt: Schema.optionalWith(Schema.DateTimeUtc, { exact: true }),
  deletedBy: Schema.optionalWith(Actor, { exact: true }),
  tokens: Schema.Array(TokenViewStruct)
}).annotations({ identifier: "AccountView" })
