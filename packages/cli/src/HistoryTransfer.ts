/**
 * Moving a history between stores through the NDJSON format (`Ndjson` in the domain): export from any
 * `EventStore`, validate a file, import into any `EventStore`.
 *
 * An import validates every line first and imports nothing if any line is bad; it refuses streams that already
 * hold events unless forced. Event ids, types, data and metadata are kept as they are, so the imported history
 * verifies as the original did; positions and recorded times are the target store's own.
 *
 * @example
 * ```ts
 * import { HistoryTransfer } from "@service-accounts/cli"
 * import type { EventStore } from "@service-accounts/domain"
 * import { layer as eventStoreDB } from "@service-accounts/store-eventstoredb"
 * import { Chunk, Effect, type Layer, Stream } from "effect"
 *
 * // Moves a whole history from one store to another through NDJSON text. The import checks every line first and
 * // writes nothing if one is bad (`InvalidHistory`) or a target stream already holds events (`TargetNotEmpty`).
 * const move = <E1, E2>(from: Layer.Layer<EventStore, E1>, to: Layer.Layer<EventStore, E2>) =>
 *   Effect.gen(function* () {
 *     const text = yield* Stream.runCollect(HistoryTransfer.exportHistory).pipe(
 *       Effect.map(Chunk.join("")),
 *       Effect.provide(from)
 *     )
 *     return yield* HistoryTransfer.importHistory(Stream.make(text)).pipe(Effect.provide(to))
 *   })
 *
 * const moved = move(
 *   eventStoreDB({ connectionString: "esdb://old-cluster:2113?tls=false" }),
 *   eventStoreDB({ connectionString: "esdb://new-cluster:2113?tls=false" })
 * ) // Effect<{ events, streams, appends }, …>
 * ```
 *
 * @since 0.1.0
 */
import {
  type AppendError,
  EventStore,
  type ExpectedRevision,
  Ndjson,
  type ProposedEvent,
  type ReadError,
  type RecordedEvent
} from "@service-accounts/domain"
import { Chunk, Effect, Either, Schema, Stream } from "effect"
import { problem } from "./Content.js"

/**
 * Whether an event belongs to the store itself (EventStoreDB's `$` streams and types), not to the history.
 *
 * @since 0.1.0
 * @category utils
 */
export const isSystemEvent = (event: RecordedEvent): boolean =>
  event.streamId.startsWith("$") || event.type.startsWith("$")

/**
 * The whole history of the store as NDJSON text (the header, then a line per event in position order), read as a
 * stream: memory stays bounded however long the history is. The store's own system events are left out.
 *
 * @since 0.1.0
 * @category export
 */
export const exportHistory: Stream.Stream<string, ReadError, EventStore> = Stream.unwrap(
  Effect.map(EventStore, (store) => Ndjson.encode(Stream.filter(store.readAll(), (event) => !isSystemEvent(event))))
)

/**
 * What a validation found.
 *
 * @since 0.1.0
 * @category models
 */
export interface Validation {
  /** Event lines read. */
  readonly events: number
  /** Each stream of the file with its last revision. */
  readonly streams: ReadonlyMap<string, bigint>
  /** The bad lines, in order; at most `maxErrors` of them. */
  readonly errors: ReadonlyArray<Ndjson.InvalidNdjson>
  readonly totalErrors: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ValidationOptions {
  /** The content check; by default the one of `Content.problem`. */
  readonly check?: (event: RecordedEvent) => string | undefined
  /** Keep at most this many errors (all are counted). Default 100. */
  readonly maxErrors?: number
}

/**
 * Reads every line and reports each bad one: the header, the envelope of each event, its content, and that each
 * stream's revisions follow each other from 0 (an import writes them in that order).
 *
 * @since 0.1.0
 * @category validation
 */
export const validate = <E, R>(
  chunks: Stream.Stream<string, E, R>,
  options: ValidationOptions = {}
): Effect.Effect<Validation, E, R> =>
  Effect.suspend(() => {
    const check = options.check ?? problem
    const maxErrors = options.maxErrors ?? 100
    const streams = new Map<string, bigint>()
    const errors: Array<Ndjson.InvalidNdjson> = []
    let totalErrors = 0
    let events = 0
    let lines = 0
    let unreadable = 0
    const fail = (error: Ndjson.InvalidNdjson) => {
      totalErrors++
      if (errors.length < maxErrors) errors.push(error)
    }
    const onLine = (line: Ndjson.NumberedLine) => {
      lines++
      if (line.number === 1) {
        Either.mapLeft(Ndjson.decodeHeader(line), fail)
        return
      }
      events++
      const decoded = Ndjson.decodeLine(line)
      if (Either.isLeft(decoded)) {
        unreadable++
        return fail(decoded.left)
      }
      const event = decoded.right
      const reason = check(event)
      if (reason !== undefined) fail(new Ndjson.InvalidNdjson({ line: line.number, reason }))
      const last = streams.get(event.streamId) ?? -1n
      streams.set(event.streamId, event.revision)
      // A line that could not be read may have been the missing revision: report gaps only when every line so far
      // was readable, so one bad line is one error.
      if (event.revision !== last + 1n && unreadable === 0) {
        fail(
          new Ndjson.InvalidNdjson({
            line: line.number,
            reason: `revision ${event.revision} of ${event.streamId} does not follow revision ${last}: each stream's revisions must run from 0 without gaps`
          })
        )
      }
    }
    return Stream.runForEachChunk(Ndjson.splitLines(chunks), (chunk) =>
      Effect.sync(() => Chunk.forEach(chunk, onLine))
    ).pipe(
      Effect.map(() => {
        if (lines === 0) {
          fail(
            new Ndjson.InvalidNdjson({
              reason: `the file is empty: a history starts with the header ${Ndjson.HEADER_LINE}`
            })
          )
        }
        return { events, streams, errors, totalErrors }
      })
    )
  })

/**
 * The file has bad lines: nothing was imported.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidHistory extends Schema.TaggedError<InvalidHistory>()("InvalidHistory", {
  errors: Schema.Array(Schema.String),
  totalErrors: Schema.Number
}) {
  override get message(): string {
    const more = this.totalErrors > this.errors.length ? `\n…and ${this.totalErrors - this.errors.length} more` : ""
    return `the history has ${this.totalErrors} bad line(s); nothing was imported:\n${this.errors.join("\n")}${more}`
  }
}

/**
 * Streams of the file already hold events in the target store, and the import was not forced: nothing was
 * imported.
 *
 * @since 0.1.0
 * @category errors
 */
export class TargetNotEmpty extends Schema.TaggedError<TargetNotEmpty>()("TargetNotEmpty", {
  streams: Schema.Array(Schema.String),
  total: Schema.Number
}) {
  override get message(): string {
    const more = this.total > this.streams.length ? ` and ${this.total - this.streams.length} more` : ""
    return `${this.total} stream(s) of the history already hold events in the target (${this.streams.join(", ")}${more}); nothing was imported (force the import to append after them)`
  }
}

/**
 * @since 0.1.0
 * @category models
 */
export interface ImportOptions extends ValidationOptions {
  /** Append after the events that target streams already hold, instead of refusing. */
  readonly force?: boolean
  /** Events per append, at most (consecutive events of one stream go in one append). Default 500. */
  readonly batchSize?: number
}

/**
 * What an import wrote.
 *
 * @since 0.1.0
 * @category models
 */
export interface ImportSummary {
  readonly events: number
  readonly streams: number
  readonly appends: number
}

const tipOf = (streamId: string) =>
  Effect.flatMap(EventStore, (store) =>
    Stream.runHead(store.readStream(streamId, { direction: "backwards", maxCount: 1 }))
  )

const proposed = (event: RecordedEvent): ProposedEvent => ({
  eventId: event.eventId,
  type: event.type,
  data: event.data,
  metadata: event.metadata
})

/** Consecutive events of one stream, cut from a batch. */
const runsOf = (events: Chunk.Chunk<RecordedEvent>): Array<Array<RecordedEvent>> => {
  const runs: Array<Array<RecordedEvent>> = []
  let current: Array<RecordedEvent> = []
  for (const event of events) {
    if (current.length > 0 && current[0]?.streamId !== event.streamId) {
      runs.push(current)
      current = []
    }
    current.push(event)
  }
  if (current.length > 0) runs.push(current)
  return runs
}

/**
 * Imports a history into the store: validates every line first (`validate`) and imports nothing if any is bad;
 * refuses streams that already hold events unless `force`; then appends the events in file order, a stream's
 * consecutive events together, each append expecting the revision the previous one left. `chunks` is read twice,
 * so it must be readable again (a file, not a one-shot pipe).
 *
 * @since 0.1.0
 * @category import
 */
export const importHistory = <E, R>(
  chunks: Stream.Stream<string, E, R>,
  options: ImportOptions = {}
): Effect.Effect<
  ImportSummary,
  E | InvalidHistory | TargetNotEmpty | Ndjson.InvalidNdjson | ReadError | AppendError,
  R | EventStore
> =>
  Effect.gen(function* () {
    const validation = yield* validate(chunks, options)
    if (validation.totalErrors > 0) {
      return yield* new InvalidHistory({
        errors: validation.errors.map((error) => error.message),
        totalErrors: validation.totalErrors
      })
    }
    const expected = new Map<string, ExpectedRevision>()
    const occupied: Array<string> = []
    for (const streamId of validation.streams.keys()) {
      const tip = yield* tipOf(streamId)
      if (tip._tag === "Some") occupied.push(streamId)
      expected.set(streamId, tip._tag === "Some" ? tip.value.revision : "no_stream")
    }
    if (occupied.length > 0 && options.force !== true) {
      return yield* new TargetNotEmpty({ streams: occupied.slice(0, 10), total: occupied.length })
    }
    const store = yield* EventStore
    let appends = 0
    let events = 0
    yield* Ndjson.decode(chunks, { check: options.check ?? problem }).pipe(
      Stream.grouped(options.batchSize ?? 500),
      Stream.runForEach((batch) =>
        Effect.forEach(runsOf(batch), (run) =>
          Effect.gen(function* () {
            const streamId = run[0]?.streamId ?? ""
            const result = yield* store.append(streamId, run.map(proposed), expected.get(streamId) ?? "no_stream")
            expected.set(streamId, result.nextExpectedRevision)
            appends++
            events += run.length
          })
        )
      )
    )
    return { events, streams: validation.streams.size, appends }
  })
