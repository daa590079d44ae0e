/**
 * Encoding domain events for appending: the event's JSON, its metadata and an event id derived from an
 * idempotency key. Re-exported by `StoredEvent`.
 */
import { Buffer } from "node:buffer"
import { DateTime, Schema } from "effect"
import type { Json, ProposedEvent } from "./EventStore.js"
import {
  EVENT_SCHEMA_VERSION,
  ServiceAccountCreated,
  ServiceAccountDeleted,
  ServiceAccountEvent,
  TokenIssued,
  TokenRevoked
} from "../model/Events.js"
import { isoOf } from "../fast/compact.js"
import { isJson } from "../fast/json.js"
import { sha256Hex } from "../fast/sha256.js"

/**
 * A digest of a command (its canonical JSON), stored with its events when the caller gave a command id.
 *
 * @since 0.1.0
 * @category encoding
 */
export const commandHash = (command: unknown): string =>
  sha256Hex(JSON.stringify(command, (_key, value) => (typeof value === "bigint" ? String(value) : value))).slice(0, 32)

const VARIANT_DIGITS = Uint8Array.from("89ab", (digit) => digit.charCodeAt(0))
/** The text being formatted (dashes and version digit in place): one flat string is read out of it. */
const uuidText = Buffer.from("00000000-0000-4000-8000-000000000000", "latin1")

/** Copies hex digits `from`..`to` of `hex` into `uuidText` at `at`. */
const copyDigits = (hex: string, from: number, to: number, at: number): void => {
  for (let i = from; i < to; i++) uuidText[at + i - from] = hex.charCodeAt(i)
}

/** The first 32 hex digits of a digest as a version-4 UUID: what `uuidFromBytes` makes of the digest's bytes. */
const uuidFromHex = (hex: string): string => {
  copyDigits(hex, 0, 8, 0)
  copyDigits(hex, 8, 12, 9)
  // Digit 12 gives way to the version, 4 (already in place).
  copyDigits(hex, 13, 16, 15)
  // The variant digit: the two high bits of the digest's digit become 10 (8, 9, a or b).
  const code = hex.charCodeAt(16)
  uuidText[19] = VARIANT_DIGITS[(code <= 57 ? code - 48 : code - 87) & 0x3] as number
  copyDigits(hex, 17, 20, 20)
  copyDigits(hex, 20, 32, 24)
  return uuidText.toString("latin1", 0, 36)
}

/**
 * An event id derived from a command id, so that re-sending the same command's append is recognised by the
 * store as the same write (EventStoreDB deduplicates by event id).
 *
 * @since 0.1.0
 * @category constructors
 */
export const derivedEventId = (streamId: string, commandId: string, index: number): string =>
  uuidFromHex(sha256Hex(`${streamId}\u0000${commandId}\u0000${index}`))

const encodeEvent = Schema.encodeSync(ServiceAccountEvent)

/** Each event type's fields, in the order its schema declares them (the order `Schema` encodes them in). */
const fieldsOf: { readonly [tag: string]: ReadonlyArray<string> | undefined } = {
  ServiceAccountCreated: Object.keys(ServiceAccountCreated.fields),
  TokenIssued: Object.keys(TokenIssued.fields),
  TokenRevoked: Object.keys(TokenRevoked.fields),
  ServiceAccountDeleted: Object.keys(ServiceAccountDeleted.fields)
}

class NotEncodable {}

/** A field value as JSON: `DateTime.Utc` as its ISO text, as `Schema.DateTimeUtc` encodes it; the rest as it is. */
const jsonOf = (value: unknown): Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
      if (Number.isFinite(value)) return value
      throw new NotEncodable()
    case "object": {
      if (value === null) return null
      if (Array.isArray(value)) return value.map(jsonOf)
      if (DateTime.isDateTime(value)) {
        if (DateTime.isUtc(value)) return isoOf(value)
        throw new NotEncodable()
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw new NotEncodable()
      const out: { [key: string]: Json } = {}
      for (const key of Object.keys(value)) {
        const item: unknown = (value as { readonly [key: string]: unknown })[key]
        if (item !== undefined) out[key] = jsonOf(item)
      }
      return out
    }
    default:
      throw new NotEncodable()
  }
}

/**
 * An event's encoded JSON without re-checking it against its schema: for events this library's deciders built
 * from decoded commands and callers, which already satisfy every refinement. The events' schemas transform
 * nothing but `occurredAt` (`DateTimeUtc` ⇄ ISO text), so the encoded form is the event with its times as text,
 * its fields in the schema's order, and no field the schema does not declare (a test checks it against
 * `Schema.encode` on generated events). Anything else — an unknown event type, a value of an unexpected kind —
 * goes through `Schema.encodeSync`.
 */
const encodeTrusted = (event: ServiceAccountEvent): Json => {
  const fields = fieldsOf[event._tag]
  if (fields === undefined) return encodeChecked(event)
  try {
    const out: { [key: string]: Json } = {}
    const record = event as unknown as { readonly [key: string]: unknown }
    for (const key of fields) {
      const item = record[key]
      if (item !== undefined) out[key] = jsonOf(item)
    }
    return out
  } catch (error) {
    if (error instanceof NotEncodable) return encodeChecked(event)
    throw error
  }
}

/**
 * How events are proposed: the key their ids derive from and, when the caller gave a command id, that id with the
 * command's digest (recorded in the metadata).
 *
 * @since 0.2.0
 * @category encoding
 */
export interface ProposeOptions {
  readonly idempotencyKey: string
  readonly command?: { readonly commandId: string; readonly hash: string } | undefined
}

/** `Schema.encodeSync` of an event, checked to be JSON (a schema could encode to something else). */
const encodeChecked = (event: ServiceAccountEvent): Json => {
  const data: unknown = encodeEvent(event)
  if (!isJson(data)) throw new TypeError(`event ${event._tag} does not encode to JSON`)
  return data
}

const proposedOf = (
  streamId: string,
  events: ReadonlyArray<ServiceAccountEvent>,
  options: ProposeOptions,
  encode: (event: ServiceAccountEvent) => Json
): ReadonlyArray<ProposedEvent> =>
  events.map((event, index) => {
    const data = encode(event)
    const metadata: { [key: string]: Json } = { schemaVersion: EVENT_SCHEMA_VERSION }
    if (options.command !== undefined) {
      metadata.commandId = options.command.commandId
      metadata.commandHash = options.command.hash
    }
    return { eventId: derivedEventId(streamId, options.idempotencyKey, index), type: event._tag, data, metadata }
  })

/**
 * Encodes domain events for appending. Event ids are derived from `idempotencyKey` (the caller's command id,
 * or a key drawn once per call), so re-sending the same append is recognised by the store as the same write.
 * `command`, when given, records the caller's command id and the command's digest in the metadata.
 *
 * @since 0.1.0
 * @category encoding
 */
export const toProposed = (
  streamId: string,
  events: ReadonlyArray<ServiceAccountEvent>,
  options: ProposeOptions
): ReadonlyArray<ProposedEvent> => proposedOf(streamId, events, options, encodeChecked)

/**
 * `toProposed` for the events the service's deciders just built (see `encodeTrusted`): the same result, without
 * checking every field against its schema a second time.
 */
export const toProposedDecided = (
  streamId: string,
  events: ReadonlyArray<ServiceAccountEvent>,
  options: ProposeOptions
): ReadonlyArray<ProposedEvent> => proposedOf(streamId, events, options, encodeTrusted)
