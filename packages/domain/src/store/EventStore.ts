/**
 * The event-store port: what the domain needs from any store of events. Adapters provide it as a `Layer`.
 *
 * Revisions count a stream's events from 0 without gaps; positions order every event of the store and only
 * ever grow. Reads and subscriptions are Effect `Stream`s, so a history of any length is processed in
 * bounded memory.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Chunk, Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   const placed = { eventId: crypto.randomUUID(), type: "Placed", data: { total: 12 }, metadata: {} }
 *   const { nextExpectedRevision } = yield* store.append("order-1", [placed], "no_stream")
 *   // The next writer says which revision it decided on: had someone appended since, this is a ConcurrencyConflict.
 *   const paid = { eventId: crypto.randomUUID(), type: "Paid", data: {}, metadata: {} }
 *   yield* store.append("order-1", [paid], nextExpectedRevision)
 *   const events = yield* Stream.runCollect(store.readStream("order-1"))
 *   return Chunk.toReadonlyArray(events).map((event) => `${event.revision}: ${event.type}`) // ["0: Placed", "1: Paid"]
 * })
 *
 * Effect.runPromise(Effect.provide(program, memoryStore))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Schema, Stream } from "effect"
import type { Chunk, Effect, Option, Scope } from "effect"
import { type AppendError, ConcurrencyConflict, type ReadError } from "../model/Errors.js"

/**
 * A JSON value as it is stored: the encoded form of an event or of its metadata.
 *
 * @since 0.1.0
 * @category models
 */
export type Json = JsonValue

/**
 * Whether a value is `Json`: strings, finite numbers, booleans, null, and arrays and plain objects of them (binary
 * data is not). For adapters that must check what their database hands back.
 *
 * @since 0.2.0
 * @category models
 */
export { isJson } from "../fast/json.js"
import type { Json as JsonValue } from "../fast/json.js"

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
 * A subscription as a pull, the shape `Stream.fromPull` takes: opened in a scope (which ends the subscription), it
 * answers the next messages each time it is run, fails with `None` when the subscription ends and with `Some(error)`
 * when it fails.
 *
 * @since 0.3.0
 * @category models
 */
export type SubscriptionPull = Effect.Effect<
  Effect.Effect<Chunk.Chunk<SubscriptionMessage>, Option.Option<ReadError>>,
  never,
  Scope.Scope
>

/**
 * Takes an event of a subscription synchronously, the moment it arrives, instead of waiting for the next pull to
 * hand it out: `true` when the taker is done with it (the pull never delivers it), `false` to have the pull deliver
 * it (and every event after it) as usual. A store calls it only while the subscriber waits in a pull — so every
 * message delivered before has been handled — with events in order, never a `CaughtUp`, and never an event after
 * one it declined until the pull has delivered that one. It runs outside any fiber: it must not throw (a store
 * treats a throw as `false`) and must do nothing a pull's delivery would not do.
 *
 * A service following the whole store for the life of the process takes another process's event this way: no
 * fiber resumes, no effect runs, and a revocation made elsewhere is applied as soon as the client hands it over
 * (ADR 0016).
 *
 * @since 0.4.0
 * @category models
 */
export type SubscriptionTaker = (event: RecordedEvent) => boolean

const pullKey: unique symbol = Symbol.for("@service-accounts/domain/SubscriptionPull")
const takingKey: unique symbol = Symbol.for("@service-accounts/domain/SubscriptionPullTaking")

/**
 * A subscription stream made from its pull: `Stream.fromPull(open)`, which also keeps `open`, so that the service's
 * read models, which follow the whole store for the life of the process, pull it directly instead of through the
 * stream's machinery (a few microseconds of every delivery, most of them in a process that has been idle; see
 * ADR 0014). Anything done to the stream (mapping it, say) makes a new stream without the pull, which is then run as
 * a stream like any other: the two ways deliver the same messages.
 *
 * Stores build their subscriptions with it; `subscriptionPullOf` gives the pull back.
 *
 * @since 0.3.0
 * @category constructors
 */
export const subscriptionFromPull = (
  open: SubscriptionPull,
  openTaking?: (taker: SubscriptionTaker) => SubscriptionPull
): Stream.Stream<SubscriptionMessage, ReadError> =>
  Object.assign(Stream.fromPull(open), { [pullKey]: open, [takingKey]: openTaking })

/**
 * The pull a subscription stream was made from by `subscriptionFromPull`, if it was.
 *
 * @since 0.3.0
 * @category getters
 */
export const subscriptionPullOf = (
  stream: Stream.Stream<SubscriptionMessage, ReadError>
): SubscriptionPull | undefined => {
  const open: unknown = pullKey in stream ? (stream as { readonly [pullKey]?: unknown })[pullKey] : undefined
  return open === undefined ? undefined : (open as SubscriptionPull)
}

/**
 * The second way in to a subscription stream a store made with `subscriptionFromPull`, if it gave one: its pull,
 * opened with a `SubscriptionTaker` that events arriving while the subscriber waits are handed to first.
 *
 * @since 0.4.0
 * @category getters
 */
export const subscriptionTakingPullOf = (
  stream: Stream.Stream<SubscriptionMessage, ReadError>
): ((taker: SubscriptionTaker) => SubscriptionPull) | undefined => {
  const open: unknown = takingKey in stream ? (stream as { readonly [takingKey]?: unknown })[takingKey] : undefined
  return typeof open === "function" ? (open as (taker: SubscriptionTaker) => SubscriptionPull) : undefined
}

/**
 * The port.
 *
 * Contract (checked by `eventStoreConformance` in `@service-accounts/testing`):
 * - `append` writes all events or none; revisions of a stream are gapless from 0; positions strictly increase;
 * - an append whose event ids were already written by an identical earlier append (same ids, same expectation)
 *   succeeds again with the original result and writes nothing;
 * - `readStream` of a stream that does not exist is empty; of a tombstoned stream fails with `StreamDeleted`;
 * - `readAll` lists every event of every stream in position order;
 * - subscriptions deliver the history, then one `CaughtUp`, then live events, with no gap and no duplicate;
 * - an event the store holds but cannot hand out as a `RecordedEvent` (data that is not JSON, metadata that is not a
 *   JSON object) fails a read or subscription with a `CorruptStoredEvent` naming its stream, revision and position,
 *   after every event before it; a subscription started after that point goes on past it.
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
