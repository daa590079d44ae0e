import {
  type AppendError,
  type AppendResult,
  type EventStoreShape,
  type ExpectedRevision,
  type Json,
  type ProposedEvent,
  type ReadError,
  type RecordedEvent,
  StreamDeleted,
  SubscriptionMessage,
  subscriptionFromPull,
  conflict,
  satisfies
} from "@service-accounts/domain"
import { Chunk, Deferred, Effect, FiberId, Option, Stream } from "effect"
import { storeData, storeMetadata } from "./json.js"

/** The most events one pull of a read or a subscription materialises: what bounds a slow reader's memory. */
const CHUNK_SIZE = 256

/** An event as kept in the log: frozen data, and the time as a number because a `Date` can be mutated. */
interface StoredEvent {
  readonly streamId: string
  readonly revision: bigint
  readonly position: bigint
  readonly eventId: string
  readonly type: string
  readonly data: Json
  readonly metadata: { readonly [key: string]: Json }
  readonly recordedAtMillis: number
}

interface StreamState {
  /** The log index of each of the stream's events; the array index is the revision, so seeking is O(1). */
  readonly logIndexes: Array<number>
  deleted: boolean
}

/** Completed (and replaced) whenever what it guards changes; waiters re-check the log when it completes. */
type Signal = Deferred.Deferred<void>

const newSignal = (): Signal => Deferred.unsafeMake<void>(FiberId.none)

type Replay =
  | { readonly _tag: "New" }
  | { readonly _tag: "Duplicate"; readonly result: AppendResult }
  | { readonly _tag: "PartialDuplicate" }

const isNew: Replay = { _tag: "New" }

const materialise = (event: StoredEvent): RecordedEvent => ({
  streamId: event.streamId,
  revision: event.revision,
  position: event.position,
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  metadata: event.metadata,
  recordedAt: new Date(event.recordedAtMillis)
})

/** `maxCount` as a number of events: absent means no limit; zero, negative or NaN means none. */
const limitOf = (maxCount: number | undefined): number =>
  maxCount === undefined ? Number.POSITIVE_INFINITY : maxCount > 0 ? Math.floor(maxCount) : 0

/** A revision or position as an index into a sequence of `length` items, clamped to `[low, length]`. */
const clampIndex = (value: bigint, low: number, length: number): number =>
  value < BigInt(low) ? low : value >= BigInt(length) ? length : Number(value)

/** Where a subscription's cursor starts: start points are exclusive, so a revision or position means "after it". */
const subscriptionCursor = (from: "start" | "end" | bigint | undefined, length: number): number =>
  from === undefined || from === "start"
    ? 0
    : from === "end"
      ? length
      : from < 0n
        ? 0
        : from >= BigInt(Number.MAX_SAFE_INTEGER)
          ? Number.MAX_SAFE_INTEGER
          : Number(from) + 1

/** What a subscription follows: the whole log, or one stream's slice of it. */
interface Source {
  /** How many items exist now. */
  readonly length: () => number
  /** The log index of the item at a cursor position. */
  readonly logIndexAt: (cursor: number) => number
  /** A failure that ends the subscription, checked before every pull. */
  readonly failure: () => StreamDeleted | undefined
  /** The signal completed on the next change; taken in the same synchronous step as the emptiness check. */
  readonly changed: () => Signal
}

/**
 * Builds one independent store. Every operation runs its checks and writes in a single synchronous step, which on
 * the JavaScript event loop makes it atomic with respect to every other fiber without any lock.
 */
export const makeStore = (): EventStoreShape => {
  const log: Array<StoredEvent> = []
  const streams = new Map<string, StreamState>()
  /** The log index of the first event written with each id, for idempotent re-appends. */
  const logIndexById = new Map<string, number>()
  /** The signal for subscribers waiting on the log; created when one waits, so an append nobody waits for makes none. */
  let logChanged: Signal | undefined
  /** Signals for subscribers waiting on one stream; created on demand, dropped once completed. */
  const streamChanged = new Map<string, Signal>()

  const storedAt = (logIndex: number): StoredEvent => {
    const event = log[logIndex]
    if (event === undefined) {
      throw new Error(`memory event store: no event at log index ${logIndex}`)
    }
    return event
  }

  const logIndexOf = (logIndexes: ReadonlyArray<number>, revision: number): number => {
    const logIndex = logIndexes[revision]
    if (logIndex === undefined) {
      throw new Error(`memory event store: no event at revision ${revision}`)
    }
    return logIndex
  }

  const notify = (streamId: string): void => {
    const waiting = streamChanged.get(streamId)
    if (waiting !== undefined) {
      streamChanged.delete(streamId)
      Deferred.unsafeDone(waiting, Effect.void)
    }
    const previous = logChanged
    if (previous !== undefined) {
      logChanged = undefined
      Deferred.unsafeDone(previous, Effect.void)
    }
  }

  const logSignal = (): Signal => {
    if (logChanged === undefined) {
      logChanged = newSignal()
    }
    return logChanged
  }

  const signalFor = (streamId: string): Signal => {
    const existing = streamChanged.get(streamId)
    if (existing !== undefined) {
      return existing
    }
    const created = newSignal()
    streamChanged.set(streamId, created)
    return created
  }

  const currentRevision = (logIndexes: ReadonlyArray<number>): bigint | "no_stream" =>
    logIndexes.length === 0 ? "no_stream" : BigInt(logIndexes.length - 1)

  /**
   * Whether an append re-sends events already written, as EventStoreDB decides it: with an exact or `no_stream`
   * expectation, the events found right after the expected revision; with `any` or `stream_exists`, the events found
   * from wherever the first id was written in this stream. All ids in place means a duplicate; only the first ones
   * means a partial duplicate, which is a conflict.
   */
  const replayOf = (
    streamId: string,
    logIndexes: ReadonlyArray<number>,
    events: ReadonlyArray<ProposedEvent>,
    expected: ExpectedRevision
  ): Replay => {
    const first = events[0]
    if (first === undefined) {
      return isNew
    }
    let start: number
    if (expected === "any" || expected === "stream_exists") {
      const logIndex = logIndexById.get(first.eventId)
      if (logIndex === undefined || storedAt(logIndex).streamId !== streamId) {
        return isNew
      }
      start = Number(storedAt(logIndex).revision)
    } else {
      const after = expected === "no_stream" ? -1n : expected
      if (after < -1n || after >= BigInt(logIndexes.length - 1)) {
        return isNew
      }
      start = Number(after) + 1
      if (storedAt(logIndexOf(logIndexes, start)).eventId !== first.eventId) {
        return isNew
      }
    }
    for (const [offset, event] of events.entries()) {
      const logIndex = logIndexes[start + offset]
      if (logIndex === undefined || storedAt(logIndex).eventId !== event.eventId) {
        return { _tag: "PartialDuplicate" }
      }
    }
    const last = storedAt(logIndexOf(logIndexes, start + events.length - 1))
    return { _tag: "Duplicate", result: { nextExpectedRevision: last.revision, position: last.position } }
  }

  // `clockWith`'s function runs when the effect runs, so the whole append is one synchronous step.
  const append: EventStoreShape["append"] = (streamId, events, expected) =>
    Effect.clockWith((clock): Effect.Effect<AppendResult, AppendError> => {
      const state = streams.get(streamId)
      if (state?.deleted === true) {
        return Effect.fail(new StreamDeleted({ streamId }))
      }
      const logIndexes = state?.logIndexes ?? []
      const current = currentRevision(logIndexes)
      const replay = replayOf(streamId, logIndexes, events, expected)
      if (replay._tag === "Duplicate") {
        return Effect.succeed(replay.result)
      }
      if (replay._tag === "PartialDuplicate" || !satisfies(expected, current)) {
        return Effect.fail(conflict(streamId, expected, current))
      }
      const lastIndex = logIndexes.at(-1)
      if (events.length === 0) {
        return Effect.succeed({
          nextExpectedRevision: current === "no_stream" ? -1n : current,
          position: lastIndex === undefined ? -1n : storedAt(lastIndex).position
        })
      }
      // Copy everything before writing anything: a value with no JSON form fails the append as a whole.
      const recordedAtMillis = clock.unsafeCurrentTimeMillis()
      const stored = events.map(
        (event, offset): StoredEvent => ({
          streamId,
          revision: BigInt(logIndexes.length + offset),
          position: BigInt(log.length + offset),
          eventId: event.eventId,
          type: event.type,
          data: storeData(event.data, `data of event ${event.eventId}`),
          metadata: storeMetadata(event.metadata, `metadata of event ${event.eventId}`),
          recordedAtMillis
        })
      )
      const target = state ?? { logIndexes: [], deleted: false }
      for (const event of stored) {
        const logIndex = log.length
        log.push(event)
        target.logIndexes.push(logIndex)
        if (!logIndexById.has(event.eventId)) {
          logIndexById.set(event.eventId, logIndex)
        }
      }
      streams.set(streamId, target)
      notify(streamId)
      const last = storedAt(log.length - 1)
      return Effect.succeed({ nextExpectedRevision: last.revision, position: last.position })
    })

  const tombstone: EventStoreShape["tombstone"] = (streamId, expected) =>
    Effect.suspend((): Effect.Effect<void, AppendError> => {
      const state = streams.get(streamId)
      if (state?.deleted === true) {
        return Effect.fail(new StreamDeleted({ streamId }))
      }
      const current = currentRevision(state?.logIndexes ?? [])
      if (!satisfies(expected, current)) {
        return Effect.fail(conflict(streamId, expected, current))
      }
      if (state === undefined) {
        streams.set(streamId, { logIndexes: [], deleted: true })
      } else {
        state.deleted = true
      }
      notify(streamId)
      return Effect.void
    })

  /**
   * Emits the items at cursors `start`, `start ± 1`, … up to `end` (exclusive), a chunk at a time and only when
   * pulled, so a long read holds at most one chunk of materialised events.
   */
  const emitRange = (
    start: number,
    end: number,
    step: 1 | -1,
    logIndexAt: (cursor: number) => number
  ): Stream.Stream<RecordedEvent> =>
    Stream.unfoldChunk(start, (cursor) => {
      if (step === 1 ? cursor >= end : cursor <= end) {
        return Option.none()
      }
      const stop = step === 1 ? Math.min(end, cursor + CHUNK_SIZE) : Math.max(end, cursor - CHUNK_SIZE)
      const chunk: Array<RecordedEvent> = []
      for (let at = cursor; at !== stop; at += step) {
        chunk.push(materialise(storedAt(logIndexAt(at))))
      }
      return Option.some([Chunk.unsafeFromArray(chunk), stop] as const)
    })

  /** A read over `length` items as of the moment the read starts; later appends are not part of it. */
  const readRange = (
    length: number,
    options:
      | {
          readonly from?: "start" | "end" | bigint
          readonly direction?: "forwards" | "backwards"
          readonly maxCount?: number
        }
      | undefined,
    logIndexAt: (cursor: number) => number
  ): Stream.Stream<RecordedEvent> => {
    const from = options?.from
    const limit = limitOf(options?.maxCount)
    if ((options?.direction ?? "forwards") === "forwards") {
      const start = from === undefined || from === "start" ? 0 : from === "end" ? length : clampIndex(from, 0, length)
      return emitRange(start, Math.min(length, start + limit), 1, logIndexAt)
    }
    const start =
      from === undefined || from === "end"
        ? length - 1
        : from === "start"
          ? Math.min(0, length - 1)
          : clampIndex(from, -1, length - 1)
    return emitRange(start, Math.max(-1, start - limit), -1, logIndexAt)
  }

  const readStream: EventStoreShape["readStream"] = (streamId, options) =>
    Stream.suspend(() => {
      const state = streams.get(streamId)
      if (state?.deleted === true) {
        return Stream.fail(new StreamDeleted({ streamId }))
      }
      const logIndexes = state?.logIndexes ?? []
      return readRange(logIndexes.length, options, (revision) => logIndexOf(logIndexes, revision))
    })

  const readAll: EventStoreShape["readAll"] = (options) =>
    Stream.suspend(() => readRange(log.length, options, (position) => position))

  /**
   * A catch-up subscription without a buffer of its own: the log is the buffer. The subscriber keeps a cursor, and
   * each pull delivers what lies between the cursor and the end of the log, or waits for the next change. History
   * and live events come out of the same log through the same cursor, so the switch can neither skip nor repeat.
   */
  const subscribe = (
    source: Source,
    from: "start" | "end" | bigint | undefined
  ): Stream.Stream<SubscriptionMessage, ReadError> =>
    subscriptionFromPull(
      Effect.sync(() => {
        const lengthAtStart = source.length()
        let cursor = subscriptionCursor(from, lengthAtStart)
        const caughtUpAt = Math.max(cursor, lengthAtStart)
        let caughtUp = false
        const pull: Effect.Effect<Chunk.Chunk<SubscriptionMessage>, ReadError> = Effect.suspend(() => {
          const failure = source.failure()
          if (failure !== undefined) {
            return Effect.fail(failure)
          }
          const available = caughtUp ? source.length() : caughtUpAt
          if (cursor < available) {
            const stop = Math.min(available, cursor + CHUNK_SIZE)
            const chunk: Array<SubscriptionMessage> = []
            for (; cursor < stop; cursor++) {
              chunk.push(SubscriptionMessage.event(materialise(storedAt(source.logIndexAt(cursor)))))
            }
            return Effect.succeed(Chunk.unsafeFromArray(chunk))
          }
          if (!caughtUp) {
            caughtUp = true
            return Effect.succeed(Chunk.of(SubscriptionMessage.caughtUp))
          }
          return Effect.zipRight(Deferred.await(source.changed()), pull)
        })
        return Effect.mapError(pull, Option.some)
      })
    )

  const subscribeToStream: EventStoreShape["subscribeToStream"] = (streamId, options) => {
    const logIndexes = (): ReadonlyArray<number> => streams.get(streamId)?.logIndexes ?? []
    return subscribe(
      {
        length: () => logIndexes().length,
        logIndexAt: (revision) => logIndexOf(logIndexes(), revision),
        failure: () => (streams.get(streamId)?.deleted === true ? new StreamDeleted({ streamId }) : undefined),
        changed: () => signalFor(streamId)
      },
      options?.from
    )
  }

  const subscribeToAll: EventStoreShape["subscribeToAll"] = (options) =>
    subscribe(
      {
        length: () => log.length,
        logIndexAt: (position) => position,
        failure: () => undefined,
        changed: logSignal
      },
      options?.from
    )

  return { append, readStream, readAll, subscribeToStream, subscribeToAll, tombstone }
}
