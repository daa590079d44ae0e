import type { Json } from "@service-accounts/domain"
import type { Chunk, Effect, Option, Scope } from "effect"
import type { Readable } from "node:stream"

/**
 * A readable of a client that can be stopped: a read (`cancel`) or a subscription (`unsubscribe`).
 *
 * @since 0.1.0
 * @category models
 */
export type Stoppable = Readable & ({ cancel(): Promise<void> } | { unsubscribe(): Promise<void> })

/**
 * A recorded event as both clients hand it out (`@eventstore/db-client`'s and `@kurrent/kurrentdb-client`'s
 * `RecordedEvent` have this shape). `data` is parsed JSON (or the raw text when it does not parse) for a JSON event,
 * the bytes otherwise; `metadata` is parsed JSON, the bytes when it does not parse, or absent when empty.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientRecord {
  readonly streamId: string
  readonly id: string
  readonly revision: bigint
  readonly type: string
  readonly isJson: boolean
  readonly data: unknown
  readonly metadata?: unknown
  readonly created: Date
  readonly position?: { readonly commit: bigint; readonly prepare: bigint } | undefined
}

/**
 * What a client hands out for each event of a read or a subscription: the record, the link it was reached through
 * (never resolved here), and the commit position of what was read.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientEvent {
  readonly event?: ClientRecord | undefined
  readonly link?: ClientRecord | undefined
  readonly commitPosition?: bigint | undefined
}

/**
 * A position of `$all` as the clients take it. The port's position `p` is read back as `{ commit: p, prepare: p }`
 * (see `clientPosition`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientPosition {
  readonly commit: bigint
  readonly prepare: bigint
}

/**
 * A client's error, as both clients classify theirs (`CommandError`): its `type` is one of the clients' `ErrorType`
 * values (`"unavailable"`, `"wrong-expected-version"`, …, the same strings in both), with the details the port needs.
 *
 * @since 0.1.0
 * @category models
 */
export interface ClientError {
  readonly type: string
  readonly message: string
  /** For `wrong-expected-version`: the stream's revision (or `-1n` / `"no_stream"` when it does not exist). */
  readonly actualVersion?: bigint | "no_stream" | undefined
  /** For `maximum-append-size-exceeded`: the server's limit, in bytes. */
  readonly maxAppendSize?: number | undefined
}

/**
 * The next items of a read: fails with `None` when the read ended, with `Some(error)` when the client failed.
 *
 * @since 0.1.0
 * @category models
 */
export type Pull<A> = Effect.Effect<Chunk.Chunk<A>, Option.Option<unknown>>

/**
 * Opens a read through the client; the scope ends the call (a read the consumer stops early is cancelled).
 *
 * @since 0.1.0
 * @category models
 */
export type OpenRead = Effect.Effect<Pull<ClientEvent>, unknown, Scope.Scope>

/**
 * An event as the adapters write it: JSON data and metadata. `data` and `metadata` serialise to the port's JSON
 * value through `toJSON`, so any JSON value (not only the objects the clients' types admit) is written as it is.
 *
 * @since 0.1.0
 * @category models
 */
export interface JsonEventData {
  readonly id: string
  readonly contentType: "application/json"
  readonly type: string
  readonly data: { toJSON(): Json }
  readonly metadata: { toJSON(): Json }
}

/**
 * What the server filters out of a subscription to `$all`: its own events (types starting with `$`), or every
 * stream not named by one of the prefixes.
 *
 * @since 0.1.0
 * @category models
 */
export type SubscriptionFilter =
  | { readonly _tag: "ExcludeSystemEvents" }
  | { readonly _tag: "StreamPrefixes"; readonly prefixes: ReadonlyArray<string> }

/**
 * The calls the port needs, each made through one client. The two adapters differ only here: how their client
 * names an option (`expectedRevision` or `streamState`), what a read returns (a Node stream, or an async iterable
 * fed by the native bridge), how its errors are recognised. Everything else — the port's semantics on top — is this
 * package's.
 *
 * @since 0.1.0
 * @category models
 */
export interface StreamsClient {
  /** A read of one stream; `maxCount` absent means no limit. A missing stream fails with `stream-not-found`. */
  readonly readStream: (
    streamId: string,
    from: "start" | "end" | bigint,
    direction: "forwards" | "backwards",
    maxCount: number | undefined
  ) => OpenRead
  /** A read of `$all`, system events included. */
  readonly readAll: (
    from: "start" | "end" | ClientPosition,
    direction: "forwards" | "backwards",
    maxCount: number | undefined
  ) => OpenRead
  /** A catch-up subscription to a stream, after a revision (exclusive) or from the start. */
  readonly subscribeToStream: (streamId: string, after: bigint | undefined) => Stoppable
  /** A catch-up subscription to `$all`, after a position (exclusive) or from the start, filtered by the server. */
  readonly subscribeToAll: (after: ClientPosition | undefined, filter: SubscriptionFilter) => Stoppable
  /** Appends; a wrong expected revision either throws or answers `success: false`. */
  readonly append: (
    streamId: string,
    events: ReadonlyArray<JsonEventData>,
    expected: "any" | "no_stream" | "stream_exists" | bigint
  ) => Promise<{
    readonly success: boolean
    readonly nextExpectedRevision: bigint
    readonly position?: { readonly commit: bigint } | undefined
  }>
  /** Tombstones a stream (hard delete). */
  readonly tombstone: (streamId: string, expected: "any" | "no_stream" | bigint) => Promise<unknown>
  /** Sets a stream's `$maxCount` metadata. */
  readonly setMaxCount: (streamId: string, maxCount: number) => Promise<unknown>
  /** The client's classification of anything thrown, when it is one of its errors. */
  readonly commandError: (error: unknown) => ClientError | undefined
}
