/**
 * Tamper evidence. Every event the service appends carries, in its metadata, the digest of its predecessor in
 * the stream and its own digest over a canonical encoding of everything that matters (stream, revision, type,
 * data, metadata). Editing, deleting, inserting or reordering events breaks the chain; rewriting the chain from
 * some point on is caught by signed checkpoints (Ed25519), which pin a stream's digest at a revision.
 *
 * @since 0.1.0
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto"
import type { Json, ProposedEvent, RecordedEvent } from "../store/EventStore.js"
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
  // The data is canonicalised once: its text is hashed alone and inside the canonical JSON of
  // {data, metadata without the integrity record, previous, revision, stream, type} (the keys in sorted order).
  const dataText = canonicalJson(event.data)
  const whole = `{"data":${dataText},"metadata":${canonicalWithout(event.metadata, INTEGRITY_KEY)},"previous":${quote(
    event.previous
  )},"revision":"${event.revision}","stream":${quote(event.streamId)},"type":${quote(event.type)}}`
  return { previous: event.previous, data: sha256(dataText), digest: sha256(whole) }
}

/**
 * An event sealed for appending, with the digest its integrity record holds (the next event chains from it).
 *
 * @since 0.3.0
 * @category models
 */
export interface SealedEvent {
  readonly event: ProposedEvent
  readonly digest: string
}

/**
 * Adds integrity records to events about to be appended at `firstRevision` onwards, chained from `previous`, and
 * gives back each event with its digest.
 *
 * @since 0.3.0
 * @category sealing
 */
export const sealEach = (
  streamId: string,
  firstRevision: bigint,
  previous: string,
  events: ReadonlyArray<ProposedEvent>
): ReadonlyArray<SealedEvent> => {
  let chain = previous
  return events.map((event, i): SealedEvent => {
    const record = digestEvent({
      streamId,
      revision: firstRevision + BigInt(i),
      type: event.type,
      data: event.data,
      metadata: event.metadata,
      previous: chain
    })
    chain = record.digest
    return {
      event: {
        eventId: event.eventId,
        type: event.type,
        data: event.data,
        metadata: {
          ...event.metadata,
          [INTEGRITY_KEY]: { previous: record.previous, data: record.data, digest: record.digest }
        }
      },
      digest: record.digest
    }
  })
}

/**
 * Adds integrity records to events about to be appended at `firstRevision` onwards, chained from `previous`.
 *
 * @since 0.1.0
 * @category sealing
 */
export const seal = (
  streamId: string,
  firstRevision: bigint,
  previous: string,
  events: ReadonlyArray<ProposedEvent>
): { readonly events: ReadonlyArray<ProposedEvent>; readonly last: string } => {
  const sealed = sealEach(streamId, firstRevision, previous, events)
  return { events: sealed.map((each) => each.event), last: sealed[sealed.length - 1]?.digest ?? previous }
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
  const hex = (value: Json | undefined): value is string => typeof value === "string" && /^[0-9a-f]{64}$/.test(value)
  return hex(previous) && hex(data) && hex(digest) ? { previous, data, digest } : undefined
}

/**
 * What verification found wrong at one event, or (with an empty `streamId` and revision -1) about the history as a
 * whole. Since 0.3.0 also: `key-mismatch` (the public key verifies none of the checkpoints: not the signer's key, or
 * every checkpoint replaced), `unsigned-events` (events that no signed checkpoint covers, when they must be),
 * `no-signed-checkpoint` (none at all, when there must be) and `missing-checkpoint` (a checkpoint the auditor
 * expected is not in the history).
 *
 * @since 0.1.0
 * @category models
 */
export interface Finding {
  readonly kind:
    | "unsealed"
    | "edited-data"
    | "edited-metadata"
    | "missing-events"
    | "out-of-order"
    | "broken-chain"
    | "truncated"
    | "checkpoint-mismatch"
    | "forged-checkpoint"
    | "key-mismatch"
    | "unsigned-events"
    | "no-signed-checkpoint"
    | "missing-checkpoint"
  readonly streamId: string
  readonly revision: bigint
  readonly position?: bigint
  readonly message: string
}

/**
 * Verifies one stream's chain incrementally: feed it the stream's events in the order the store returns them.
 * Memory stays constant, so a history of any length verifies in one streaming pass.
 *
 * @since 0.1.0
 * @category verification
 */
export class ChainVerifier {
  private expectedRevision = 0n
  private previous = GENESIS
  /** The digest at each revision a checkpoint asked to remember. */
  readonly remembered = new Map<bigint, string>()

  constructor(
    readonly streamId: string,
    private readonly remember: ReadonlySet<bigint> = new Set()
  ) {}

  /** The revision of the last event seen, or -1. */
  get lastRevision(): bigint {
    return this.expectedRevision - 1n
  }

  /** The digest of the last event seen. */
  get lastDigest(): string {
    return this.previous
  }

  /** Checks the next event; returns what is wrong with it (nothing when it is intact). */
  next(event: RecordedEvent): ReadonlyArray<Finding> {
    const findings: Array<Finding> = []
    const at = { streamId: this.streamId, revision: event.revision, position: event.position }
    if (event.revision > this.expectedRevision) {
      findings.push({
        ...at,
        kind: "missing-events",
        message: `revisions ${this.expectedRevision}–${event.revision - 1n} are missing before this event`
      })
    } else if (event.revision < this.expectedRevision) {
      findings.push({
        ...at,
        kind: "out-of-order",
        message: `revision ${event.revision} comes after revision ${this.expectedRevision - 1n}`
      })
    }
    const record = recordOf(event.metadata)
    if (record === undefined) {
      findings.push({ ...at, kind: "unsealed", message: "the event carries no integrity record" })
      this.expectedRevision = event.revision + 1n
      this.previous = GENESIS
      return findings
    }
    const computed = digestEvent({ ...event, previous: record.previous })
    if (computed.data !== record.data) {
      findings.push({ ...at, kind: "edited-data", message: "the event's data was changed after it was written" })
    } else if (computed.digest !== record.digest) {
      findings.push({
        ...at,
        kind: "edited-metadata",
        message: "the event's type or metadata was changed after it was written"
      })
    }
    if (
      record.previous !== this.previous &&
      findings.every((f) => f.kind !== "missing-events" && f.kind !== "out-of-order")
    ) {
      findings.push({
        ...at,
        kind: "broken-chain",
        message: "the event does not follow its predecessor: an event was inserted, deleted or moved before it"
      })
    }
    // An event that comes back out of order is reported, but the chain carries on from the furthest event.
    if (event.revision < this.expectedRevision) return findings
    if (this.remember.has(event.revision)) this.remembered.set(event.revision, record.digest)
    this.expectedRevision = event.revision + 1n
    this.previous = record.digest
    return findings
  }
}

/**
 * A signed statement that a stream had a given digest at a given revision.
 *
 * @since 0.1.0
 * @category models
 */
export interface Checkpoint {
  readonly streamId: string
  readonly revision: string
  readonly digest: string
  readonly createdAt: string
  /** Base64 Ed25519 signature over the canonical JSON of the four fields above. */
  readonly signature: string
}

const signedPart = (checkpoint: Omit<Checkpoint, "signature">): string =>
  canonicalJson({
    streamId: checkpoint.streamId,
    revision: checkpoint.revision,
    digest: checkpoint.digest,
    createdAt: checkpoint.createdAt
  })

const toPrivateKey = (key: KeyObject | string): KeyObject => (typeof key === "string" ? createPrivateKey(key) : key)
const toPublicKey = (key: KeyObject | string): KeyObject => (typeof key === "string" ? createPublicKey(key) : key)

/**
 * Signs a checkpoint with an Ed25519 private key (a `KeyObject` or PEM text).
 *
 * @since 0.1.0
 * @category checkpoints
 */
export const signCheckpoint = (
  privateKey: KeyObject | string,
  unsigned: Omit<Checkpoint, "signature">
): Checkpoint => ({
  ...unsigned,
  signature: sign(null, Buffer.from(signedPart(unsigned), "utf8"), toPrivateKey(privateKey)).toString("base64")
})

/**
 * Whether a checkpoint's signature is valid for the public key (a `KeyObject` or PEM text).
 *
 * @since 0.1.0
 * @category checkpoints
 */
export const verifyCheckpointSignature = (publicKey: KeyObject | string, checkpoint: Checkpoint): boolean => {
  try {
    return verify(
      null,
      Buffer.from(signedPart(checkpoint), "utf8"),
      toPublicKey(publicKey),
      Buffer.from(checkpoint.signature, "base64")
    )
  } catch {
    return false
  }
}
