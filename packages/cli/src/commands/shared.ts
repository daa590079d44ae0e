/**
 * What the commands share: the source options, `--format`, reading a history as domain events, and the error
 * that says findings were reported.
 */
import { Options } from "@effect/cli"
import type * as FileSystem from "@effect/platform/FileSystem"
import { type DomainEvent, isDirectoryStream, OrganizationId, type RecordedEvent } from "@service-accounts/domain"
import { Effect, Either, Option, type Redacted, Schema, type Scope, Stream } from "effect"
import * as Content from "../Content.js"
import { type FileProblem, UnreadableEvent, UsageError } from "../Errors.js"
import {
  type InvalidConnectionString,
  type OpenedSource,
  openEventStoreDB,
  openFile,
  type Source,
  type SourceError
} from "../Source.js"

// Only the scheme is checked here (the adapter reads the rest): esdb:// for the EventStoreDB adapter, kurrentdb://
// (kurrent://, kdb://) for the KurrentDB adapter, each also +discover. The message replaces every other
// (`override`): it never repeats the value, which may hold a password.
const ConnectionString = Schema.Redacted(
  Schema.String.pipe(Schema.pattern(/^(esdb|kurrentdb|kurrent|kdb)(\+discover)?:\/\/\S+$/))
).annotations({
  message: () => ({
    message:
      "--eventstoredb must be an EventStoreDB or KurrentDB connection string such as kurrentdb://localhost:2113?tls=false or esdb://localhost:2113?tls=false",
    override: true
  })
})

/** `--file`: an NDJSON export. */
export const file = Options.file("file").pipe(
  Options.withPseudoName("<history.ndjson>"),
  Options.withDescription("Read the history from this NDJSON export file."),
  Options.optional
)

/** `--eventstoredb`: a connection string, kept redacted from the moment it is read (it may hold a password). */
export const eventstoredb = Options.text("eventstoredb").pipe(
  Options.withPseudoName("<connection string>"),
  Options.withSchema(ConnectionString),
  Options.withDescription(
    "Read the history from this EventStoreDB or KurrentDB server (kurrentdb://host:port?tls=false or esdb://…; credentials are never shown)."
  ),
  Options.optional
)

/** The two ways to give a history. */
export const sourceOptions = { file, eventstoredb }

/** `--format table|json`. */
export const format = Options.choice("format", ["table", "json"]).pipe(
  Options.withDescription("How to print: a table for people (default) or JSON for programs."),
  Options.withDefault("table")
)

/** `--organization <id>`: only this organisation. */
export const organization = Options.text("organization").pipe(
  Options.withPseudoName("<organization id>"),
  Options.withSchema(
    OrganizationId.annotations({ message: () => "--organization must be an organisation id (printable, no spaces)" })
  ),
  Options.withDescription("Only this organisation."),
  Options.optional
)

/** Exactly one source. */
export const sourceOf = (options: {
  readonly file: Option.Option<string>
  readonly eventstoredb: Option.Option<Redacted.Redacted<string>>
}): Either.Either<Source, UsageError> => {
  if (Option.isSome(options.file) && Option.isSome(options.eventstoredb)) {
    return Either.left(new UsageError({ reason: "give either --file or --eventstoredb, not both" }))
  }
  if (Option.isSome(options.file)) return Either.right({ _tag: "File", path: options.file.value })
  if (Option.isSome(options.eventstoredb)) {
    return Either.right({ _tag: "EventStoreDB", connectionString: options.eventstoredb.value })
  }
  return Either.left(
    new UsageError({ reason: "give the history with --file <history.ndjson> or --eventstoredb <connection string>" })
  )
}

/** Opens the source given by the options, for the lifetime of the scope. */
export const openSource = (options: {
  readonly file: Option.Option<string>
  readonly eventstoredb: Option.Option<Redacted.Redacted<string>>
}): Effect.Effect<
  OpenedSource,
  UsageError | FileProblem | InvalidConnectionString,
  Scope.Scope | FileSystem.FileSystem
> =>
  Effect.gen(function* () {
    const source = yield* sourceOf(options)
    return source._tag === "File" ? yield* openFile(source.path) : yield* openEventStoreDB(source.connectionString)
  })

/** A decoding failure of an event the source had checked: unexpected, but reported as unreadable input. */
const unreadable = (event: RecordedEvent) => (error: { readonly reason: string }) =>
  new UnreadableEvent({
    streamId: event.streamId,
    revision: event.revision,
    position: event.position,
    reason: error.reason
  })

/** What a fold of the history gives each chunk: nothing for the stream to hold. */
export const NOTHING: Either.Either<ReadonlyArray<never>, never> = Either.right([])

/**
 * The directory events of a history, decoded (each once: the content check's decoding is kept), each chunk given to
 * `f` in the step that read it (`OpenedSource.mapChunks`); the stream holds what `f` makes of them.
 */
export const mapDomainChunks = <B>(
  source: OpenedSource,
  label: string,
  f: (events: ReadonlyArray<DomainEvent>) => ReadonlyArray<B>
): Stream.Stream<B, SourceError> =>
  Stream.suspend(() => {
    const content = Content.checker()
    return source.mapChunks({ check: content.check, label }, (events) => {
      const decoded: Array<DomainEvent> = []
      for (const event of events) {
        if (!isDirectoryStream(event.streamId)) continue
        const result = content.decoded(event)
        if (Either.isLeft(result)) return Either.left(unreadable(event)(result.left))
        decoded.push(result.right)
      }
      return Either.right(f(decoded))
    })
  })

/** The directory events of a history, decoded. */
export const domainEvents = (source: OpenedSource, label: string): Stream.Stream<DomainEvent, SourceError> =>
  mapDomainChunks(source, label, (events) => events)

/**
 * The history was read and the command reported findings (violations, tampering, an unknown token): the process
 * exits with 1 after printing them.
 */
export class FindingsReported extends Schema.TaggedError<FindingsReported>()("FindingsReported", {
  summary: Schema.String
}) {}
