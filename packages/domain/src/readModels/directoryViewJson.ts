/**
 * The directory view as plain JSON, and back: what a snapshot of it holds. Organisations, accounts and tokens are
 * tuples, in the view's own order (organisations in the order of their first event, accounts in creation order,
 * tokens in issue order), so restoring them gives the same view, listed the same way, as the fold that made it.
 *
 * @internal
 */
import { Schema } from "effect"
import { Role } from "../model/Caller.js"
import { RevocationReason } from "../model/Events.js"
import { OrganizationId, ServiceAccountId, TokenId, UserId } from "../model/Ids.js"
import { Scopes } from "../model/Scope.js"

/** An actor: `[userId, role]`. */
export const ActorJson = Schema.Tuple(UserId, Role)

const Time = Schema.Number

/** A token: `[id, name, hint, scopes, issuedAt, issuedBy, revokedAt, revokedBy, reason]` (times in epoch ms). */
export const TokenJson = Schema.Tuple(
  TokenId,
  Schema.String,
  Schema.String,
  Scopes,
  Time,
  ActorJson,
  Schema.NullOr(Time),
  Schema.NullOr(ActorJson),
  Schema.NullOr(RevocationReason)
)

/** An account: `[id, name, description, createdAt, createdBy, deletedAt, deletedBy, tokens]`. */
export const AccountJson = Schema.Tuple(
  ServiceAccountId,
  Schema.String,
  Schema.NullOr(Schema.String),
  Time,
  ActorJson,
  Schema.NullOr(Time),
  Schema.NullOr(ActorJson),
  Schema.Array(TokenJson)
)

/** An organisation of the view: `[organizationId, accounts]`. */
export const OrganizationJson = Schema.Tuple(OrganizationId, Schema.Array(AccountJson))
export type OrganizationJson = typeof OrganizationJson.Type
