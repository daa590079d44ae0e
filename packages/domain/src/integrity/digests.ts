/**
 * The digests of tamper evidence: the canonical JSON an event's digests are computed over, the digests themselves,
 * and the integrity record an event carries. `Integrity` re-exports everything public here.
 *
 * @since 0.3.0
 */
import type { Json } from "../store/EventStore.js"
import { sha256Hex as sha256 } from "../fast/sha256.js"

/**
 * The "previous digest" of a stream's first event.
 *
 * @since 0.1.0
 * @category constants
 */
export const GENESIS = "0".repeat(64)

/**
 * The metadata key holding an event's integrity record.
 *
 * @since 0.1.0
 * @category constants
 */
export const INTEGRITY_KEY = "integrity"

/**
 * An event's integrity record.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrityRecord {
  /** The digest of the stream's previous event (`GENESIS` for revision 0). */
  readonly previous: string
  /** SHA-256 of the canonical data alone, so an edit can be told from a metadata edit. */
  readonly data: string
  /** SHA-256 of the canonical {stream, revision, type, data, metadata without this record, previous}. */
  readonly digest: string
}

/**
 * JSON with object keys sorted at every level and no insignificant white space: the same value always gives
 * the same text.
 *
 * @since 0.1.0
 * @category encoding
 */
export const canonicalJson = (value: Json): string => canonicalWithout(value, undefined)

// What JSON.stringify escapes in a string: quotes, backslashes, control characters and (lone) surrogates. A string
// without any is its own JSON text between quotes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

const quote = (text: string): string => (ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`)

/** Object keys as JSON text: events use a few dozen keys over and over, so each is quoted once (bounded). */
const quotedKeys = new Map<string, string>()
const QUOTED_KEYS = 512

const quoteKey = (key: string): string => {
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    quoted = quote(key)
    if (key.length <= 64) {
      if (quotedKeys.size >= QUOTED_KEYS) quotedKeys.clear()
      quotedKeys.set(key, quoted)
    }
  }
  return quoted
}

/**
 * An object's keys in the order `Array.prototype.sort` gives them (by UTF-16 code units). Events have a dozen keys at
 * most: sorting them by insertion in place allocates nothing, where `sort` makes a work copy.
 */
const sortedKeys = (record: object): Array<string> => {
  const keys = Object.keys(record)
  if (keys.length > 16) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string
    let j = i - 1
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/** `canonicalJson`, leaving out one top-level key of an object (`undefined`: none). */
const canonicalWithout = (value: Json, skip: string | undefined): string => {
  if (typeof value === "string") return quote(value)
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) {
      const item: Json | undefined = value[i]
      // As `JSON.stringify` would have it inside `join`: a hole or an `undefined` item leaves an empty slot.
      out += `${i === 0 ? "" : ","}${item === undefined ? "" : canonicalWithout(item, undefined)}`
    }
    return `${out}]`
  }
  const record = value as { readonly [key: string]: Json | undefined }
  const keys = sortedKeys(record)
  let out = "{"
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined || key === skip) continue
    out += `${first ? "" : ","}${quoteKey(key)}:${canonicalWithout(item, undefined)}`
    first = false
  }
  return `${out}}`
}

/**
 * The digests of one event.
 *
 * @since 0.1.0
 * @category digests
 */
export const digestEvent = (event: {
  readonly streamId: string
  readonly revision: bigint
  readonly type: string
  readonly data: Json
  readonly metadata: { readonly [key: string]: Json }
  readonly previous: string
}): IntegrityRecord => {
  const dataText = canonicalJson(event.data)
  return {
    previous: event.previous,
    data: sha256(dataText),
    digest: sha256(wholeText(event, dataText, event.previous))
  }
}

/**
 * The canonical JSON of {data, metadata without the integrity record, previous, revision, stream, type} (the keys in
 * sorted order), around the data's canonical text: the data is canonicalised once, hashed alone and inside this.
 */
export const wholeText = (event: RecordedPart, dataText: string, previous: string): string =>
  `{"data":${dataText},"metadata":${canonicalWithout(event.metadata, INTEGRITY_KEY)},"previous":${quote(
    previous
  )},"revision":"${event.revision}","stream":${quote(event.streamId)},"type":${quote(event.type)}}`

/** What of an event its digests cover. */
export interface RecordedPart {
  readonly streamId: string
  readonly revision: bigint
  readonly type: string
  readonly metadata: { readonly [key: string]: Json }
}

/**
 * The integrity record stored with an event, if it has a well-formed one.
 *
 * @since 0.1.0
 * @category getters
 */
export const recordOf = (metadata: { readonly [key: string]: Json }): IntegrityRecord | undefined => {
  const record = metadata[INTEGRITY_KEY]
  if (typeof record !== "object" || record === null || Array.isArray(record)) return undefined
  const { previous, data, digest } = record as { readonly [key: string]: Json }
  return isHexDigest(previous) && isHexDigest(data) && isHexDigest(digest) ? { previous, data, digest } : undefined
}

const HEX_DIGEST = /^[0-9a-f]{64}$/
export const isHexDigest = (value: Json | undefined): value is string =>
  typeof value === "string" && HEX_DIGEST.test(value)
