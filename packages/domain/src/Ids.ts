/**
 * Branded identifiers. Ids of things this library creates are UUIDs; ids that come from the host
 * (organisations, users, command ids) are non-empty strings of printable characters.
 *
 * @since 0.1.0
 */
import { Schema } from "effect"

const HostId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" }),
  Schema.pattern(/^[\x21-\x7e]+$/, { message: () => "must be printable ASCII without spaces" })
)

const Uuid = Schema.String.pipe(
  Schema.pattern(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, {
    message: () => "must be a lower-case UUID"
  })
)

/**
 * An organisation's id, as the host knows it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const OrganizationId = HostId.pipe(Schema.brand("OrganizationId"))
/**
 * @since 0.1.0
 * @category models
 */
export type OrganizationId = typeof OrganizationId.Type

/**
 * A (human) user's id, as the host knows it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UserId = HostId.pipe(Schema.brand("UserId"))
/**
 * @since 0.1.0
 * @category models
 */
export type UserId = typeof UserId.Type

/**
 * A caller-chosen idempotency key for one command.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CommandId = HostId.pipe(Schema.brand("CommandId"))
/**
 * @since 0.1.0
 * @category models
 */
export type CommandId = typeof CommandId.Type

/**
 * A service account's id (a UUID chosen by this library).
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServiceAccountId = Uuid.pipe(Schema.brand("ServiceAccountId"))
/**
 * @since 0.1.0
 * @category models
 */
export type ServiceAccountId = typeof ServiceAccountId.Type

/**
 * An API token's id (a UUID chosen by this library; not the secret).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenId = Uuid.pipe(Schema.brand("TokenId"))
/**
 * @since 0.1.0
 * @category models
 */
export type TokenId = typeof TokenId.Type

/**
 * Formats 16 random bytes as a version-4 UUID.
 *
 * @since 0.1.0
 * @category constructors
 */
export const uuidFromBytes = (bytes: Uint8Array): string => {
  const b = Uint8Array.from(bytes.subarray(0, 16))
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x40
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("")
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`
}
