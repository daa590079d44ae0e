/**
 * The directory view as plain JSON, and back: what a snapshot of it holds. Organisations, accounts and tokens are
 * tuples, in the view's own order (organisations in the order of their first event, accounts in creation order,
 * tokens in issue order), so restoring them gives the same view, listed the same way, as the fold that made it.
 *
 * @internal
 */
import { Schema } from "effect"
import * as Versioned from "../fast/versioned.js"
import type { Actor } from "../model/Caller.js"
import { Role } from "../model/Caller.js"
import { RevocationReason } from "../model/Events.js"
import { OrganizationId, ServiceAccountId, TokenId, UserId } from "../model/Ids.js"
import { Scopes } from "../model/Scope.js"
import { AccountRecord, start, TokenRecord } from "./directoryViewWorld.js"
import type { World } from "./directoryViewWorld.js"

/** The directory view's state (`DirectoryView.DirectoryViewState`), as this module sees it. */
type DirectoryViewState = Versioned.Version<World>

/** An actor: `[userId, role]`. */
const ActorJson = Schema.Tuple(UserId, Role)

const Time = Schema.Number

/** A token: `[id, name, hint, scopes, issuedAt, issuedBy, revokedAt, revokedBy, reason]` (times in epoch ms). */
const TokenJson = Schema.Tuple(
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
const AccountJson = Schema.Tuple(
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
const OrganizationJsonTuple = Schema.Tuple(OrganizationId, Schema.Array(AccountJson))

/**
 * One organisation of the view as plain JSON (tuples; see `OrganizationJsonSchema`): what a snapshot keeps.
 *
 * @since 0.3.0
 * @category models
 */
export type OrganizationJson = typeof OrganizationJsonTuple.Type
export type OrganizationJsonEncoded = typeof OrganizationJsonTuple.Encoded

/**
 * The schema of `OrganizationJson`: decode a snapshot's organisations with it before `fromJson`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const OrganizationJsonSchema: Schema.Schema<OrganizationJson, typeof OrganizationJsonTuple.Encoded> =
  OrganizationJsonTuple

const actorJson = (actor: Actor): typeof ActorJson.Type => [actor.userId, actor.role]
const orNull = (time: number): number | null => (Number.isNaN(time) ? null : time)

/**
 * The view as plain JSON, one entry per organisation, in the view's order. `fromJson` gives the same view back.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const toJson = (state: DirectoryViewState): Array<OrganizationJson> => {
  const world = Versioned.read(state)
  const out: Array<OrganizationJson> = []
  if (world === undefined) return out
  for (const [organizationId, accounts] of world.organizations) {
    const accountsJson: Array<typeof AccountJson.Type> = []
    for (const account of accounts.values()) {
      const tokens: Array<typeof TokenJson.Type> = []
      for (const token of account.tokens.values()) {
        tokens.push([
          token.tokenId,
          token.name,
          token.hint,
          token.scopes,
          token.issuedAt,
          actorJson(token.issuedBy),
          orNull(token.revokedAt),
          token.revokedBy === undefined ? null : actorJson(token.revokedBy),
          token.revocationReason ?? null
        ])
      }
      accountsJson.push([
        account.serviceAccountId,
        account.name,
        account.description ?? null,
        account.createdAt,
        actorJson(account.createdBy),
        orNull(account.deletedAt),
        account.deletedBy === undefined ? null : actorJson(account.deletedBy),
        tokens
      ])
    }
    out.push([organizationId, accountsJson])
  }
  return out
}

/**
 * Builds a view from JSON organisations given one at a time (a snapshot read chunk by chunk), then hands it over.
 *
 * @since 0.3.0
 * @category snapshots
 */
export interface ViewBuilder {
  readonly add: (organization: OrganizationJson) => void
  readonly build: () => DirectoryViewState
}

/**
 * A builder of a view from JSON organisations: the same world the fold of their events would have made.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const builder = (): ViewBuilder => {
  const world = start()
  const actor = ([userId, role]: typeof ActorJson.Type): Actor => world.shared.actor({ userId, role })
  return {
    add: ([organizationId, accounts]) => {
      let kept = world.organizations.get(organizationId)
      if (kept === undefined) {
        kept = new Map()
        world.organizations.set(organizationId, kept)
      }
      for (const [id, name, description, createdAt, createdBy, deletedAt, deletedBy, tokens] of accounts) {
        // An account whose tokens were split over several entries (a large one, in several snapshot chunks) is
        // one record: the first entry makes it, the others add their tokens.
        let account = kept.get(id)
        if (account === undefined) {
          account = new AccountRecord(
            id,
            name,
            description ?? undefined,
            createdAt,
            actor(createdBy),
            deletedAt ?? Number.NaN,
            deletedBy === null ? undefined : actor(deletedBy),
            new Map()
          )
          kept.set(id, account)
        }
        const records = account.tokens
        for (const [tokenId, tokenName, hint, scopes, issuedAt, issuedBy, revokedAt, revokedBy, reason] of tokens) {
          records.set(
            tokenId,
            new TokenRecord(
              tokenId,
              tokenName,
              hint,
              world.shared.scopes(scopes),
              issuedAt,
              actor(issuedBy),
              revokedAt ?? Number.NaN,
              revokedBy === null ? undefined : actor(revokedBy),
              reason ?? undefined
            )
          )
        }
      }
    },
    build: () => Versioned.of(world)
  }
}

/**
 * The view these JSON organisations stand for (as `toJson` gave them).
 *
 * @since 0.3.0
 * @category snapshots
 */
export const fromJson = (organizations: Iterable<OrganizationJson>): DirectoryViewState => {
  const built = builder()
  for (const organization of organizations) built.add(organization)
  return built.build()
}
