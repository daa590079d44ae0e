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

const HEX: ReadonlyArray<string> = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, "0"))

/**
 * Formats 16 random bytes as a version-4 UUID.
 *
 * @since 0.1.0
 * @category constructors
 */
export const uuidFromBytes = (bytes: Uint8Array): string => {
  const hex = (i: number, byte: number = bytes[i] ?? 0): string => HEX[byte] ?? "00"
  return (
    `${hex(0)}${hex(1)}${hex(2)}${hex(3)}-${hex(4)}${hex(5)}-${hex(6, ((bytes[6] ?? 0) & 0x0f) | 0x40)}${hex(7)}-` +
    `${hex(8, ((bytes[8] ?? 0) & 0x3f) | 0x80)}${hex(9)}-${hex(10)}${hex(11)}${hex(12)}${hex(13)}${hex(14)}${hex(15)}`
  )
}
