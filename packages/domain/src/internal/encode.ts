/**
 * Encoding domain events for appending: the event's JSON, its metadata and an event id derived from an
 * idempotency key. Re-exported by `StoredEvent`.
 */
import { createHash } from "node:crypto"
import { Schema } from "effect"
import type { Json, ProposedEvent } from "../EventStore.js"
import { EVENT_SCHEMA_VERSION, ServiceAccountEvent } from "../Events.js"
import { uuidFromBytes } from "../Ids.js"
import { isJson } from "./json.js"

/**
 * A digest of a command (its canonical JSON), stored with its events when the caller gave a command id.
 *
 * @since 0.1.0
 * @category encoding
 */
export const commandHash = (command: unknown): string =>
  createHash("sha256")
    .update(JSON.stringify(command, (_key, value) => (typeof value === "bigint" ? String(value) : value)))
    .digest("hex")
    .slice(0, 32)

const encodeEvent = Schema.encodeSync(ServiceAccountEvent)

/**
 * An event id derived from a command id, so that re-sending the same command's append is recognised by the
 * store as the same write (EventStoreDB deduplicates by event id).
 *
 * @since 0.1.0
 * @category constructors
 */
export const derivedEventId = (streamId: string, commandId: string, index: number): string =>
  uuidFromBytes(createHash("sha256").update(`${streamId}\u0000${commandId}\u0000${index}`).digest())

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
  options: {
    readonly idempotencyKey: string
    readonly command?: { readonly commandId: string; readonly hash: string } | undefined
  }
): ReadonlyArray<ProposedEvent> =>
  events.map((event, index) => {
    const data = encodeEvent(event)
    if (!isJson(data)) throw new TypeError(`event ${event._tag} does not encode to JSON`)
    const metadata: { [key: string]: Json } = { schemaVersion: EVENT_SCHEMA_VERSION }
    if (options.command !== undefined) {
      metadata.commandId = options.command.commandId
      metadata.commandHash = options.command.hash
    }
    return { eventId: derivedEventId(streamId, options.idempotencyKey, index), type: event._tag, data, metadata }
  })
