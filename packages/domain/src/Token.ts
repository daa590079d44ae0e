/**
 * The API token format: `sat_` + 43 base62 characters (256 random bits) + 6 base62 characters of CRC32
 * checksum over everything before it. The prefix lets secret scanners recognise leaked tokens; the checksum
 * lets anyone reject a mistyped or made-up value offline, before any lookup.
 *
 * Only the SHA-256 digest of a value is ever stored.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import { Redacted } from "effect"
import type { Scope } from "./Events.js"

/**
 * The prefix of every token value.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_PREFIX = "sat_"

/**
 * Random bytes per token (256 bits).
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_ENTROPY_BYTES = 32

const ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
const BODY_LENGTH = 43 // ceil(256 / log2(62))
const CHECKSUM_LENGTH = 6 // ceil(32 / log2(62))

/**
 * The length of every token value.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_LENGTH = TOKEN_PREFIX.length + BODY_LENGTH + CHECKSUM_LENGTH

/**
 * Matches token-shaped text anywhere in a string (checksum not checked). Secret scanners can use it.
 *
 * @since 0.1.0
 * @category constants
 */
export const TOKEN_PATTERN = /sat_[0-9A-Za-z]{49}/g

const CRC_TABLE = (() => {
  const table = new Uint32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c >>> 0
  }
  return table
})()

/**
 * CRC-32 (IEEE 802.3) of an ASCII string.
 *
 * @since 0.1.0
 * @category utils
 */
export const crc32 = (text: string): number => {
  let crc = 0xffffffff
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ 0xffffffff) >>> 0
}

const base62 = (value: bigint, length: number): string => {
  let out = ""
  let v = value
  for (let i = 0; i < length; i++) {
    out = ALPHABET[Number(v % 62n)] + out
    v /= 62n
  }
  return out
}

const checksumOf = (head: string): string => base62(BigInt(crc32(head)), CHECKSUM_LENGTH)

/**
 * Builds a token value from 32 random bytes.
 *
 * @since 0.1.0
 * @category constructors
 */
export const fromEntropy = (bytes: Uint8Array): string => {
  if (bytes.length !== TOKEN_ENTROPY_BYTES) {
    throw new RangeError(`a token needs exactly ${TOKEN_ENTROPY_BYTES} random bytes, got ${bytes.length}`)
  }
  let value = 0n
  for (const byte of bytes) value = (value << 8n) | BigInt(byte)
  const head = TOKEN_PREFIX + base62(value, BODY_LENGTH)
  return head + checksumOf(head)
}

/**
 * Why a value is not a well-formed token. Goes to logs and metrics only.
 *
 * @since 0.1.0
 * @category models
 */
export type MalformedReason = "wrong-length" | "wrong-prefix" | "bad-characters" | "bad-checksum"

/**
 * Checks a value's shape and checksum offline. Returns `undefined` when it is well-formed.
 *
 * @since 0.1.0
 * @category utils
 */
export const checkFormat = (value: string): MalformedReason | undefined => {
  if (value.length !== TOKEN_LENGTH) return "wrong-length"
  if (!value.startsWith(TOKEN_PREFIX)) return "wrong-prefix"
  for (let i = TOKEN_PREFIX.length; i < value.length; i++) {
    const c = value.charCodeAt(i)
    const ok = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122)
    if (!ok) return "bad-characters"
  }
  const head = value.slice(0, TOKEN_LENGTH - CHECKSUM_LENGTH)
  return checksumOf(head) === value.slice(TOKEN_LENGTH - CHECKSUM_LENGTH) ? undefined : "bad-checksum"
}

/**
 * Whether a value is a well-formed token (prefix, length, alphabet and checksum).
 *
 * @since 0.1.0
 * @category utils
 */
export const isWellFormed = (value: string): boolean => checkFormat(value) === undefined

/**
 * The SHA-256 digest of a token value, lower-case hex: the only form in which a token is stored.
 *
 * @since 0.1.0
 * @category utils
 */
export const digest = (value: string): string => createHash("sha256").update(value, "utf8").digest("hex")

/**
 * The non-secret hint shown next to a token: its last four characters.
 *
 * @since 0.1.0
 * @category utils
 */
export const hint = (value: string): string => value.slice(-4)

/**
 * The `session.json` a token is delivered in, exactly in the documented shape:
 * `{"accessToken": "<TOKEN>", "tenantURL": "<TENANT URL>", "scopes": ["read", "write"]}`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const sessionJson = (value: Redacted.Redacted<string>, tenantUrl: string, scopes: ReadonlyArray<Scope>) =>
  Redacted.make(
    `{"accessToken": ${JSON.stringify(Redacted.value(value))}, "tenantURL": ${JSON.stringify(tenantUrl)}, "scopes": [${scopes
      .map((scope) => JSON.stringify(scope))
      .join(", ")}]}`
  )

/**
 * Every well-formed token value found in a text (checksum checked), for leak scans.
 *
 * @since 0.1.0
 * @category utils
 */
export const findTokens = (text: string): ReadonlyArray<string> =>
  (text.match(TOKEN_PATTERN) ?? []).filter(isWellFormed)

/**
 * Replaces every well-formed token value in a text with `[REDACTED]`.
 *
 * @since 0.1.0
 * @category utils
 */
export const redactTokens = (text: string): string =>
  text.replace(TOKEN_PATTERN, (match) => (isWellFormed(match) ? "[REDACTED]" : match))
