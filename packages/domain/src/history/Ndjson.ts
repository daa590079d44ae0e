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
import { Chunk, Effect, Stream } from "effect"
import type { RecordedEvent } from "../store/EventStore.js"
import {
  decodeHeader,
  decodeLine,
  EventLine,
  encodeLine,
  FORMAT,
  Header,
  HEADER_LINE,
  InvalidNdjson,
  JsonValue,
  problem,
  readLine,
  VERSION
} from "./eventLine.js"
import { LineCutter, MAX_LINE_LENGTH, type NumberedLine, splitLines } from "./lines.js"

export {
  decodeHeader,
  decodeLine,
  EventLine,
  encodeLine,
  FORMAT,
  Header,
  HEADER_LINE,
  InvalidNdjson,
  JsonValue,
  MAX_LINE_LENGTH,
  type NumberedLine,
  splitLines,
  VERSION
}

/**
 * What a reader may refuse besides malformed lines: `check` gives the reason an event is not acceptable to the
 * caller (reported with its line), or `undefined`.
 *
 * @since 0.3.0
 * @category models
 */
export interface ReadOptions {
  readonly check?: ((event: RecordedEvent) => string | undefined) | undefined
}

/** The header, then each event line: the state of reading one history, line by line. */
class LineReader {
  private seenHeader = false
  failure: InvalidNdjson | undefined
  constructor(private readonly check: ((event: RecordedEvent) => string | undefined) | undefined) {}

  /** The line's event; `undefined` for the header, and for a bad line, which sets `failure`. */
  read(line: NumberedLine): RecordedEvent | undefined {
    if (!this.seenHeader) {
      this.seenHeader = true
      const header = decodeHeader(line)
      if (header._tag === "Left") this.failure = header.left
      return undefined
    }
    const read = readLine(line)
    if (read instanceof InvalidNdjson) {
      this.failure = read
      return undefined
    }
    const reason = this.check?.(read)
    if (reason === undefined) return read
    this.failure = problem(line, reason)
    return undefined
  }

  /** The text has ended: one without even a header is not a history. */
  end(): void {
    if (!this.seenHeader && this.failure === undefined) {
      this.failure = new InvalidNdjson({ reason: `the file is empty: a history starts with the header ${HEADER_LINE}` })
    }
  }
}

/**
 * Reads a history from text that arrives in pieces, synchronously (`decode` does the same over a stream): `push`
 * gives the events of the lines a piece of text completes, `end` the last one's once the text has ended. The header
 * is checked, then each event line is decoded; the first bad line (or, at the end, a text without a header) sets
 * `failure`, after which nothing more is read: the events before it have been given. For a caller that reads a file
 * itself and uses each event in the step that read it, rather than passing every event through a stream.
 *
 * @example
 * ```ts
 * import { Ndjson } from "@service-accounts/domain"
 *
 * const reader = new Ndjson.Reader()
 * const events = [...reader.push(`${Ndjson.HEADER_LINE}\n{"stream":`), ...reader.push('"a"}\n'), ...reader.end()]
 * reader.failure?.line // 2: the first bad line (its event has no revision, position, …)
 * ```
 *
 * @since 0.3.0
 * @category decoding
 */
export class Reader {
  private readonly cutter = new LineCutter()
  private readonly lines: LineReader
  private out: Array<RecordedEvent> = []
  private readonly onLine = (line: NumberedLine): void => {
    if (this.lines.failure !== undefined) return
    const event = this.lines.read(line)
    if (event !== undefined) this.out.push(event)
  }

  constructor(options: ReadOptions = {}) {
    this.lines = new LineReader(options.check)
  }

  /** The first bad line's error (or the empty text's): once set, the rest of the text is ignored. */
  get failure(): InvalidNdjson | undefined {
    return this.lines.failure
  }

  /** The events of the lines `text` completes, up to the first bad one. */
  push(text: string): Array<RecordedEvent> {
    if (this.lines.failure === undefined) this.cutter.push(text, this.onLine)
    return this.take()
  }

  /** The text has ended: the event of its last line if no line break ended it. */
  end(): Array<RecordedEvent> {
    if (this.lines.failure === undefined) this.cutter.end(this.onLine)
    this.lines.end()
    return this.take()
  }

  private take(): Array<RecordedEvent> {
    const events = this.out
    this.out = []
    return events
  }
}

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
  options?: ReadOptions
): Stream.Stream<NumberedEvent, E | InvalidNdjson, R> =>
  readLines(lines, options, (line, event) => ({ line: line.number, event }))

/** `decodeLines`, giving what `wrap` makes of each line and its event. */
const readLines = <A, E, R>(
  lines: Stream.Stream<NumberedLine, E, R>,
  options: ReadOptions | undefined,
  wrap: (line: NumberedLine, event: RecordedEvent) => A
): Stream.Stream<A, E | InvalidNdjson, R> =>
  Stream.suspend(() => {
    const reader = new LineReader(options?.check)
    // A chunk of lines at a time, synchronously (a step of the stream per line would cost more than decoding it).
    // At a bad line the lines before it are delivered, and the stream fails when it is pulled again.
    const events = Stream.mapChunksEffect(lines, (chunk) => {
      if (reader.failure !== undefined) return Effect.fail(reader.failure)
      const out: Array<A> = []
      for (const line of chunk) {
        const event = reader.read(line)
        if (event !== undefined) out.push(wrap(line, event))
        if (reader.failure !== undefined) break
      }
      return reader.failure !== undefined && out.length === 0
        ? Effect.fail(reader.failure)
        : Effect.succeed(Chunk.unsafeFromArray(out))
    })
    const end = Stream.suspend(() => {
      reader.end()
      return reader.failure === undefined ? Stream.empty : Stream.fail(reader.failure)
    })
    return Stream.concat(events, end)
  })

/**
 * Reads a history from text chunks (what `splitLines` then `decodeLines` do, in one step per chunk: a `Reader`),
 * giving the recorded events.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decode = <E, R>(
  chunks: Stream.Stream<string, E, R>,
  options?: ReadOptions
): Stream.Stream<RecordedEvent, E | InvalidNdjson, R> =>
  Stream.suspend(() => {
    const reader = new Reader(options)
    // At a bad line the events before it are delivered, and the stream fails when it is pulled again.
    const events = Stream.mapChunksEffect(chunks, (texts) => {
      if (reader.failure !== undefined) return Effect.fail(reader.failure)
      const out: Array<RecordedEvent> = []
      for (const text of texts) {
        for (const event of reader.push(text)) out.push(event)
        if (reader.failure !== undefined) break
      }
      return reader.failure !== undefined && out.length === 0
        ? Effect.fail(reader.failure)
        : Effect.succeed(Chunk.unsafeFromArray(out))
    })
    const rest = Stream.suspend(() => {
      const last = reader.end()
      const failed = reader.failure === undefined ? Stream.empty : Stream.fail(reader.failure)
      return last.length === 0 ? failed : Stream.concat(Stream.fromIterable(last), failed)
    })
    return Stream.concat(events, rest)
  })

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
export const decodeText = (text: string, options?: ReadOptions): Stream.Stream<RecordedEvent, InvalidNdjson> =>
  decode(Stream.make(text), options)
