/**
 * The audit trail: per organisation, who did what, when, to what, in the order it happened.
 *
 * The state is a pure value from the outside (an older state never sees later events) but is kept compactly, as
 * arrays appended to in place while a fold moves forward (see `docs/architecture.md`, "Read models"): read it
 * through `entries`, `organizationIds` and `size`, which build `AuditEntry`s.
 *
 * @example
 * ```ts
 * import { AuditTrail, type DomainEvent, foldProjection, type OrganizationId } from "@service-accounts/domain"
 * import { DateTime } from "effect"
 *
 * // Who did what, when, in the order it happened.
 * const report = (events: Iterable<DomainEvent>, organizationId: OrganizationId): ReadonlyArray<string> =>
 *   AuditTrail.entries(foldProjection(AuditTrail.projection, events), organizationId).map(
 *     (entry) => `${DateTime.formatIso(entry.occurredAt)} ${entry.actor.userId}: ${entry.summary}`
 *   )
 * // e.g. "2026-12-07T10:00:00.000Z alice: created service account "deploy-bot""
 * ```
 *
 * @since 0.1.0
 */
import { type DateTime, Schema } from "effect"
import { Actor } from "../model/Caller.js"
import { eventTypes, type RevocationReason } from "../model/Events.js"
import type { Scope } from "../model/Scope.js"
import { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import { bigintOf, counter, millis, utc } from "../fast/compact.js"
import * as Versioned from "../fast/versioned.js"
import { type SharedValues, sharedValues } from "./shared.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "../store/StoredEvent.js"

/**
 * One line of the trail.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditEntry {
  readonly position: bigint
  readonly revision: bigint
  readonly occurredAt: DateTime.Utc
  readonly organizationId: OrganizationId
  readonly actor: Actor
  /** The event type: what happened. */
  readonly action: DomainEvent["event"]["_tag"]
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId?: TokenId
  /** A one-line human description. */
  readonly summary: string
}

type Action = DomainEvent["event"]["_tag"]

const AuditEntryStruct = Schema.Struct({
  position: Schema.BigInt,
  revision: Schema.BigInt,
  occurredAt: Schema.DateTimeUtc,
  organizationId: OrganizationId,
  actor: Actor,
  action: Schema.Literal(...eventTypes),
  serviceAccountId: ServiceAccountId,
  tokenId: Schema.optionalWith(TokenId, { exact: true }),
  summary: Schema.String
}).annotations({ identifier: "AuditEntry" })

/**
 * The schema of an `AuditEntry`, for hosts that send or keep the trail: positions and revisions as decimal
 * strings and times as ISO 8601 strings in the encoded form.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AuditEntrySchema: Schema.Schema<AuditEntry, typeof AuditEntryStruct.Encoded> = AuditEntryStruct

/**
 * A line as kept: the summary is written when the line is read, from what it was made of (a name, a hint and
 * scopes, a reason or a count, whichever the action has).
 */
class AuditRecord {
  constructor(
    readonly position: number | bigint,
    readonly revision: number | bigint,
    readonly occurredAt: number,
    readonly actor: Actor,
    readonly action: Action,
    readonly serviceAccountId: ServiceAccountId,
    readonly tokenId: TokenId | undefined,
    /** The account's or token's name, the revocation reason, or the number of tokens revoked with the account. */
    readonly detail: string | number,
    readonly hint: string | undefined,
    readonly scopes: ReadonlyArray<Scope> | undefined
  ) {}
}

interface World {
  readonly organizations: Map<OrganizationId, Array<AuditRecord>>
  readonly shared: SharedValues
}

/**
 * The trail of every organisation.
 *
 * @since 0.1.0
 * @category models
 */
export interface AuditTrailState extends Versioned.Version<World> {}

const summary = (action: Action, detail: string | number, hint?: string, scopes?: ReadonlyArray<Scope>): string => {
  switch (action) {
    case "ServiceAccountCreated":
      return `created service account "${detail}"`
    case "TokenIssued":
      return `issued token "${detail}" (…${hint}, scopes ${scopes?.join(", ")})`
    case "TokenRevoked":
      return detail === "Manual" ? "revoked token" : "revoked token (its service account was deleted)"
    case "ServiceAccountDeleted":
      return detail === 0 ? "deleted service account" : `deleted service account and its ${detail} active token(s)`
  }
}

/**
 * The human description of an event.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = ({ event }: DomainEvent): string => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      return summary(event._tag, event.name)
    case "TokenIssued":
      return summary(event._tag, event.name, event.hint, event.scopes)
    case "TokenRevoked":
      return summary(event._tag, event.reason satisfies RevocationReason)
    case "ServiceAccountDeleted":
      return summary(event._tag, event.revokedTokenIds.length)
  }
}

/**
 * The entry for one event.
 *
 * @since 0.1.0
 * @category constructors
 */
export const entry = (recorded: DomainEvent): AuditEntry => {
  const { event } = recorded
  // Two literals rather than a spread of an optional `tokenId` (the same keys in the same order): `sa-audit replay
  // --view audit` makes an entry per event, and the spread made two objects more and copied one.
  return event._tag === "TokenIssued" || event._tag === "TokenRevoked"
    ? {
        position: recorded.position,
        revision: recorded.revision,
        occurredAt: event.occurredAt,
        organizationId: event.organizationId,
        actor: event.actor,
        action: event._tag,
        serviceAccountId: event.serviceAccountId,
        tokenId: event.tokenId,
        summary: describe(recorded)
      }
    : {
        position: recorded.position,
        revision: recorded.revision,
        occurredAt: event.occurredAt,
        organizationId: event.organizationId,
        actor: event.actor,
        action: event._tag,
        serviceAccountId: event.serviceAccountId,
        summary: describe(recorded)
      }
}

const record = (shared: SharedValues, recorded: DomainEvent): AuditRecord => {
  const { event } = recorded
  const position = counter(recorded.position)
  const revision = counter(recorded.revision)
  const at = millis(event.occurredAt)
  const actor = shared.actor(event.actor)
  switch (event._tag) {
    case "ServiceAccountCreated":
      return new AuditRecord(
        position,
        revision,
        at,
        actor,
        event._tag,
        event.serviceAccountId,
        undefined,
        event.name,
        undefined,
        undefined
      )
    case "TokenIssued":
      return new AuditRecord(
        position,
        revision,
        at,
        actor,
        event._tag,
        event.serviceAccountId,
        event.tokenId,
        event.name,
        event.hint,
        shared.scopes(event.scopes)
      )
    case "TokenRevoked":
      return new AuditRecord(
        position,
        revision,
        at,
        actor,
        event._tag,
        event.serviceAccountId,
        event.tokenId,
        event.reason,
        undefined,
        undefined
      )
    case "ServiceAccountDeleted":
      return new AuditRecord(
        position,
        revision,
        at,
        actor,
        event._tag,
        event.serviceAccountId,
        undefined,
        event.revokedTokenIds.length,
        undefined,
        undefined
      )
  }
}

const start = (): World => ({ organizations: new Map(), shared: sharedValues() })

const append = (world: World, recorded: DomainEvent): void => {
  const organizationId = recorded.event.organizationId
  let trail = world.organizations.get(organizationId)
  if (trail === undefined) {
    trail = []
    Versioned.set(world.organizations, organizationId, trail)
  }
  Versioned.push(trail, record(world.shared, recorded))
}

/**
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<AuditTrailState> = Versioned.projection({
  name: "audit-trail",
  version: 2,
  start,
  applyOne: append
})

const entryOf = (organizationId: OrganizationId, kept: AuditRecord): AuditEntry => ({
  position: bigintOf(kept.position),
  revision: bigintOf(kept.revision),
  occurredAt: utc(kept.occurredAt),
  organizationId,
  actor: kept.actor,
  action: kept.action,
  serviceAccountId: kept.serviceAccountId,
  ...(kept.tokenId === undefined ? {} : { tokenId: kept.tokenId }),
  summary: summary(kept.action, kept.detail, kept.hint, kept.scopes)
})

/**
 * An organisation's trail, in order (empty when the trail holds nothing of it). `from` and `to` (exclusive) pick
 * a slice, by index, as `Array.prototype.slice` does.
 *
 * @since 0.2.0
 * @category getters
 */
export const entries = (
  state: AuditTrailState,
  organizationId: OrganizationId,
  options?: { readonly from?: number; readonly to?: number }
): ReadonlyArray<AuditEntry> => {
  const trail = Versioned.read(state)?.organizations.get(organizationId)
  if (trail === undefined) return []
  const kept = options === undefined ? trail : trail.slice(options.from, options.to)
  return kept.map((one) => entryOf(organizationId, one))
}

/**
 * The organisations the trail knows, in the order of their first event.
 *
 * @since 0.2.0
 * @category getters
 */
export const organizationIds = (state: AuditTrailState): ReadonlyArray<OrganizationId> => {
  const world = Versioned.read(state)
  return world === undefined ? [] : Array.from(world.organizations.keys())
}

/**
 * The number of entries: of one organisation, or of all.
 *
 * @since 0.2.0
 * @category getters
 */
export const size = (state: AuditTrailState, organizationId?: OrganizationId): number => {
  const world = Versioned.read(state)
  if (world === undefined) return 0
  if (organizationId !== undefined) return world.organizations.get(organizationId)?.length ?? 0
  let total = 0
  for (const trail of world.organizations.values()) total += trail.length
  return total
}
