/**
 * The API token format: `sat_` + 43 base62 characters (256 random bits) + 6 base62 characters of CRC32
 * checksum over everything before it. The prefix lets secret scanners recognise leaked tokens; the checksum
 * lets anyone reject a mistyped or made-up value offline, before any lookup.
 *
 * Only the SHA-256 digest of a value is ever stored.
 *
 * @example
 * ```ts
 * import { randomBytes } from "node:crypto"
 * import { Token } from "@service-accounts/domain"
 *
 * const value = Token.fromEntropy(randomBytes(Token.TOKEN_ENTROPY_BYTES)) // "sat_" + 49 base62 characters
 * Token.checkFormat(value) // undefined: well-formed
 * Token.checkFormat(`sat_${"0".repeat(49)}`) // "bad-checksum": refused offline, before any lookup
 *
 * // Only the digest is stored; people tell tokens apart by the hint.
 * const stored = { digest: Token.digest(value), hint: Token.hint(value) }
 *
 * // Leak scans: find the tokens in a text, or blank them out.
 * Token.findTokens(`curl -H "Authorization: Bearer ${value}"`) // [value]
 * Token.redactTokens(`Bearer ${value}`) // "Bearer [REDACTED]"
 * ```
 *
 * @since 0.1.0
 */
// `crypto.hash` (one-shot, no Hash object) exists from Node 20.12; `createHash` is the fallback.
import * as crypto from "node:crypto"
import { Redacted } from "effect"
import type { Scope } from "./Scope.js"

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

// Signed 32-bit entries: the CRC stays a small integer throughout (`>>> 0` makes it unsigned at the end).
const CRC_TABLE = (() => {
  const table = new Int32Array(256)
  for (let n = 0; n < 256; n++) {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    table[n] = c
  }
  return table
})()

/** 1 for the char codes of the base62 alphabet, 0 for every other UTF-16 code unit. */
const IN_ALPHABET = (() => {
  const table = new Uint8Array(65536)
  for (let i = 0; i < ALPHABET.length; i++) table[ALPHABET.charCodeAt(i)] = 1
  return table
})()

/**
 * CRC-32 (IEEE 802.3) of an ASCII string.
 *
 * @since 0.1.0
 * @category utils
 */
export const crc32 = (text: string): number => {
  let crc = -1
  for (let i = 0; i < text.length; i++) {
    crc = (CRC_TABLE[(crc ^ text.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  return (crc ^ -1) >>> 0
}

const ALPHABET_CODES = Int32Array.from(ALPHABET, (c) => c.charCodeAt(0))
// The body is converted by long division of 16-bit limbs by 62^5 (remainders stay far below 2^53).
const CHUNK = 62 ** 5
const LIMBS = TOKEN_ENTROPY_BYTES / 2

/** The lowest `length` base62 digits of a number below 2^53, most significant first. */
const base62Number = (value: number, length: number): string => {
  let out = ""
  let v = value
  for (let i = 0; i < length; i++) {
    out = ALPHABET[v % 62] + out
    v = Math.floor(v / 62)
  }
  return out
}

/** The 256-bit big-endian number in `bytes` as exactly `BODY_LENGTH` base62 digits (62^43 > 2^256). */
const base62Body = (bytes: Uint8Array): string => {
  const limbs = new Array<number>(LIMBS)
  for (let i = 0; i < LIMBS; i++) limbs[i] = ((bytes[2 * i] ?? 0) << 8) | (bytes[2 * i + 1] ?? 0)
  const codes = new Array<number>(BODY_LENGTH)
  let next = BODY_LENGTH - 1
  // Limbs before `first` are zero: each division shortens the number by about two limbs, so it skips them.
  let first = 0
  while (next >= 0) {
    while (first < LIMBS && limbs[first] === 0) first++
    let remainder = 0
    for (let i = first; i < LIMBS; i++) {
      const current = remainder * 65536 + (limbs[i] ?? 0)
      const quotient = Math.floor(current / CHUNK)
      limbs[i] = quotient
      remainder = current - quotient * CHUNK
    }
    for (let digit = 0; digit < 5 && next >= 0; digit++, next--) {
      codes[next] = ALPHABET_CODES[remainder % 62] ?? 0
      remainder = Math.floor(remainder / 62)
    }
  }
  return String.fromCharCode(...codes)
}

const checksumOf = (head: string): string => base62Number(crc32(head), CHECKSUM_LENGTH)

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
  const head = TOKEN_PREFIX + base62Body(bytes)
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
  // One pass (this runs on every authentication): the body's characters are checked while the CRC-32 of the head
  // is computed, then the checksum's characters; then the checksum, digit by digit from the end.
  const headLength = TOKEN_LENGTH - CHECKSUM_LENGTH
  let crc = -1
  for (let i = 0; i < TOKEN_PREFIX.length; i++) crc = (CRC_TABLE[(crc ^ value.charCodeAt(i)) & 0xff] ?? 0) ^ (crc >>> 8)
  let outside = 0
  for (let i = TOKEN_PREFIX.length; i < headLength; i++) {
    const c = value.charCodeAt(i)
    outside |= (IN_ALPHABET[c] ?? 0) ^ 1
    crc = (CRC_TABLE[(crc ^ c) & 0xff] ?? 0) ^ (crc >>> 8)
  }
  for (let i = headLength; i < TOKEN_LENGTH; i++) outside |= (IN_ALPHABET[value.charCodeAt(i)] ?? 0) ^ 1
  if (outside !== 0) return "bad-characters"
  let checksum = (crc ^ -1) >>> 0
  for (let i = TOKEN_LENGTH - 1; i >= headLength; i--) {
    const quotient = Math.floor(checksum / 62)
    if (value.charCodeAt(i) !== ALPHABET_CODES[checksum - quotient * 62]) return "bad-checksum"
    checksum = quotient
  }
  return undefined
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
export const digest: (value: string) => string =
  typeof crypto.hash === "function"
    ? (value) => crypto.hash("sha256", value, "hex")
    : (value) => crypto.createHash("sha256").update(value, "utf8").digest("hex")

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
  Redacted.make(`{"accessToken": ${JSON.stringify(Redacted.value(value))}, ${sessionTail(tenantUrl, scopes)}`)

/** The part of a `session.json` after the token, the same for every token of an organisation and scope list. */
const sessionTails = new Map<string, string>()
const SESSION_TAILS = 256

const formatTail = (tenantUrl: string, scopes: ReadonlyArray<Scope>): string =>
  `"tenantURL": ${JSON.stringify(tenantUrl)}, "scopes": [${scopes.map((scope) => JSON.stringify(scope)).join(", ")}]}`

const hasLineBreak = (scope: string): boolean => scope.includes("\n")

const sessionTail = (tenantUrl: string, scopes: ReadonlyArray<Scope>): string => {
  // The key is the number of scopes, one scope a line, then the URL: unambiguous while no scope holds a line break
  // (no valid one does; a list that has one is formatted without being remembered).
  if (scopes.some(hasLineBreak)) return formatTail(tenantUrl, scopes)
  const key = `${scopes.length}\n${scopes.join("\n")}\n${tenantUrl}`
  let tail = sessionTails.get(key)
  if (tail === undefined) {
    tail = formatTail(tenantUrl, scopes)
    if (sessionTails.size >= SESSION_TAILS) sessionTails.clear()
    sessionTails.set(key, tail)
  }
  return tail
}

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

// `sat_` and the letters and digits after it, however many: a whole token, one with a wrong checksum, or the start
// of one that a message cut short (`JSON.parse` quotes the first characters of a line it cannot read).
const TOKEN_SHAPED = new RegExp(`${TOKEN_PREFIX}[0-9A-Za-z]+`, "g")
// Characters a terminal does not print but may act on, or that hide or reorder text: C0 and C1 controls and DEL,
// format characters (bidirectional overrides and isolates, zero-width marks, soft hyphens, tags), the line and
// paragraph separators, and lone surrogates.
const NON_PRINTING = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u
const NON_PRINTING_ALL = /[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/gu

const escapeCharacter = (character: string): string => {
  const code = character.codePointAt(0) ?? 0
  return code > 0xffff ? `\\u{${code.toString(16)}}` : `\\u${code.toString(16).padStart(4, "0")}`
}

/**
 * How a text taken from input (a line of a file, a stored field, an argument) is quoted in a message or a report:
 * at most `maxLength` characters of it, then `…`; every token-shaped value (`sat_` and the letters and digits after
 * it — a whole token, one with a wrong checksum, or the start of one) replaced with `[REDACTED]`; and every control
 * or non-printing character escaped as `\u001b` (`\u{e0001}` beyond the BMP), so that quoted input can neither act
 * on a terminal nor leak a secret. Text that needs none of this is returned as it is.
 *
 * @since 0.3.0
 * @category utils
 */
export const quoteSafely = (text: string, maxLength = 300): string => {
  const cut = text.length > maxLength
  if (!cut && !NON_PRINTING.test(text) && !text.includes(TOKEN_PREFIX)) return text
  // Never split a surrogate pair where the text is cut.
  let end = cut ? maxLength : text.length
  if (cut && end > 0 && /[\ud800-\udbff]/.test(text.charAt(end - 1))) end--
  const shown = text.slice(0, end).replace(TOKEN_SHAPED, "[REDACTED]").replace(NON_PRINTING_ALL, escapeCharacter)
  return cut ? `${shown}…` : shown
}
