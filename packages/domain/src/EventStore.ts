/**
 * The event-store port: what the domain needs from any store of events. Adapters provide it as a `Layer`.
 *
 * Revisions count a stream's events from 0 without gaps; positions order every event of the store and only
 * ever grow. Reads and subscriptions are Effect `Stream`s, so a history of any length is processed in
 * bounded memory.
 *
 * @since 0.1.0
 */
import { Context, Schema } from "effect"
import type { Effect, Stream } from "effect"
import { ConcurrencyConflict } from "./Errors.js"
import { redactTokens } from "./Token.js"

/**
 * A JSON value as it is stored: the encoded form of an event or of its metadata.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * Whether a value is `Json`: strings, finite numbers, booleans, null, and arrays and plain objects of them (binary
 * data is not). For adapters that must check what their database hands back.
 *
 * @since 0.2.0
 * @category models
 */
export { isJson } from "./internal/json.js"

/**
 * The revision a writer expects a stream to be at when it appends.
 *
 * - `any`: no check;
 * - `no_stream`: the stream must not exist;
 * - `stream_exists`: the stream must have at least one event;
 * - a `bigint`: the revision of the stream's last event.
 *
 * @since 0.1.0
 * @category models
 */
export type ExpectedRevision = "any" | "no_stream" | "stream_exists" | bigint

/**
 * An event proposed for appending.
 *
 * @since 0.1.0
 * @category models
 */
export interface ProposedEvent {
  /** A UUID. Re-sending the same ids with the same expectation is idempotent. */
  readonly eventId: string
  readonly type: string
  readonly data: Json
  readonly metadata: { readonly [key: string]: Json }
}

/**
 * An event as the store recorded it.
 *
 * @since 0.1.0
 * @category models
 */
export interface RecordedEvent {
  readonly streamId: string
  readonly revision: bigint
  readonly position: bigint
  readonly eventId: string
  readonly type: string
  readonly data: Json
  readonly metadata: { readonly [key: string]: Json }
  readonly recordedAt: Date
}

/**
 * The outcome of a successful append.
 *
 * @since 0.1.0
 * @category models
 */
export interface AppendResult {
  /** The revision of the stream's last event after the append: pass it as the next expected revision. */
  readonly nextExpectedRevision: bigint
  /** The position of the last appended event. */
  readonly position: bigint
}

/**
 * Where a read of one stream starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadStreamOptions {
  /** `"start"`, `"end"` or a revision (inclusive). Defaults to the start going forwards, the end going backwards. */
  readonly from?: "start" | "end" | bigint
  readonly direction?: "forwards" | "backwards"
  readonly maxCount?: number
}

/**
 * Where a read of the whole store starts.
 *
 * @since 0.1.0
 * @category models
 */
export interface ReadAllOptions {
  /** `"start"`, `"end"` or a position (inclusive). */
  readonly from?: "start" | "end" | bigint
  readonly direction?: "forwards" | "backwards"
  readonly maxCount?: number
}

/**
 * Where a subscription starts. Start points are exclusive: a revision or position means "after it".
 *
 * @since 0.1.0
 * @category models
 */
export interface SubscribeOptions {
  readonly from?: "start" | "end" | bigint
}

/**
 * What a catch-up subscription delivers: the stored events, then one `CaughtUp` once the history up to
 * the moment of subscribing has been delivered, then live events as they are appended.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionMessage =
  | { readonly _tag: "Event"; readonly event: RecordedEvent }
  | { readonly _tag: "CaughtUp" }

/**
 * @since 0.1.0
 * @category constructors
 */
export const SubscriptionMessage = {
  event: (event: RecordedEvent): SubscriptionMessage => ({ _tag: "Event", event }),
  caughtUp: { _tag: "CaughtUp" } as SubscriptionMessage
} as const

/**
 * The stream was permanently deleted (tombstoned): it can be neither read nor written again.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamDeleted extends Schema.TaggedError<StreamDeleted>()("StreamDeleted", { streamId: Schema.String }) {
  override get message(): string {
    return `stream ${this.streamId} has been deleted permanently`
  }
}

/**
 * The store could not be reached or failed in a way the caller cannot fix. `retryable` says whether the
 * same call may succeed later; a write whose outcome is unknown (sent, but no answer came) says so in `unknownOutcome`.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventStoreUnavailable extends Schema.TaggedError<EventStoreUnavailable>()("EventStoreUnavailable", {
  operation: Schema.String,
  reason: Schema.String,
  retryable: Schema.Boolean,
  unknownOutcome: Schema.optional(Schema.Boolean)
}) {
  // A store's own messages may quote what it holds (a stream name, say).
  constructor(
    props: {
      readonly operation: string
      readonly reason: string
      readonly retryable: boolean
      readonly unknownOutcome?: boolean | undefined
    },
    options?: Schema.MakeOptions
  ) {
    super({ ...props, reason: redactTokens(props.reason) }, options)
  }
  override get message(): string {
    return `event store ${this.operation} failed: ${this.reason}`
  }
}

/**
 * An event in the store could not be read as JSON with the fields every event has. It names where it is, so
 * an operator can find it; nothing is skipped silently.
 *
 * @since 0.1.0
 * @category errors
 */
export class CorruptStoredEvent extends Schema.TaggedError<CorruptStoredEvent>()("CorruptStoredEvent", {
  streamId: Schema.String,
  revision: Schema.BigIntFromSelf,
  position: Schema.optional(Schema.BigIntFromSelf),
  reason: Schema.String
}) {
  // A stored event could hold anything, its stream name included: no token value gets through, and the reason is
  // kept short. (Whoever keys anything by the stream uses the stream it read, not this copy.)
  constructor(
    props: {
      readonly streamId: string
      readonly revision: bigint
      readonly position?: bigint | undefined
      readonly reason: string
    },
    options?: Schema.MakeOptions
  ) {
    super(
      { ...props, streamId: redactTokens(props.streamId), reason: redactTokens(props.reason).slice(0, 1000) },
      options
    )
  }
  override get message(): string {
    return `stored event ${this.streamId}@${this.revision} cannot be read: ${this.reason}`
  }
}

/**
 * Everything a store may fail with on an append.
 *
 * @since 0.1.0
 * @category errors
 */
export type AppendError = ConcurrencyConflict | StreamDeleted | EventStoreUnavailable

/**
 * Everything a store may fail with on a read or a subscription.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = StreamDeleted | EventStoreUnavailable | CorruptStoredEvent

/**
 * The port.
 *
 * Contract (checked by `eventStoreConformance` in `@service-accounts/testing`):
 * - `append` writes all events or none; revisions of a stream are gapless from 0; positions strictly increase;
 * - an append whose event ids were already written by an identical earlier append (same ids, same expectation)
 *   succeeds again with the original result and writes nothing;
 * - `readStream` of a stream that does not exist is empty; of a tombstoned stream fails with `StreamDeleted`;
 * - `readAll` lists every event of every stream in position order;
 * - subscriptions deliver the history, then one `CaughtUp`, then live events, with no gap and no duplicate.
 *
 * @since 0.1.0
 * @category ports
 */
export interface EventStoreShape {
  readonly append: (
    streamId: string,
    events: ReadonlyArray<ProposedEvent>,
    expected: ExpectedRevision
  ) => Effect.Effect<AppendResult, AppendError>
  readonly readStream: (streamId: string, options?: ReadStreamOptions) => Stream.Stream<RecordedEvent, ReadError>
  readonly readAll: (options?: ReadAllOptions) => Stream.Stream<RecordedEvent, ReadError>
  readonly subscribeToStream: (
    streamId: string,
    options?: SubscribeOptions
  ) => Stream.Stream<SubscriptionMessage, ReadError>
  readonly subscribeToAll: (options?: SubscribeOptions) => Stream.Stream<SubscriptionMessage, ReadError>
  /** Deletes a stream for good: later reads and appends fail with `StreamDeleted`. */
  readonly tombstone: (streamId: string, expected: ExpectedRevision) => Effect.Effect<void, AppendError>
}

/**
 * The `EventStore` service tag.
 *
 * @since 0.1.0
 * @category ports
 */
export class EventStore extends Context.Tag("@service-accounts/domain/EventStore")<EventStore, EventStoreShape>() {}

/**
 * A schema for `ExpectedRevision`, for configuration and wire formats.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ExpectedRevisionSchema = Schema.Union(
  Schema.Literal("any", "no_stream", "stream_exists"),
  Schema.BigIntFromSelf
)

/**
 * Builds the conflict error for a failed expectation.
 *
 * @since 0.1.0
 * @category constructors
 */
export const conflict = (
  streamId: string,
  expected: ExpectedRevision,
  actual: bigint | "no_stream"
): ConcurrencyConflict => new ConcurrencyConflict({ streamId, expected: String(expected), actual: String(actual) })

/**
 * Whether a stream's current revision satisfies an expectation.
 *
 * @since 0.1.0
 * @category utils
 */
export const satisfies = (expected: ExpectedRevision, current: bigint | "no_stream"): boolean => {
  switch (expected) {
    case "any":
      return true
    case "no_stream":
      return current === "no_stream"
    case "stream_exists":
      return current !== "no_stream"
    default:
      return current === expected
  }
}
