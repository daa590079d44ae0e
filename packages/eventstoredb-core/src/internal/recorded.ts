import {
  CorruptStoredEvent,
  EventStoreUnavailable,
  isJson,
  type Json,
  type RecordedEvent
} from "@service-accounts/domain"
import { Either } from "effect"
import type { ClientEvent } from "./client.js"
import { isJsonObject } from "./json.js"

/**
 * The event a resolved event stands for. Links are never resolved here, so `event` is the record itself (a link
 * record, typed `$>`, if it is one); only a malformed answer lacks it.
 */
const recordOf = (resolved: ClientEvent) => resolved.event ?? resolved.link

/**
 * Whether an event is one of the server's own (or a link, or metadata): its type or its stream starts with `$`.
 * Such events are no part of the port's history and are skipped in reads and subscriptions of the whole store.
 */
export const isSystemEvent = (resolved: ClientEvent): boolean => {
  const record = recordOf(resolved)
  return record === undefined || record.type.startsWith("$") || record.streamId.startsWith("$")
}

/** The stream of an event, for filters (`""` when the answer is malformed, which no prefix matches). */
export const streamOf = (resolved: ClientEvent): string => recordOf(resolved)?.streamId ?? ""

/**
 * The port's position of an event: its commit position. On EventStoreDB 20 and later every event is committed by
 * its own record, so commit and prepare positions are equal and the commit position alone names the event.
 */
export const positionOf = (resolved: ClientEvent): bigint | undefined =>
  recordOf(resolved)?.position?.commit ?? resolved.commitPosition

/**
 * Turns an event as the client gives it into the port's `RecordedEvent`. Data must be JSON (`application/json`) and
 * metadata a JSON object (or absent, read as `{}`); anything else is a `CorruptStoredEvent` naming the stream and
 * revision, so the caller decides what to do and nothing is skipped silently.
 *
 * One case cannot be told apart through the client: data stored as `application/json` whose bytes are not JSON is
 * handed out by the client as the raw text, which looks like a JSON string. It comes through as a string; the
 * domain's decoder then reports the event as corrupt, since no domain event is a string.
 */
export const toRecorded = (
  resolved: ClientEvent
): Either.Either<RecordedEvent, CorruptStoredEvent | EventStoreUnavailable> => {
  const record = recordOf(resolved)
  if (record === undefined) {
    return Either.left(
      new EventStoreUnavailable({
        operation: "read",
        reason: "the server sent an event without a record",
        retryable: false
      })
    )
  }
  const position = positionOf(resolved)
  const corrupt = (reason: string) =>
    Either.left(
      new CorruptStoredEvent({
        streamId: record.streamId,
        revision: record.revision,
        ...(position === undefined ? {} : { position }),
        reason
      })
    )
  if (position === undefined) {
    return Either.left(
      new EventStoreUnavailable({
        operation: "read",
        reason: `the server did not report the position of ${record.streamId}@${record.revision} (EventStoreDB 22.6 or later reports it)`,
        retryable: false
      })
    )
  }
  if (!record.isJson) {
    const size = record.data instanceof Uint8Array ? ` (${record.data.length} bytes)` : ""
    return corrupt(`its data is not JSON: the content type is not application/json${size}`)
  }
  const data: unknown = record.data
  if (!isJson(data)) {
    return corrupt("its data is not a JSON value")
  }
  const metadata: unknown = record.metadata
  let metadataObject: { readonly [key: string]: Json }
  if (metadata === undefined) {
    metadataObject = {}
  } else if (metadata instanceof Uint8Array) {
    return corrupt(`its metadata is not JSON (${metadata.length} bytes)`)
  } else if (!isJson(metadata) || !isJsonObject(metadata)) {
    return corrupt("its metadata is not a JSON object")
  } else {
    metadataObject = metadata
  }
  return Either.right({
    streamId: record.streamId,
    revision: record.revision,
    position,
    eventId: record.id,
    type: record.type,
    data,
    metadata: metadataObject,
    recordedAt: record.created
  })
}
