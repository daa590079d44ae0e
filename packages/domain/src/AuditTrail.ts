/**
 * The audit trail: per organisation, who did what, when, to what, in the order it happened.
 *
 * @since 0.1.0
 */
import { Chunk, type DateTime, HashMap, Option } from "effect"
import type { Actor } from "./Caller.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "./StoredEvent.js"

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

/**
 * @since 0.1.0
 * @category models
 */
export type AuditTrailState = HashMap.HashMap<OrganizationId, Chunk.Chunk<AuditEntry>>

/**
 * The human description of an event.
 *
 * @since 0.1.0
 * @category utils
 */
export const describe = ({ event }: DomainEvent): string => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      return `created service account "${event.name}"`
    case "TokenIssued":
      return `issued token "${event.name}" (…${event.hint}, scopes ${event.scopes.join(", ")})`
    case "TokenRevoked":
      return event.reason === "Manual" ? "revoked token" : "revoked token (its service account was deleted)"
    case "ServiceAccountDeleted":
      return event.revokedTokenIds.length === 0
        ? "deleted service account"
        : `deleted service account and its ${event.revokedTokenIds.length} active token(s)`
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
  return {
    position: recorded.position,
    revision: recorded.revision,
    occurredAt: event.occurredAt,
    organizationId: event.organizationId,
    actor: event.actor,
    action: event._tag,
    serviceAccountId: event.serviceAccountId,
    ...(event._tag === "TokenIssued" || event._tag === "TokenRevoked" ? { tokenId: event.tokenId } : {}),
    summary: describe(recorded)
  }
}

/**
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<AuditTrailState> = {
  name: "audit-trail",
  version: 1,
  initialState: HashMap.empty(),
  apply: (state, recorded) => {
    const organizationId = recorded.event.organizationId
    const trail = Option.getOrElse(HashMap.get(state, organizationId), () => Chunk.empty<AuditEntry>())
    return HashMap.set(state, organizationId, Chunk.append(trail, entry(recorded)))
  }
}
