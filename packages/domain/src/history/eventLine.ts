/**
 * One line of the NDJSON history format: the header line, and an event line decoded with its schema or written.
 * `Ndjson` re-exports what is public here.
 *
 * @internal
 */
import { Either, ParseResult, Schema } from "effect"
import type { Json, RecordedEvent } from "../store/EventStore.js"
import { hasOnlyKeys, isParsedJson, isParsedJsonObject } from "../fast/decoding.js"
import { isJson } from "../fast/json.js"
import { quoteSafely } from "../model/Token.js"
import { Counter, counterOf, IsoTime, isoTimeOf, isEventId } from "./lineFields.js"
import { MAX_LINE_LENGTH, type NumberedLine } from "./lines.js"

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

const lineKeys: ReadonlySet<string> = new Set(Object.keys(EventLine.fields))

/**
 * The event of a line `JSON.parse` just read, when `EventLine` accepts it (`undefined`: the schema decides, and says
 * why). The same checks as the schema's, field by field and without a parse result per field: this runs for every
 * line of a history, and the schema's decoder (even compiled) cost two thirds of what `JSON.parse` costs. A JSON object
 * holds only its own plain properties, so reading them cannot run code.
 */
const eventOf = (json: unknown): RecordedEvent | undefined => {
  if (typeof json !== "object" || json === null || Array.isArray(json) || !hasOnlyKeys(json, lineKeys)) return undefined
  const line = json as { readonly [key: string]: unknown }
  const { stream, type, eventId, data, metadata } = line
  if (typeof stream !== "string" || stream.length === 0 || typeof type !== "string" || type.length === 0)
    return undefined
  if (typeof eventId !== "string" || !isEventId(eventId)) return undefined
  const revision = counterOf(line.revision)
  const position = counterOf(line.position)
  const recordedAt = isoTimeOf(line.recordedAt)
  if (revision === undefined || position === undefined || recordedAt === undefined) return undefined
  // A line without `data` reads it as `undefined`, which `isParsedJson` (of values JSON.parse made) would pass.
  if (data === undefined || !isParsedJson(data) || !isParsedJsonObject(metadata)) return undefined
  return { streamId: stream, revision, position, eventId, type, data, metadata, recordedAt }
}

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

/** A bad line's error, quoting it safely; a line without its line break is said to be truncated. */
export const problem = (line: NumberedLine, reason: string): InvalidNdjson =>
  new InvalidNdjson({
    line: line.number,
    reason: line.terminated ? safe(reason) : `the file ends in the middle of this line (truncated): ${safe(reason)}`
  })

/** A count with its thousands grouped by commas, as `toLocaleString("en-US")` writes it. */
const grouped = (count: number): string => String(count).replace(/\B(?=(\d{3})+$)/g, ",")

// Not `toLocaleString`: its first call loads the locale's data, about 12 ms of every run of `sa-audit`.
const TOO_LONG = `the line is longer than ${grouped(MAX_LINE_LENGTH)} characters: not a line of this format`

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

/** `decodeLine` without the `Either`: this runs for every line of a history, so it is written step by step. */
export const readLine = (line: NumberedLine): RecordedEvent | InvalidNdjson => {
  if (line.tooLong === true) return problem(line, TOO_LONG)
  let json: unknown
  try {
    json = JSON.parse(line.text)
  } catch (error) {
    return problem(line, line.text.trim() === "" ? "the line is empty" : invalidJson(error))
  }
  const event = eventOf(json)
  if (event !== undefined) return event
  // Refused (or a case `eventOf` leaves to the schema): the schema decodes it, and names every problem.
  const decoded = decodeLineSchema(json)
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

// Characters `JSON.stringify` leaves as they are but that a terminal or an editor may act on, or that hide or reorder
// text: DEL and the C1 controls, format characters (bidirectional overrides and isolates, zero-width marks, tags),
// the line and paragraph separators. (It escapes the C0 controls and lone surrogates itself.)
const NON_PRINTING = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u
const NON_PRINTING_ALL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu

/** A character as JSON escapes of its UTF-16 code units (two for a character beyond the BMP). */
const jsonEscape = (character: string): string => {
  let escaped = ""
  for (let i = 0; i < character.length; i++) escaped += `\\u${character.charCodeAt(i).toString(16).padStart(4, "0")}`
  return escaped
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

/**
 * Writes one event line, without its line break. Every character that does not print is written as a `\uXXXX`
 * escape: such a character can only stand inside a JSON string, where the escape means the same character, so the
 * line reads back to the very same values (and digests) — and a file viewed with `cat` or `less` cannot act on the
 * terminal, nor show text in another order than it holds.
 *
 * @since 0.1.0
 * @category encoding
 */
export const encodeLine = (event: RecordedEvent): string => {
  const json = JSON.stringify({
    stream: event.streamId,
    revision: String(event.revision),
    position: String(event.position),
    eventId: event.eventId,
    type: event.type,
    data: event.data,
    metadata: event.metadata,
    recordedAt: event.recordedAt.toISOString()
  })
  return NON_PRINTING.test(json) ? json.replace(NON_PRINTING_ALL, jsonEscape) : json
}
