import {
  type EventStoreShape,
  type EventStoreUnavailable,
  type ReadAllOptions,
  type ReadError,
  type RecordedEvent,
  StreamDeleted
} from "@service-accounts/domain"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { ClientEvent, ClientPosition, OpenRead, StreamsClient } from "./client.js"
import { failures } from "./errors.js"
import { fromRead } from "./readable.js"
import { isSystemEvent, positionOf, streamOf, toRecorded } from "./recorded.js"

/** The largest revision or position the server understands (an unsigned 64-bit integer). */
const MAX_U64 = 0xffff_ffff_ffff_ffffn

/** `maxCount` as a number of events: absent means no limit; zero, negative or NaN means none. */
export const limitOf = (maxCount: number | undefined): number =>
  maxCount === undefined ? Number.POSITIVE_INFINITY : maxCount > 0 ? Math.floor(maxCount) : 0

/** The client's position for one of the port's positions (see `positionOf`). */
export const clientPosition = (position: bigint): ClientPosition => ({ commit: position, prepare: position })

/** Which events of the whole store the port shows: not the server's own, and only the configured streams. */
export type Keep = (event: ClientEvent) => boolean

/** The filter of `$all` reads and subscriptions. */
export const keepFor =
  (prefixes: ReadonlyArray<string> | undefined): Keep =>
  (event) =>
    !isSystemEvent(event) && (prefixes === undefined || prefixes.some((prefix) => streamOf(event).startsWith(prefix)))

const limited = <A, E>(stream: Stream.Stream<A, E>, limit: number): Stream.Stream<A, E> =>
  Number.isFinite(limit) ? Stream.take(stream, limit) : stream

/** A read of one stream; an infinite limit is no limit. */
const streamRead = (
  client: StreamsClient,
  streamId: string,
  from: "start" | "end" | bigint,
  direction: "forwards" | "backwards",
  limit: number
): OpenRead => client.readStream(streamId, from, direction, Number.isFinite(limit) ? limit : undefined)

/** A read of `$all` (system events included); an infinite limit is no limit. */
const allRead = (
  client: StreamsClient,
  from: "start" | "end" | ClientPosition,
  direction: "forwards" | "backwards",
  limit: number
): OpenRead => client.readAll(from, direction, Number.isFinite(limit) ? limit : undefined)

/**
 * A read through the client as the port's events: the events `select` keeps, converted a chunk at a time. A stored
 * event that does not convert fails the read after the events before it. `onError` maps a failure of the call, or
 * says (`undefined`) that the read is simply empty.
 */
const decoded = (
  read: OpenRead,
  select: (event: ClientEvent) => boolean,
  onError: (error: unknown) => ReadError | undefined
): Stream.Stream<RecordedEvent, ReadError> =>
  Stream.fromPull(
    read.pipe(
      Effect.map((next) => {
        let pending: ReadError | undefined
        const pull: Effect.Effect<Chunk.Chunk<RecordedEvent>, Option.Option<ReadError>> = Effect.suspend(() =>
          pending === undefined
            ? next.pipe(
                Effect.mapError(Option.flatMap((error) => Option.fromNullable(onError(error)))),
                Effect.flatMap((chunk) => {
                  const out: Array<RecordedEvent> = []
                  for (const item of chunk) {
                    if (!select(item)) continue
                    const recorded = toRecorded(item)
                    if (Either.isLeft(recorded)) {
                      pending = recorded.left
                      break
                    }
                    out.push(recorded.right)
                  }
                  return out.length > 0 ? Effect.succeed(Chunk.unsafeFromArray(out)) : pull
                })
              )
            : Effect.fail(Option.some(pending))
        )
        return pull
      }),
      Effect.catchAll((error) => Effect.succeed(Effect.fail(Option.fromNullable(onError(error)))))
    )
  )

const all = (): boolean => true

/** Where a read of a stream starts, or `undefined` when it reads nothing whatever the stream holds. */
const streamStart = (
  from: "start" | "end" | bigint | undefined,
  direction: "forwards" | "backwards"
): "start" | "end" | bigint | undefined => {
  if (direction === "forwards") {
    if (from === undefined || from === "start") return "start"
    if (from === "end") return undefined
    return from < 0n ? "start" : from > MAX_U64 ? undefined : from
  }
  if (from === undefined || from === "end") return "end"
  if (from === "start") return 0n
  return from < 0n ? undefined : from > MAX_U64 ? "end" : from
}

/** The port's `readStream`: a missing (or soft-deleted) stream reads as empty, a tombstoned one fails. */
export const readStream = (client: StreamsClient): EventStoreShape["readStream"] => {
  const { isStreamDeleted, isStreamNotFound, unavailable } = failures(client.commandError)
  return (streamId, options) => {
    const limit = limitOf(options?.maxCount)
    const direction = options?.direction ?? "forwards"
    const fromRevision = streamStart(options?.from, direction)
    if (limit === 0 || fromRevision === undefined) return Stream.empty
    return decoded(streamRead(client, streamId, fromRevision, direction, limit), all, (error) =>
      isStreamNotFound(error)
        ? undefined
        : isStreamDeleted(error)
          ? new StreamDeleted({ streamId })
          : unavailable("read", error, false)
    )
  }
}

/**
 * The port's `readAll`. It skips the server's own events (and, with `streamPrefixes`, other streams); `maxCount`
 * counts the events it keeps.
 *
 * Backwards from a position the server starts *before* that position, while the port includes it: the event at
 * the position itself is read first, going forwards, then the read goes backwards from there. Anything the server
 * returns at or after the position going backwards is dropped, so either server behaviour gives the port's result.
 */
export const readAll = (client: StreamsClient, keep: Keep): EventStoreShape["readAll"] => {
  const { unavailable } = failures(client.commandError)
  return (options?: ReadAllOptions) => {
    const limit = limitOf(options?.maxCount)
    const direction = options?.direction ?? "forwards"
    const from = options?.from
    if (limit === 0) return Stream.empty
    const onError = (error: unknown) => unavailable("read", error, false)
    let events: Stream.Stream<RecordedEvent, ReadError>
    if (direction === "forwards") {
      if (from === "end") return Stream.empty
      const start = from === undefined || from === "start" || from < 0n ? "start" : clientPosition(from)
      events = decoded(allRead(client, start, "forwards", Number.POSITIVE_INFINITY), keep, onError)
    } else if (from === undefined || from === "end") {
      events = decoded(allRead(client, "end", "backwards", Number.POSITIVE_INFINITY), keep, onError)
    } else if (from === "start") {
      // The oldest event is the only one at or before the start.
      events = Stream.take(decoded(allRead(client, "start", "forwards", Number.POSITIVE_INFINITY), keep, onError), 1)
    } else if (from < 0n) {
      return Stream.empty
    } else {
      const at = decoded(
        allRead(client, clientPosition(from), "forwards", 1),
        (event) => positionOf(event) === from && keep(event),
        onError
      )
      const before = decoded(
        allRead(client, clientPosition(from), "backwards", Number.POSITIVE_INFINITY),
        (event) => (positionOf(event) ?? from) < from && keep(event),
        onError
      )
      events = Stream.concat(at, before)
    }
    return limited(events, limit)
  }
}

/** The last event of a stream: its revision and position, `undefined` when the stream does not exist. */
export const streamHead = (
  client: StreamsClient,
  streamId: string
): Effect.Effect<
  { readonly revision: bigint; readonly position: bigint } | undefined,
  StreamDeleted | EventStoreUnavailable
> => {
  const { isStreamDeleted, isStreamNotFound, unavailable } = failures(client.commandError)
  return fromRead(streamRead(client, streamId, "end", "backwards", 1)).pipe(
    Stream.runHead,
    Effect.map(
      Option.match({
        onNone: () => undefined,
        onSome: (event) => {
          const revision = event.event?.revision ?? event.link?.revision ?? -1n
          return { revision, position: positionOf(event) ?? -1n }
        }
      })
    ),
    Effect.catchAll((error) =>
      isStreamNotFound(error)
        ? Effect.succeed(undefined)
        : Effect.fail(isStreamDeleted(error) ? new StreamDeleted({ streamId }) : unavailable("read", error, false))
    )
  )
}

/** The position of the last record of `$all` (whatever it is), `undefined` when the store is empty. */
export const allHead = (client: StreamsClient): Effect.Effect<bigint | undefined, EventStoreUnavailable> =>
  fromRead(allRead(client, "end", "backwards", 1)).pipe(
    Stream.runHead,
    Effect.map((event) => Option.getOrUndefined(Option.flatMapNullable(event, positionOf))),
    Effect.mapError((error) => failures(client.commandError).unavailable("read", error, false))
  )
