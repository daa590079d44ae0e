/**
 * Tamper evidence. Every event the service appends carries, in its metadata, the digest of its predecessor in
 * the stream and its own digest over a canonical encoding of everything that matters (stream, revision, type,
 * data, metadata). Editing, deleting, inserting or reordering events breaks the chain; rewriting the chain from
 * some point on is caught by signed checkpoints (Ed25519), which pin a stream's digest at a revision.
 *
 * @example
 * ```ts
 * import { EventStore, Integrity } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Chunk, Effect, Stream } from "effect"
 *
 * // Seal events before appending: each carries its digest and its predecessor's (the service does this for you).
 * const placed = { eventId: crypto.randomUUID(), type: "Placed", data: { total: 12 }, metadata: {} }
 * const sealed = Integrity.seal("order-1", 0n, Integrity.GENESIS, [placed])
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   yield* store.append("order-1", sealed.events, "no_stream")
 *   // Any edit, insertion, deletion or reordering in the stream shows as a finding.
 *   const verifier = new Integrity.ChainVerifier("order-1")
 *   const findings = yield* Stream.runCollect(
 *     Stream.mapConcat(store.readStream("order-1"), (event) => verifier.next(event))
 *   )
 *   return Chunk.isEmpty(findings) && verifier.lastDigest === sealed.last // true
 * })
 *
 * Effect.runPromise(Effect.provide(program, memoryStore))
 * ```
 *
 * @since 0.1.0
 */
import { createPrivateKey, createPublicKey, type KeyObject, sign, verify } from "node:crypto"
import type { Json, ProposedEvent, RecordedEvent } from "../store/EventStore.js"
import { sha256Hex as sha256 } from "../fast/sha256.js"
import { canonicalJson, digestEvent, GENESIS, INTEGRITY_KEY, recordOf, wholeText } from "./digests.js"

export {
  canonicalJson,
  digestEvent,
  GENESIS,
  INTEGRITY_KEY,
  type IntegrityRecord,
  recordOf
} from "./digests.js"

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

/** Findings of an intact event: shared, never changed. */
const NONE: ReadonlyArray<Finding> = Object.freeze([])

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
    // The common case first, without allocating: an intact event that follows its predecessor. Its record needs no
    // check of its form (a value equal to the digest computed here is a well-formed digest), and the data's own digest
    // is not computed: the whole digest covers the data, and the record's `data` digest serves only to tell a data
    // edit from a metadata edit when the whole digest does not match (`nextChecked`).
    const record = event.metadata[INTEGRITY_KEY]
    if (event.revision === this.expectedRevision && typeof record === "object" && record !== null) {
      const { previous, digest } = record as { readonly [key: string]: Json }
      if (
        previous === this.previous &&
        typeof digest === "string" &&
        sha256(wholeText(event, canonicalJson(event.data), this.previous)) === digest
      ) {
        if (this.remember.has(event.revision)) this.remembered.set(event.revision, digest)
        this.expectedRevision = event.revision + 1n
        this.previous = digest
        return NONE
      }
    }
    return this.nextChecked(event)
  }

  /** `next`, finding everything that is wrong with the event. */
  private nextChecked(event: RecordedEvent): ReadonlyArray<Finding> {
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
