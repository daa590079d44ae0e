/**
 * How domain events are stored: one stream per organisation, the event's encoded JSON as data, and a small
 * metadata object. Decoding a stored event that does not fit the schemas is a `CorruptStoredEvent` naming
 * the stream and revision — never a crash, never a silent skip.
 *
 * @example
 * ```ts
 * import { decode, directoryStream, EventStore, type OrganizationId } from "@service-accounts/domain"
 * import { Effect, Stream } from "effect"
 *
 * // An organisation's history as domain events: its one stream, each stored event decoded. An event that does not
 * // decode fails the read with a `CorruptStoredEvent` naming its stream and revision: nothing is skipped.
 * const history = (organizationId: OrganizationId) =>
 *   Effect.flatMap(EventStore, (store) =>
 *     store.readStream(directoryStream(organizationId)).pipe(
 *       Stream.mapEffect(decode),
 *       Stream.map(({ revision, event }) => `${revision}: ${event._tag} by ${event.actor.userId}`),
 *       Stream.runCollect
 *     )
 *   )
 * ```
 *
 * @since 0.1.0
 */
import { Either, ParseResult } from "effect"
import { CorruptStoredEvent } from "../model/Errors.js"
import type { Json, RecordedEvent } from "./EventStore.js"
import type { ServiceAccountEvent } from "../model/Events.js"
import type { OrganizationId } from "../model/Ids.js"
import { decodeEventData } from "./eventDecoder.js"
import { upcast } from "./Upcasting.js"

/**
 * The stream category of organisation directories. Stream names are `<category>-<organization id>`, so
 * EventStoreDB's category projections (`$ce-serviceAccountDirectory`) group them.
 *
 * @since 0.1.0
 * @category constants
 */
export const DIRECTORY_CATEGORY = "serviceAccountDirectory"

/**
 * The stream that holds an organisation's directory.
 *
 * @since 0.1.0
 * @category streams
 */
export const directoryStream = (organizationId: OrganizationId): string => `${DIRECTORY_CATEGORY}-${organizationId}`

const DIRECTORY_PREFIX = `${DIRECTORY_CATEGORY}-`

/**
 * Whether a stream is an organisation directory.
 *
 * @since 0.1.0
 * @category streams
 */
export const isDirectoryStream = (streamId: string): boolean => streamId.startsWith(DIRECTORY_PREFIX)

/**
 * Whether a recorded event is a directory's own: in a directory stream, and not a system event (`$` type) that a
 * store may keep there. What readers of the whole store decode; they pass over the rest.
 *
 * @since 0.2.0
 * @category streams
 */
export const isDirectoryEvent = (recorded: RecordedEvent): boolean =>
  isDirectoryStream(recorded.streamId) && !recorded.type.startsWith("$")

/** Whether a directory stream is this organisation's (without building its name: this runs for every event read). */
const isStreamOf = (streamId: string, organizationId: string): boolean =>
  streamId.length === DIRECTORY_PREFIX.length + organizationId.length &&
  streamId.endsWith(organizationId) &&
  streamId.startsWith(DIRECTORY_PREFIX)

/**
 * A stored event decoded into a domain event, with where and when it was recorded.
 *
 * @since 0.1.0
 * @category models
 */
export interface DomainEvent {
  readonly streamId: string
  readonly revision: bigint
  readonly position: bigint
  readonly eventId: string
  readonly recordedAt: Date
  readonly metadata: { readonly [key: string]: Json }
  readonly event: ServiceAccountEvent
}

/**
 * What is written next to each event.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventMetadata {
  readonly schemaVersion: number
  /** The caller's idempotency key, when one was given. */
  readonly commandId?: string
  /** A digest of the decoded command, so a reused command id with a different command is recognised. */
  readonly commandHash?: string
}

export { commandHash, derivedEventId, type ProposeOptions, toProposed } from "./encode.js"

/**
 * Decodes one stored event.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = (stored: RecordedEvent): Either.Either<DomainEvent, CorruptStoredEvent> => {
  const corrupt = (reason: string) =>
    Either.left(
      new CorruptStoredEvent({
        streamId: stored.streamId,
        revision: stored.revision,
        position: stored.position,
        // A stored event could hold anything: the error redacts token values and keeps the reason short.
        reason
      })
    )
  // Events of an older schema version are read through the registered upcasters (see Upcasting.ts).
  const upcasted = upcast(stored)
  if (Either.isLeft(upcasted)) return corrupt(upcasted.left.reason)
  const recorded = upcasted.right
  const decoded = decodeEventData(recorded.data)
  if (Either.isLeft(decoded)) {
    const issues = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
    const described = issues
      .slice(0, 3)
      .map(
        (issue) =>
          `${issue.path.length === 0 ? "the data" : issue.path.join(".")}: ${issue.message.replace(/,? actual[\s\S]*$/, "")}`
      )
    return corrupt(
      `${recorded.type} does not match its schema — ${described.join("; ")}${issues.length > 3 ? ` (and ${issues.length - 3} more)` : ""}`
    )
  }
  if (decoded.right._tag !== recorded.type) {
    return corrupt(`the stored type ${recorded.type} does not match the data's _tag ${decoded.right._tag}`)
  }
  // An organisation's stream holds that organisation's events only: anything else would cross a tenant boundary.
  if (isDirectoryStream(recorded.streamId) && !isStreamOf(recorded.streamId, decoded.right.organizationId)) {
    return corrupt(
      `an event of organisation ${decoded.right.organizationId} is stored in another organisation's stream`
    )
  }
  return Either.right({
    streamId: recorded.streamId,
    revision: recorded.revision,
    position: recorded.position,
    eventId: recorded.eventId,
    recordedAt: recorded.recordedAt,
    metadata: recorded.metadata,
    event: decoded.right
  })
}
