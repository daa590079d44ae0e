/**
 * The digests of tamper evidence: the canonical JSON an event's digests are computed over, the digests themselves,
 * and the integrity record an event carries. `Integrity` re-exports everything public here.
 *
 * @since 0.3.0
 */
import type { Json } from "../store/EventStore.js"
import { sha256Hex as sha256 } from "../fast/sha256.js"
import { canonicalWithout, quote } from "./canonical.js"

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
