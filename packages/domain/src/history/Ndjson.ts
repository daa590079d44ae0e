/**
 * The NDJSON history format: how a history leaves one store and enters another, and what auditors read.
 *
 * A file is UTF-8 text, one JSON value a line, each line ended by `\n` (a `\r` before it is tolerated):
 *
 * 1. the header, `{"format":"service-accounts/ndjson","version":1}`;
 * 2. then one recorded event a line, in the order of the store's positions:
 *    `{"stream","revision","position","eventId","type","data","metadata","recordedAt"}`. Revisions and positions
 *    are strings of decimal digits (they are 64-bit numbers, which JSON numbers cannot carry exactly);
 *    `recordedAt` is an ISO-8601 UTC time; `data` and `metadata` are the stored JSON as it is.
 *
 * This module only converts between text and `RecordedEvent`s; reading and writing files is the caller's job.
 * Decoding names the line of every problem, and never echoes a token value.
 *
 * @example
 * ```ts
 * import { readFileSync, writeFileSync } from "node:fs"
 * import { EventStore, Ndjson } from "@service-accounts/domain"
 * import { Chunk, Effect, Stream } from "effect"
 *
 * // Export the whole store as one NDJSON file…
 * const exportTo = (path: string) =>
 *   Effect.gen(function* () {
 *     const store = yield* EventStore
 *     const lines = yield* Stream.runCollect(Ndjson.encode(store.readAll()))
 *     writeFileSync(path, Chunk.join(lines, ""))
 *   })
 *
 * // …and read one back: a bad line fails with an `InvalidNdjson` that names it.
 * const streamsIn = (path: string) =>
 *   Ndjson.decodeText(readFileSync(path, "utf8")).pipe(
 *     Stream.runFold(new Set<string>(), (streams, event) => streams.add(event.streamId))
 *   )
 * ```
 *
 * @since 0.1.0
 */
import { Chunk, Effect, Either, ParseResult, Schema, Stream } from "effect"
import type { Json, RecordedEvent } from "../store/EventStore.js"
import { decodeEither } from "../fast/compiled.js"
import { hasOnlyKeys, ParsedJson, ParsedJsonObject } from "../fast/decoding.js"
import { Counter, IsoTime } from "./lineFields.js"
import { isJson } from "../fast/json.js"
import { quoteSafely } from "../model/Token.js"
import { MAX_LINE_LENGTH, type NumberedLine, splitLines } from "./lines.js"

export { MAX_LINE_LENGTH, type NumberedLine, splitLines }

/**
 * The `format` of the header line.
 *
 * @since 0.1.0
 * @category constants
 */
export const FORMAT = "service-accounts/ndjson"

/**
 * The version of the format this code writes and reads.
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION = 1

/**
 * The header line's schema.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Header = Schema.Struct({ format: Schema.Literal(FORMAT), version: Schema.Literal(VERSION) })

/**
 * The header line, without its line break.
 *
 * @since 0.1.0
 * @category constants
 */
export const HEADER_LINE: string = JSON.stringify({ format: FORMAT, version: VERSION })

/**
 * Any JSON value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const JsonValue: Schema.Schema<Json> = Schema.declare(isJson, {
  identifier: "Json",
  description: "a JSON value"
})

const JsonObject = Schema.Record({ key: Schema.String, value: JsonValue })

/**
 * One event line's schema: from its JSON to its fields, revision and position as `bigint`, time as a `Date`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const EventLine = Schema.Struct({
  stream: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })),
  revision: Counter,
  position: Counter,
  eventId: Schema.UUID.annotations({ message: () => "must be a UUID" }),
  type: Schema.String.pipe(Schema.minLength(1, { message: () => "must not be empty" })),
  data: JsonValue,
  metadata: JsonObject,
  recordedAt: IsoTime
})

/**
 * A line that cannot be read, or a file that is not a history. `line` counts from 1; it is absent when the
 * problem is the file as a whole (an empty file).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidNdjson extends Schema.TaggedError<InvalidNdjson>()("InvalidNdjson", {
  line: Schema.optional(Schema.Number),
  reason: Schema.String
}) {
  override get message(): string {
    return this.line === undefined ? this.reason : `line ${this.line}: ${this.reason}`
  }
}

const decodeHeaderSchema = Schema.decodeUnknownEither(Header, { onExcessProperty: "error" })
/** Every problem of a line, excess properties included: what a bad line is reported with. */
const decodeLineSchema = Schema.decodeUnknownEither(EventLine, { onExcessProperty: "error", errors: "all" })

/**
 * The same schema for a line `JSON.parse` just read (its data and metadata only need their numbers checked),
 * stopping at the first problem and not looking for excess properties, which `hasOnlyKeys` checks first: Effect's
 * check of excess properties costs more than the rest of the line's decoding together.
 */
const decodeLineFast = decodeEither(
  Schema.Struct({ ...EventLine.fields, data: ParsedJson, metadata: ParsedJsonObject })
)
const lineKeys: ReadonlySet<string> = new Set(Object.keys(EventLine.fields))

/** A stored line may hold anything (`JSON.parse` quotes some of it): quote it safely, and keep it short. */
const safe = (text: string): string => quoteSafely(text, 300)

const describeIssues = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => (issue.path.length === 0 ? issue.message : `${issue.path.join(".")}: ${issue.message}`))
    .join("; ")

const parseJson = (text: string): Either.Either<unknown, string> => {
  try {
    return Either.right(JSON.parse(text))
  } catch (error) {
    return Either.left(invalidJson(error))
  }
}

const invalidJson = (error: unknown): string =>
  `invalid JSON (${error instanceof Error ? error.message : String(error)})`

const problem = (line: NumberedLine, reason: string): InvalidNdjson =>
  new InvalidNdjson({
    line: line.number,
    reason: line.terminated ? safe(reason) : `the file ends in the middle of this line (truncated): ${safe(reason)}`
  })

const TOO_LONG = `the line is longer than ${MAX_LINE_LENGTH.toLocaleString("en-US")} characters: not a line of this format`

/**
 * Reads the header line.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeHeader = (line: NumberedLine): Either.Either<typeof Header.Type, InvalidNdjson> => {
  const expected = `the first line must be the header ${HEADER_LINE}`
  if (line.tooLong === true) return Either.left(problem(line, `${expected}, but ${TOO_LONG}`))
  return Either.flatMap(
    Either.mapLeft(parseJson(line.text), (reason) => problem(line, `${expected}, but it is ${reason}`)),
    (json) =>
      Either.mapLeft(decodeHeaderSchema(json), (error) => {
        const version = typeof json === "object" && json !== null && "version" in json ? json.version : undefined
        return json !== null && typeof json === "object" && "format" in json && json.format === FORMAT
          ? problem(line, `format version ${String(version)} is not known to this version of the library`)
          : problem(line, `${expected}: ${describeIssues(error)}`)
      })
  )
}

const decodeEventLine = (json: unknown) => {
  if (hasOnlyKeys(json, lineKeys)) {
    const fields = decodeLineFast(json)
    if (Either.isRight(fields)) return fields
  }
  return decodeLineSchema(json)
}

/**
 * Reads one event line.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeLine = (line: NumberedLine): Either.Either<RecordedEvent, InvalidNdjson> => {
  const read = readLine(line)
  return read instanceof InvalidNdjson ? Either.left(read) : Either.right(read)
}

/** `decodeLine` without the `Either`: this runs for every line of a history, so it is written step by step. */
const readLine = (line: NumberedLine): RecordedEvent | InvalidNdjson => {
  if (line.tooLong === true) return problem(line, TOO_LONG)
  let json: unknown
  try {
    json = JSON.parse(line.text)
  } catch (error) {
    return problem(line, line.text.trim() === "" ? "the line is empty" : invalidJson(error))
  }
  const decoded = decodeEventLine(json)
  if (Either.isLeft(decoded)) return problem(line, describeIssues(decoded.left))
  const fields = decoded.right
  return {
    streamId: fields.stream,
    revision: fields.revision,
    position: fields.position,
    eventId: fields.eventId,
    type: fields.type,
    data: fields.data,
    metadata: fields.metadata,
    recordedAt: fields.recordedAt
  }
}

/**
 * Writes one event line, without its line break.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLine = (event: RecordedEvent): string =>
  JSON.stringify({
    stream: event.streamId,
    revision: String(event.revision),
    position: String(event.position),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString()
  })

/**
 * An event with the number of the line it was read from.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumberedEvent {
  readonly line: number
  readonly event: RecordedEvent
}

/**
 * Reads a history from its lines: checks the header, then decodes each event line, failing at the first bad
 * one. `check` may refuse an event that is well-formed but not acceptable to the caller (its reason is reported
 * with the line). An empty input fails too: a history file always has its header.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeLines = <E, R>(
  lines: Stream.Stream<NumberedLine, E, R>,
  options?: { readonly check?: (event: RecordedEvent) => string | undefined }
): Stream.Stream<NumberedEvent, E | InvalidNdjson, R> =>
  readLines(lines, options, (line, event) => ({ line: line.number, event }))

/** `decodeLines`, giving what `wrap` makes of each line and its event. */
const readLines = <A, E, R>(
  lines: Stream.Stream<NumberedLine, E, R>,
  options: { readonly check?: (event: RecordedEvent) => string | undefined } | undefined,
  wrap: (line: NumberedLine, event: RecordedEvent) => A
): Stream.Stream<A, E | InvalidNdjson, R> =>
  Stream.suspend(() => {
    let seenHeader = false
    // A chunk of lines at a time, synchronously (a step of the stream per line would cost more than decoding it).
    // At a bad line the lines before it are delivered, and the stream fails when it is pulled again.
    let failure: InvalidNdjson | undefined
    const check = options?.check
    const events = Stream.mapChunksEffect(lines, (chunk) => {
      if (failure !== undefined) return Effect.fail(failure)
      const out: Array<A> = []
      for (const line of chunk) {
        if (!seenHeader) {
          seenHeader = true
          const header = decodeHeader(line)
          if (Either.isLeft(header)) failure = header.left
        } else {
          const read = readLine(line)
          const reason = read instanceof InvalidNdjson ? undefined : check?.(read)
          if (read instanceof InvalidNdjson) failure = read
          else if (reason !== undefined) failure = problem(line, reason)
          else out.push(wrap(line, read))
        }
        if (failure !== undefined) break
      }
      return failure !== undefined && out.length === 0
        ? Effect.fail(failure)
        : Effect.succeed(Chunk.unsafeFromArray(out))
    })
    const end = Stream.suspend(() =>
      failure !== undefined
        ? Stream.fail(failure)
        : seenHeader
          ? Stream.empty
          : Stream.fail(
              new InvalidNdjson({ reason: `the file is empty: a history starts with the header ${HEADER_LINE}` })
            )
    )
    return Stream.concat(events, end)
  })

/**
 * Reads a history from text chunks (`splitLines` then `decodeLines`), giving the recorded events.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(
  chunks: Stream.Stream<string, E, R>,
  options?: { readonly check?: (event: RecordedEvent) => string | undefined }
): Stream.Stream<RecordedEvent, E | InvalidNdjson, R> => readLines(splitLines(chunks), options, (_, event) => event)

/**
 * Writes a history: the header, then one line per event, each with its line break.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encode = <E, R>(events: Stream.Stream<RecordedEvent, E, R>): Stream.Stream<string, E, R> =>
  Stream.concat(
    Stream.make(`${HEADER_LINE}\n`),
    Stream.map(events, (event) => `${encodeLine(event)}\n`)
  )

/**
 * Reads a whole history held in one string (for tests and small files).
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeText = (
  text: string,
  options?: { readonly check?: (event: RecordedEvent) => string | undefined }
): Stream.Stream<RecordedEvent, InvalidNdjson> => decode(Stream.make(text), options)
