import {
  BACKWARDS,
  END,
  type EventStoreDBClient,
  FORWARDS,
  type ReadPosition,
  type ReadRevision,
  START
} from "@eventstore/db-client"
import {
  type EventStoreShape,
  type EventStoreUnavailable,
  type ReadAllOptions,
  type ReadError,
  type RecordedEvent,
  StreamDeleted
} from "@service-accounts/domain"
import { Chunk, Effect, Either, Option, Stream } from "effect"
import type { Item } from "./cursor.js"
import { isStreamDeleted, isStreamNotFound, unavailable } from "./errors.js"
import { fromReadable, open, type Stoppable } from "./readable.js"
import { type ClientEvent, isSystemEvent, positionOf, streamOf, toRecorded } from "./recorded.js"

/** The largest revision or position the server understands (an unsigned 64-bit integer). */
const MAX_U64 = 0xffff_ffff_ffff_ffffn

/** `maxCount` as a number of events: absent means no limit; zero, negative or NaN means none. */
export const limitOf = (maxCount: number | undefined): number =>
  maxCount === undefined ? Number.POSITIVE_INFINITY : maxCount > 0 ? Math.floor(maxCount) : 0

/** The client's position for one of the port's positions (see `positionOf`). */
export const clientPosition = (position: bigint): ReadPosition => ({ commit: position, prepare: position })

/** Which events of the whole store the port shows: not the server's own, and only the configured streams. */
export type Keep = (event: ClientEvent) => boolean

/** The filter of `$all` reads and subscriptions. */
export const keepFor =
  (prefixes: ReadonlyArray<string> | undefined): Keep =>
  (event) =>
    !isSystemEvent(event) && (prefixes === undefined || prefixes.some((prefix) => streamOf(event).startsWith(prefix)))

const items = <A>(stream: Stream.Stream<Item<A>, unknown>): Stream.Stream<A, unknown> =>
  Stream.filterMap(stream, (item) => (item._tag === "Item" ? Option.some(item.item) : Option.none()))

const limited = <A, E>(stream: Stream.Stream<A, E>, limit: number): Stream.Stream<A, E> =>
  Number.isFinite(limit) ? Stream.take(stream, limit) : stream

/** The client's read of one stream. */
const streamRead =
  (
    client: EventStoreDBClient,
    streamId: string,
    fromRevision: ReadRevision,
    direction: "forwards" | "backwards",
    limit: number
  ) =>
  () =>
    client.readStream(streamId, {
      fromRevision,
      direction: direction === "forwards" ? FORWARDS : BACKWARDS,
      ...(Number.isFinite(limit) ? { maxCount: limit } : {})
    })

/** The client's read of `$all` (system events included). */
const allRead =
  (client: EventStoreDBClient, fromPosition: ReadPosition, direction: "forwards" | "backwards", limit: number) => () =>
    client.readAll({
      fromPosition,
      direction: direction === "forwards" ? FORWARDS : BACKWARDS,
      ...(Number.isFinite(limit) ? { maxCount: limit } : {})
    })

/**
 * A read through the client as the port's events: the events `select` keeps, converted a chunk at a time. A stored
 * event that does not convert fails the read after the events before it. `onError` maps a failure of the call, or
 * says (`undefined`) that the read is simply empty.
 */
const decoded = (
  make: () => Stoppable,
  select: (event: ClientEvent) => boolean,
  onError: (error: unknown) => ReadError | undefined
): Stream.Stream<RecordedEvent, ReadError> =>
  Stream.fromPull(
    open<ClientEvent>(make).pipe(
      Effect.map((cursor) => {
        let pending: ReadError | undefined
        const pull: Effect.Effect<Chunk.Chunk<RecordedEvent>, Option.Option<ReadError>> = Effect.suspend(() =>
          pending === undefined
            ? cursor.pull.pipe(
                Effect.mapError(Option.flatMap((error) => Option.fromNullable(onError(error)))),
                Effect.flatMap((chunk) => {
                  const out: Array<RecordedEvent> = []
                  for (const item of chunk) {
                    if (item._tag !== "Item" || !select(item.item)) continue
                    const recorded = toRecorded(item.item)
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
): ReadRevision | undefined => {
  if (direction === "forwards") {
    if (from === undefined || from === "start") return START
    if (from === "end") return undefined
    return from < 0n ? START : from > MAX_U64 ? undefined : from
  }
  if (from === undefined || from === "end") return END
  if (from === "start") return 0n
  return from < 0n ? undefined : from > MAX_U64 ? END : from
}

/** The port's `readStream`: a missing (or soft-deleted) stream reads as empty, a tombstoned one fails. */
export const readStream =
  (client: EventStoreDBClient): EventStoreShape["readStream"] =>
  (streamId, options) => {
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

/**
 * The port's `readAll`. It skips the server's own events (and, with `streamPrefixes`, other streams); `maxCount`
 * counts the events it keeps.
 *
 * Backwards from a position the server starts *before* that position, while the port includes it: the event at
 * the position itself is read first, going forwards, then the read goes backwards from there. Anything the server
 * returns at or after the position going backwards is dropped, so either server behaviour gives the port's result.
 */
export const readAll =
  (client: EventStoreDBClient, keep: Keep): EventStoreShape["readAll"] =>
  (options?: ReadAllOptions) => {
    const limit = limitOf(options?.maxCount)
    const direction = options?.direction ?? "forwards"
    const from = options?.from
    if (limit === 0) return Stream.empty
    const onError = (error: unknown) => unavailable("read", error, false)
    let events: Stream.Stream<RecordedEvent, ReadError>
    if (direction === "forwards") {
      if (from === "end") return Stream.empty
      const start = from === undefined || from === "start" || from < 0n ? START : clientPosition(from)
      events = decoded(allRead(client, start, "forwards", Number.POSITIVE_INFINITY), keep, onError)
    } else if (from === undefined || from === "end") {
      events = decoded(allRead(client, END, "backwards", Number.POSITIVE_INFINITY), keep, onError)
    } else if (from === "start") {
      // The oldest event is the only one at or before the start.
      events = Stream.take(decoded(allRead(client, START, "forwards", Number.POSITIVE_INFINITY), keep, onError), 1)
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

/** The last event of a stream: its revision and position, `undefined` when the stream does not exist. */
export const streamHead = (
  client: EventStoreDBClient,
  streamId: string
): Effect.Effect<
  { readonly revision: bigint; readonly position: bigint } | undefined,
  StreamDeleted | EventStoreUnavailable
> =>
  items(fromReadable<ClientEvent>(streamRead(client, streamId, END, "backwards", 1))).pipe(
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

/** The position of the last record of `$all` (whatever it is), `undefined` when the store is empty. */
export const allHead = (client: EventStoreDBClient): Effect.Effect<bigint | undefined, EventStoreUnavailable> =>
  items(fromReadable<ClientEvent>(allRead(client, END, "backwards", 1))).pipe(
    Stream.runHead,
    Effect.map((event) => Option.getOrUndefined(Option.flatMapNullable(event, positionOf))),
    Effect.mapError((error) => unavailable("read", error, false))
  )
