/**
 * How domain events are stored: one stream per organisation, the event's encoded JSON as data, and a small
 * metadata object. Decoding a stored event that does not fit the schemas is a `CorruptStoredEvent` naming
 * the stream and revision — never a crash, never a silent skip.
 *
 * @since 0.1.0
 */
import { Either, ParseResult, Schema } from "effect"
import { CorruptStoredEvent } from "./EventStore.js"
import type { Json, RecordedEvent } from "./EventStore.js"
import { Actor } from "./Caller.js"
import {
  ServiceAccountCreated,
  ServiceAccountDeleted,
  ServiceAccountEvent,
  TokenIssued,
  TokenRevoked
} from "./Events.js"
import type { OrganizationId } from "./Ids.js"
import { hasOnlyKeys } from "./Ndjson.js"
import { redactTokens } from "./Token.js"
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

/**
 * Whether a stream is an organisation directory.
 *
 * @since 0.1.0
 * @category streams
 */
export const isDirectoryStream = (streamId: string): boolean => streamId.startsWith(`${DIRECTORY_CATEGORY}-`)

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

export { commandHash, derivedEventId, toProposed } from "./internal/encode.js"

/** The whole union, strict: what an event that does not decode is reported with. */
const decodeStrict = Schema.decodeUnknownEither(ServiceAccountEvent, { onExcessProperty: "error" })

/**
 * The member of the union its `_tag` names, precompiled, stopping at the first problem and not looking for
 * excess properties, which `hasOnlyKeys` checks first (Effect's check costs as much as the decoding itself).
 */
interface Member {
  readonly decode: (data: unknown) => Either.Either<ServiceAccountEvent, ParseResult.ParseError>
  readonly keys: ReadonlySet<string>
}
const member = <A extends ServiceAccountEvent, I>(schema: Schema.Schema<A, I>, fields: object): Member => ({
  decode: Schema.decodeUnknownEither(schema),
  keys: new Set(Object.keys(fields))
})
const members: ReadonlyMap<string, Member> = new Map([
  ["ServiceAccountCreated", member(ServiceAccountCreated, ServiceAccountCreated.fields)],
  ["TokenIssued", member(TokenIssued, TokenIssued.fields)],
  ["TokenRevoked", member(TokenRevoked, TokenRevoked.fields)],
  ["ServiceAccountDeleted", member(ServiceAccountDeleted, ServiceAccountDeleted.fields)]
])
const actorKeys: ReadonlySet<string> = new Set(Object.keys(Actor.fields))

const decodeEvent = (data: unknown) => {
  if (typeof data === "object" && data !== null && "_tag" in data && typeof data._tag === "string") {
    const member = members.get(data._tag)
    if (
      member !== undefined &&
      hasOnlyKeys(data, member.keys) &&
      (!("actor" in data) || hasOnlyKeys(data.actor, actorKeys))
    ) {
      const decoded = member.decode(data)
      if (Either.isRight(decoded)) return decoded
    }
  }
  return decodeStrict(data)
}

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
        // A stored event could hold anything: never let a token-shaped value through, and keep it short.
        reason: redactTokens(reason).slice(0, 1000)
      })
    )
  // Events of an older schema version are read through the registered upcasters (see Upcasting.ts).
  const upcasted = upcast(stored)
  if (Either.isLeft(upcasted)) return corrupt(upcasted.left.reason)
  const recorded = upcasted.right
  const decoded = decodeEvent(recorded.data)
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
  if (isDirectoryStream(recorded.streamId) && recorded.streamId !== directoryStream(decoded.right.organizationId)) {
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
