/**
 * Branded identifiers. Ids of things this library creates are UUIDs; ids that come from the host
 * (organisations, users, command ids) are non-empty strings of printable characters that hold no token value.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto"
 * import { OrganizationId, ServiceAccountId, uuidFromBytes } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * // Ids from the host are checked where they come in: printable ASCII, no spaces, at most 200 characters.
 * const acme = Schema.decodeUnknownSync(OrganizationId)("acme")
 * const refused = Schema.decodeUnknownEither(OrganizationId)("acme corp") // Left: must be printable ASCII, no spaces
 *
 * // Ids this library makes are version-4 UUIDs drawn from random bytes.
 * const accountId = Schema.decodeSync(ServiceAccountId)(uuidFromBytes(randomBytes(16)))
 * ```
 *
 * @since 0.1.0
 */
import { Buffer } from "node:buffer"
import { Schema } from "effect"
import { FAIL, withPlainDecoder } from "../fast/compiled.js"
import { isUuid } from "../fast/uuid.js"
import { tokenFree } from "./tokenFree.js"

const HostId = Schema.String.pipe(
  Schema.minLength(1, { message: () => "must not be empty" }),
  Schema.maxLength(200, { message: () => "must be at most 200 characters" }),
  Schema.pattern(/^[\x21-\x7e]+$/, { message: () => "must be printable ASCII without spaces" }),
  // It goes into stream names, events and metadata: a token pasted here would be stored for ever.
  tokenFree()
)

// Compiled decoders (a replay decodes an account's or a token's id in most events) check these ids by hand rather
// than by their pattern: the same texts are accepted, and the value is the text itself, as with the pattern.
const lowerCaseUuid = (input: unknown): unknown => (typeof input === "string" && isUuid(input, true) ? input : FAIL)

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
export const ServiceAccountId = withPlainDecoder(Uuid.pipe(Schema.brand("ServiceAccountId")), lowerCaseUuid)
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
export const TokenId = withPlainDecoder(Uuid.pipe(Schema.brand("TokenId")), lowerCaseUuid)
/**
 * @since 0.1.0
 * @category models
 */
export type TokenId = typeof TokenId.Type

const HEX_DIGITS = Uint8Array.from("0123456789abcdef", (digit) => digit.charCodeAt(0))
/** Where each byte's two digits go in the text of a UUID. */
const DIGITS_AT = [0, 2, 4, 6, 9, 11, 14, 16, 19, 21, 24, 26, 28, 30, 32, 34]
/** The text being formatted (the dashes stay in place): one flat string is read out of it, no piece is built. */
const uuidText = Buffer.from("00000000-0000-0000-0000-000000000000", "latin1")

/**
 * Formats 16 random bytes as a version-4 UUID.
 *
 * @since 0.1.0
 * @category constructors
 */
export const uuidFromBytes = (bytes: Uint8Array): string => {
  for (let i = 0; i < 16; i++) {
    let byte = bytes[i] ?? 0
    // The version (4) and the variant (10xx).
    if (i === 6) byte = (byte & 0x0f) | 0x40
    else if (i === 8) byte = (byte & 0x3f) | 0x80
    const at = DIGITS_AT[i] as number
    uuidText[at] = HEX_DIGITS[byte >> 4] as number
    uuidText[at + 1] = HEX_DIGITS[byte & 0x0f] as number
  }
  return uuidText.toString("latin1", 0, 36)
}
