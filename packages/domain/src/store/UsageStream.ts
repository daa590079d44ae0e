/**
 * How usage is stored: one stream per UTC day and recording process,
 * `serviceAccountUsage-<YYYY-MM-DD>-<recorder>`, holding `UsageRecorded` events (ADR 0011). The recorder is the only
 * writer of its stream, so it appends with an expected revision and a re-sent append is recognised. Per-day streams
 * can be aged out — tombstoned — without touching the directory's history or its verification.
 *
 * @example
 * ```ts
 * import { usageStream, UsageDay } from "@service-accounts/domain"
 *
 * const stream = usageStream(UsageDay.make("2026-12-07"), "7d3f2a4e-3c1b-4a5e-9f00-2b8c1d6e4f10")
 * console.log(stream) // "serviceAccountUsage-2026-12-07-7d3f2a4e-3c1b-4a5e-9f00-2b8c1d6e4f10"
 * ```
 *
 * @since 0.3.0
 */
import { Either, ParseResult, Schema } from "effect"
import { CorruptStoredEvent } from "../model/Errors.js"
import { type UsageDay, UsageRecorded } from "../model/Usage.js"
import { derivedEventId } from "./encode.js"
import type { Json, ProposedEvent, RecordedEvent } from "./EventStore.js"

/**
 * The stream category of usage.
 *
 * @since 0.3.0
 * @category constants
 */
export const USAGE_CATEGORY = "serviceAccountUsage"

const PREFIX = `${USAGE_CATEGORY}-`

/**
 * The stream of one recorder's usage on one UTC day.
 *
 * @since 0.3.0
 * @category streams
 */
export const usageStream = (day: UsageDay, recorder: string): string => `${PREFIX}${day}-${recorder}`

/**
 * The UTC day a usage stream holds, if it is one (what retention looks at).
 *
 * @since 0.3.0
 * @category streams
 */
export const usageStreamDay = (streamId: string): string | undefined =>
  isUsageStream(streamId) ? streamId.slice(PREFIX.length, PREFIX.length + 10) : undefined

/**
 * Whether a stream holds usage.
 *
 * @since 0.3.0
 * @category streams
 */
export const isUsageStream = (streamId: string): boolean => streamId.startsWith(PREFIX)

/**
 * A stored usage event, decoded, with where it was recorded.
 *
 * @since 0.3.0
 * @category models
 */
export interface StoredUsage {
  readonly streamId: string
  readonly revision: bigint
  readonly position: bigint
  readonly event: UsageRecorded
}

const decodeEvent = Schema.decodeUnknownEither(UsageRecorded, { onExcessProperty: "error" })
const encodeEvent = Schema.encodeSync(UsageRecorded)

/**
 * Decodes a stored usage event: a `CorruptStoredEvent` naming its stream and revision when it does not fit the
 * schema or sits in another organisation's or day's stream.
 *
 * @since 0.3.0
 * @category decoding
 */
export const decodeUsage = (recorded: RecordedEvent): Either.Either<StoredUsage, CorruptStoredEvent> => {
  const corrupt = (reason: string) =>
    Either.left(
      new CorruptStoredEvent({
        streamId: recorded.streamId,
        revision: recorded.revision,
        position: recorded.position,
        reason
      })
    )
  if (recorded.type !== "UsageRecorded") return corrupt(`a usage stream holds an event of type ${recorded.type}`)
  const decoded = decodeEvent(recorded.data)
  if (Either.isLeft(decoded)) {
    const [first] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
    return corrupt(
      `UsageRecorded does not match its schema — ${first?.path.join(".") || "the data"}: ${first?.message}`
    )
  }
  const event = decoded.right
  if (recorded.streamId !== usageStream(event.day, event.recorder)) {
    return corrupt("a usage event is stored in another day's or recorder's stream")
  }
  return Either.right({ streamId: recorded.streamId, revision: recorded.revision, position: recorded.position, event })
}

/**
 * A usage event ready to append to its stream. Its id derives from the stream and the event's sequence, so the same
 * event re-sent is the same write.
 *
 * @since 0.3.0
 * @category encoding
 */
export const toProposedUsage = (event: UsageRecorded): { readonly streamId: string; readonly event: ProposedEvent } => {
  const streamId = usageStream(event.day, event.recorder)
  const data: Json = encodeEvent(event)
  return {
    streamId,
    event: {
      eventId: derivedEventId(streamId, `${event.recorder}:${event.sequence}`, 0),
      type: "UsageRecorded",
      data,
      metadata: { schemaVersion: 1 }
    }
  }
}
