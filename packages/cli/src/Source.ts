/**
 * Where a history comes from: an NDJSON file or an EventStoreDB (or KurrentDB) server. Either way it is read as a stream, in
 * position order, with a progress bar on a terminal, and can be read again (verification may need two passes).
 *
 * @example
 * ```ts
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import { Content, Source } from "@service-accounts/cli"
 * import { Effect, Stream } from "effect"
 *
 * // A history file's events, each checked as `sa-audit` checks it: a bad one fails the read, naming its line
 * // (`InvalidFile`); a missing file is a `FileProblem`.
 * const countEvents = (path: string) =>
 *   Effect.gen(function* () {
 *     const source = yield* Source.openFile(path)
 *     return yield* Stream.runCount(source.events({ check: Content.problem, label: "counting" }))
 *   }).pipe(Effect.provide(NodeContext.layer))
 *
 * Source.describeConnection("esdb://admin:changeit@db.example.com:2113?tls=true") // "esdb://db.example.com:2113"
 * ```
 *
 * @since 0.1.0
 */
import { readSync } from "node:fs"
import { StringDecoder } from "node:string_decoder"
import * as FileSystem from "@effect/platform/FileSystem"
import type { PlatformError } from "@effect/platform/Error"
import {
  EventStore,
  type EventStoreUnavailable,
  Ndjson,
  type ReadError,
  type RecordedEvent
} from "@service-accounts/domain"
import type * as EventStoreDB from "@service-accounts/store-eventstoredb"
import type * as KurrentDB from "@service-accounts/store-kurrentdb"
import { Chunk, Context, Effect, Either, Layer, Option, Redacted, type Scope, Stream } from "effect"
import { FileProblem, InvalidFile, UnreadableEvent } from "./Errors.js"
import { isSystemEvent } from "./HistoryTransfer.js"
import * as Progress from "./Progress.js"

/**
 * A source as given on the command line.
 *
 * @since 0.1.0
 * @category models
 */
export type Source =
  | { readonly _tag: "File"; readonly path: string }
  | { readonly _tag: "EventStoreDB"; readonly connectionString: Redacted.Redacted<string> }

/**
 * A connection string the adapter cannot read (the EventStoreDB or the KurrentDB adapter's, both tagged
 * `InvalidConnectionString`).
 *
 * @since 0.3.0
 * @category errors
 */
export type InvalidConnectionString = EventStoreDB.InvalidConnectionString | KurrentDB.InvalidConnectionString

/**
 * Everything reading a source may fail with.
 *
 * @since 0.1.0
 * @category errors
 */
export type SourceError = InvalidFile | FileProblem | UnreadableEvent | ReadError | InvalidConnectionString

/**
 * @since 0.1.0
 * @category models
 */
export interface ReadOptions {
  /**
   * Checks each event's content (`Content.problem`, or a `Content.checker`'s check); a problem fails the read,
   * naming the line. Absent only for tamper verification, which judges bytes.
   */
  readonly check?: ((event: RecordedEvent) => string | undefined) | undefined
  /** What the progress bar says. */
  readonly label: string
}

/**
 * An opened source.
 *
 * @since 0.1.0
 * @category models
 */
export interface OpenedSource {
  /** For messages: the file's path, or the server without credentials. */
  readonly description: string
  /** The history; each run reads it again from the start. */
  readonly events: (options: ReadOptions) => Stream.Stream<RecordedEvent, SourceError>
  /**
   * The history, each chunk of events given to `f` in the step that read it; the stream holds what `f` makes of
   * them. What a command that folds the whole history uses: an event is decoded, used and dropped within one step
   * (from a file, every 64 KiB), never held by a stream.
   *
   * @since 0.3.0
   */
  readonly mapChunks: <B, E>(
    options: ReadOptions,
    f: (events: ReadonlyArray<RecordedEvent>) => Either.Either<ReadonlyArray<B>, E>
  ) => Stream.Stream<B, SourceError | E>
}

const fileProblem = (path: string) => (error: PlatformError) =>
  new FileProblem({
    path,
    reason:
      error._tag === "SystemError" && error.reason === "NotFound"
        ? "no such file"
        : error._tag === "SystemError" && error.reason === "PermissionDenied"
          ? "permission denied"
          : error.message
  })

/**
 * A decoder of UTF-8 text read a piece at a time (`undefined`: the end), giving what `TextDecoder` gives: a character
 * split between two pieces kept whole, an invalid sequence as U+FFFD, a byte-order mark at the start dropped. A
 * `StringDecoder` does it several times quicker than a streaming `TextDecoder`.
 */
const utf8 = (): ((bytes: Uint8Array | undefined) => string) => {
  const decoder = new StringDecoder("utf8")
  let atStart = true
  return (bytes) => {
    const text = bytes === undefined ? decoder.end() : decoder.write(bytes)
    if (!atStart || text === "") return text
    atStart = false
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text
  }
}

/**
 * How much of a file is read at a time. Larger reads are fewer, but what they hold (lines, parsed events) is still
 * alive at the young generation's next collection, which then copies it: 64 KiB keeps that small.
 */
const READ_SIZE = 1 << 16

/** Reads the next bytes of an open file into `buffer`: how many (0 at the end), or why they cannot be read. */
const readChunk = (fd: number, buffer: Uint8Array, path: string): number | FileProblem => {
  try {
    return readSync(fd, buffer, 0, READ_SIZE, null)
  } catch (error) {
    const reason = error instanceof Error && "code" in error ? String(error.code) : String(error)
    return new FileProblem({ path, reason: `cannot be read (${reason})` })
  }
}

/**
 * The text of a file as a stream of chunks, with a callback for the bytes read so far. The file is opened through
 * `FileSystem` and read 64 KiB at a time into one buffer, synchronously: a command reads one file from start to end
 * with nothing to do meanwhile, and an asynchronous read (a trip through Node's thread pool and the fiber's
 * scheduler) cost several times what decoding the chunk costs. The text is decoded as UTF-8 (see `utf8`).
 *
 * @since 0.1.0
 * @category files
 */
export const fileText = (
  path: string,
  onBytes: (bytes: number) => void = () => undefined
): Stream.Stream<string, FileProblem, FileSystem.FileSystem> =>
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const fs = yield* FileSystem.FileSystem
      const file = yield* Effect.mapError(fs.open(path, { flag: "r" }), fileProblem(path))
      const buffer = new Uint8Array(READ_SIZE)
      const decode = utf8()
      let bytes = 0
      let ended = false
      const next = Effect.suspend((): Effect.Effect<Chunk.Chunk<string>, Option.Option<FileProblem>> => {
        if (ended) return Effect.fail(Option.none())
        const read = readChunk(file.fd, buffer, path)
        if (typeof read !== "number") return Effect.fail(Option.some(read))
        bytes += read
        onBytes(bytes)
        if (read === 0) ended = true
        return Effect.succeed(Chunk.of(decode(ended ? undefined : buffer.subarray(0, read))))
      })
      return Stream.repeatEffectChunkOption(next).pipe(Stream.filter((text) => text !== ""))
    })
  )

/** Counts events for the progress bar, a chunk at a time. */
const withProgress = <E, R>(
  events: Stream.Stream<RecordedEvent, E, R>,
  progress: Progress.Progress,
  done: (event: RecordedEvent) => number | undefined
): Stream.Stream<RecordedEvent, E, R> =>
  Stream.suspend(() => {
    let count = 0
    return events.pipe(
      Stream.mapChunks((chunk) => {
        count += Chunk.size(chunk)
        const last = Chunk.last(chunk)
        if (Option.isSome(last)) progress.update(done(last.value) ?? 0, count)
        return chunk
      }),
      Stream.ensuring(Effect.sync(progress.finish))
    )
  })

/**
 * Opens an NDJSON file: it must exist and be a file; it is read when the events are.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openFile = (path: string): Effect.Effect<OpenedSource, FileProblem, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.mapError(fs.stat(path), fileProblem(path))
    if (info.type !== "File") return yield* new FileProblem({ path, reason: "is not a file" })
    const size = Number(info.size)
    const mapChunks = <B, E>(
      options: ReadOptions,
      f: (events: ReadonlyArray<RecordedEvent>) => Either.Either<ReadonlyArray<B>, E>
    ): Stream.Stream<B, SourceError | E> => fileChunks(fs, path, size, options, f)
    return {
      description: path,
      events: (options) => mapChunks(options, Either.right),
      mapChunks
    }
  })

/**
 * A file's history, read 64 KiB at a time (as `fileText`) into an `Ndjson.Reader`; `f` takes the events of each read
 * in the same step. At a bad line, the events before it are given to `f`, and the stream fails when pulled again.
 */
const fileChunks = <B, E>(
  fs: FileSystem.FileSystem,
  path: string,
  size: number,
  options: ReadOptions,
  f: (events: ReadonlyArray<RecordedEvent>) => Either.Either<ReadonlyArray<B>, E>
): Stream.Stream<B, SourceError | E> =>
  // The file system is the one `openFile` was given: nothing is provided to each read (which would cost a change of
  // the fiber's context per read).
  Stream.unwrapScoped(
    Effect.gen(function* () {
      const file = yield* Effect.mapError(fs.open(path, { flag: "r" }), fileProblem(path))
      const reader = new Ndjson.Reader(options.check === undefined ? {} : { check: options.check })
      const progress = Progress.make(options.label, size)
      const buffer = new Uint8Array(READ_SIZE)
      const decode = utf8()
      let bytes = 0
      let count = 0
      let ended = false
      const next = Effect.suspend((): Effect.Effect<Chunk.Chunk<B>, Option.Option<SourceError | E>> => {
        const failure = reader.failure
        if (failure !== undefined) return Effect.fail(Option.some(invalidFile(path, failure)))
        if (ended) return Effect.fail(Option.none())
        const read = readChunk(file.fd, buffer, path)
        if (typeof read !== "number") return Effect.fail(Option.some(read))
        bytes += read
        if (read === 0) ended = true
        const text = decode(ended ? undefined : buffer.subarray(0, read))
        const events = ended ? [...reader.push(text), ...reader.end()] : reader.push(text)
        count += events.length
        progress.update(bytes, count)
        const made = f(events)
        return Either.isLeft(made)
          ? Effect.fail(Option.some(made.left))
          : Effect.succeed(Chunk.unsafeFromArray(made.right))
      })
      return Stream.repeatEffectChunkOption(next).pipe(Stream.ensuring(Effect.sync(progress.finish)))
    })
  )

const invalidFile = (path: string, error: Ndjson.InvalidNdjson): InvalidFile =>
  new InvalidFile({ path, reason: error.reason, ...(error.line === undefined ? {} : { line: error.line }) })

/**
 * The connection string without credentials or options, for messages: what follows its last `@` (a password comes
 * before an `@`), up to its options. The commands use the adapter's own `describeConnection` (`describeEventStoreDB`).
 *
 * @since 0.1.0
 * @category utils
 */
export const describeConnection = (connectionString: string): string => {
  const scheme = /^([a-z+]+):\/\//.exec(connectionString)
  const servers = (connectionString.split("@").pop() ?? "").replace(/^[a-z+]+:\/\//, "").replace(/[?].*$/, "")
  return scheme !== null && /^[A-Za-z0-9.:,[\]_-]+\/?$/.test(servers)
    ? `${scheme[1]}://${servers}`
    : "an EventStoreDB server"
}

/**
 * The schemes of `@kurrent/kurrentdb-client`, which `esdb://` is not among: `esdb://` keeps the EventStoreDB adapter
 * it always had.
 */
const KURRENTDB_SCHEME = /^\s*(kurrentdb|kurrent|kdb)(\+discover)?:\/\//

/**
 * Which adapter a connection string is for: `kurrentdb://`, `kurrent://` and `kdb://` (each also `+discover`) are the
 * KurrentDB adapter's (`@service-accounts/store-kurrentdb`), `esdb://` the EventStoreDB adapter's.
 *
 * @since 0.3.0
 * @category utils
 */
export const adapterFor = (connectionString: Redacted.Redacted<string>): "kurrentdb" | "eventstoredb" =>
  KURRENTDB_SCHEME.test(Redacted.value(connectionString)) ? "kurrentdb" : "eventstoredb"

/** What the commands use of either adapter. */
interface Adapter {
  readonly describeConnection: (connectionString: Redacted.Redacted<string>) => string
  readonly layer: (options: {
    readonly connectionString: Redacted.Redacted<string>
  }) => Layer.Layer<EventStore, InvalidConnectionString>
}

/**
 * The adapter for a connection string, loaded only when a command uses a server (a file reads fast), and only that
 * one: the two adapters' clients break each other's appends in one process.
 */
const adapter = (connectionString: Redacted.Redacted<string>): Effect.Effect<Adapter> =>
  adapterFor(connectionString) === "kurrentdb"
    ? Effect.promise(() => import("@service-accounts/store-kurrentdb"))
    : Effect.promise(() => import("@service-accounts/store-eventstoredb"))

/**
 * The servers a connection string names, as the adapter reads it: never its credentials or options.
 *
 * @since 0.3.0
 * @category utils
 */
export const describeEventStoreDB = (connectionString: Redacted.Redacted<string>): Effect.Effect<string> =>
  Effect.map(adapter(connectionString), (loaded) => loaded.describeConnection(connectionString))

/**
 * The layer of the adapter for the connection string (`adapterFor`): the KurrentDB adapter for `kurrentdb://` and
 * its other schemes, the EventStoreDB adapter for `esdb://`. The adapter (and its gRPC client) is loaded only when a
 * command uses a server, so reading a file starts fast.
 *
 * @since 0.1.0
 * @category constructors
 */
export const eventStoreDBLayer = (
  connectionString: Redacted.Redacted<string>
): Layer.Layer<EventStore, InvalidConnectionString> =>
  Layer.unwrapEffect(Effect.map(adapter(connectionString), (loaded) => loaded.layer({ connectionString })))

/**
 * Connects to EventStoreDB (the connection opens on the first read) for the lifetime of the scope.
 *
 * @since 0.1.0
 * @category constructors
 */
export const openEventStoreDB = (
  connectionString: Redacted.Redacted<string>
): Effect.Effect<OpenedSource, InvalidConnectionString, Scope.Scope> =>
  Effect.gen(function* () {
    const context = yield* Layer.build(eventStoreDBLayer(connectionString))
    const store = Context.get(context, EventStore)
    const events = (options: ReadOptions): Stream.Stream<RecordedEvent, SourceError> =>
      Stream.unwrap(
        Effect.gen(function* () {
          const last = yield* Stream.runHead(store.readAll({ direction: "backwards", maxCount: 1 }))
          const total = Option.match(last, { onNone: () => undefined, onSome: (event) => Number(event.position) })
          const events = Stream.filter(store.readAll(), (event) => !isSystemEvent(event)).pipe(
            Stream.mapEffect((event) => {
              const reason = options.check?.(event)
              return reason === undefined
                ? Either.right(event)
                : Either.left(
                    new UnreadableEvent({
                      streamId: event.streamId,
                      revision: event.revision,
                      position: event.position,
                      reason
                    })
                  )
            })
          )
          return withProgress(events, Progress.make(options.label, total), (event) => Number(event.position))
        })
      )
    const mapChunks = <B, E>(
      options: ReadOptions,
      f: (events: ReadonlyArray<RecordedEvent>) => Either.Either<ReadonlyArray<B>, E>
    ): Stream.Stream<B, SourceError | E> =>
      Stream.mapChunksEffect(events(options), (chunk) =>
        Either.match(f(Chunk.toReadonlyArray(chunk)), {
          onLeft: Effect.fail,
          onRight: (made) => Effect.succeed(Chunk.unsafeFromArray(made))
        })
      )
    return { description: yield* describeEventStoreDB(connectionString), events, mapChunks }
  })

/**
 * Whether an error means the server could not be reached.
 *
 * @since 0.1.0
 * @category utils
 */
export const isUnavailable = (error: unknown): error is EventStoreUnavailable =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "EventStoreUnavailable"
