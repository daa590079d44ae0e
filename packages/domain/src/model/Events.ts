/**
 * The v1 events. Their names and encoded JSON are the storage and export format: an old history must always
 * stay readable, so fields are only ever added as optional, and incompatible changes get a new version with an
 * upcaster (see docs/events.md).
 *
 * Events are `TaggedStruct`s rather than classes: a history is decoded event by event on every replay, and
 * plain structs decode several times faster.
 *
 * @example
 * ```ts
 * import { ServiceAccountEvent } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * // An event's encoded JSON is its stored form (see docs/events.md).
 * const event = Schema.decodeUnknownSync(ServiceAccountEvent)({
 *   _tag: "ServiceAccountCreated",
 *   organizationId: "acme",
 *   actor: { userId: "alice", role: "administrator" },
 *   occurredAt: "2026-12-07T10:00:00.000Z",
 *   serviceAccountId: "3d2c1b0a-9f8e-4d7c-b6a5-f4e3d2c1b0a9",
 *   name: "deploy-bot"
 * })
 *
 * switch (event._tag) {
 *   case "ServiceAccountCreated":
 *     console.log(`${event.actor.userId} created ${event.name}`) // "alice created deploy-bot"
 *     break
 *   case "TokenIssued":
 *     console.log(`token …${event.hint} issued`) // only a hint and the digest are ever recorded
 *     break
 * }
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { FAIL, withPlainDecoder } from "../fast/compiled.js"
import { Actor } from "./Caller.js"
import { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"
import { Description, ServiceAccountName, TokenName } from "./Names.js"
import { Scopes } from "./Scope.js"

const LOWER_HEX_DIGEST = /^[0-9a-f]{64}$/

/**
 * A SHA-256 digest in lower-case hex.
 *
 * @since 0.1.0
 * @category schemas
 */
export const SecretHash = withPlainDecoder(
  Schema.String.pipe(
    Schema.pattern(LOWER_HEX_DIGEST, { message: () => "must be a SHA-256 digest in lower-case hex" }),
    Schema.brand("SecretHash")
  ),
  // Compiled decoders (every token a replay or a snapshot reads) run the pattern themselves, without the filter's
  // result to make and look into for each digest.
  (input) => (typeof input === "string" && LOWER_HEX_DIGEST.test(input) ? input : FAIL)
)
/**
 * @since 0.1.0
 * @category models
 */
export type SecretHash = typeof SecretHash.Type

/**
 * Why a token was revoked.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RevocationReason = Schema.Literal("Manual", "ServiceAccountDeleted")
/**
 * @since 0.1.0
 * @category models
 */
export type RevocationReason = typeof RevocationReason.Type

const common = {
  organizationId: OrganizationId,
  actor: Actor,
  occurredAt: Schema.DateTimeUtc
}

/**
 * A service account was created.
 *
 * @since 0.1.0
 * @category events
 */
export const ServiceAccountCreated = Schema.TaggedStruct("ServiceAccountCreated", {
  ...common,
  serviceAccountId: ServiceAccountId,
  name: ServiceAccountName,
  description: Schema.optional(Description)
})
/**
 * @since 0.1.0
 * @category events
 */
export type ServiceAccountCreated = typeof ServiceAccountCreated.Type

/**
 * A token was issued. Only the SHA-256 digest of its value is recorded, and a short hint (its last four
 * characters) so people can tell tokens apart.
 *
 * @since 0.1.0
 * @category events
 */
export const TokenIssued = Schema.TaggedStruct("TokenIssued", {
  ...common,
  serviceAccountId: ServiceAccountId,
  tokenId: TokenId,
  name: TokenName,
  scopes: Scopes,
  secretHash: SecretHash,
  hint: Schema.String.pipe(Schema.pattern(/^[0-9A-Za-z]{4}$/, { message: () => "must be four letters or digits" }))
})
/**
 * @since 0.1.0
 * @category events
 */
export type TokenIssued = typeof TokenIssued.Type

/**
 * A token was revoked, by hand or because its account was deleted. Revocation is permanent.
 *
 * @since 0.1.0
 * @category events
 */
export const TokenRevoked = Schema.TaggedStruct("TokenRevoked", {
  ...common,
  serviceAccountId: ServiceAccountId,
  tokenId: TokenId,
  reason: RevocationReason
})
/**
 * @since 0.1.0
 * @category events
 */
export type TokenRevoked = typeof TokenRevoked.Type

/**
 * A service account was deleted. The same append revoked its active tokens first, listed here.
 *
 * @since 0.1.0
 * @category events
 */
export const ServiceAccountDeleted = Schema.TaggedStruct("ServiceAccountDeleted", {
  ...common,
  serviceAccountId: ServiceAccountId,
  revokedTokenIds: Schema.Array(TokenId)
})
/**
 * @since 0.1.0
 * @category events
 */
export type ServiceAccountDeleted = typeof ServiceAccountDeleted.Type

/**
 * Every v1 event.
 *
 * @since 0.1.0
 * @category events
 */
export const ServiceAccountEvent = Schema.Union(ServiceAccountCreated, TokenIssued, TokenRevoked, ServiceAccountDeleted)
/**
 * @since 0.1.0
 * @category events
 */
export type ServiceAccountEvent = typeof ServiceAccountEvent.Type

/**
 * The event type names, which are also the `_tag`s and the stored event types.
 *
 * @since 0.1.0
 * @category constants
 */
export const eventTypes = ["ServiceAccountCreated", "TokenIssued", "TokenRevoked", "ServiceAccountDeleted"] as const

/**
 * The version of the event schemas this code writes. Stored in each event's metadata as `schemaVersion`.
 *
 * @since 0.1.0
 * @category constants
 */
export const EVENT_SCHEMA_VERSION = 1
