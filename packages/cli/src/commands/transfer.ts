/**
 * `sa-audit export` and `sa-audit import`: NDJSON out of a source, into EventStoreDB.
 */
import { Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import * as NodeSink from "@effect/platform-node/NodeSink"
import { type AppendError, Ndjson, type ReadError, type RecordedEvent, Token } from "@service-accounts/domain"
import { Console, Effect, Option, type Redacted, Stream } from "effect"
import * as Content from "../Content.js"
import { FileProblem, UsageError } from "../Errors.js"
import { importHistory, type InvalidHistory, type TargetNotEmpty } from "../HistoryTransfer.js"
import * as Progress from "../Progress.js"
import { describeEventStoreDB, eventStoreDBLayer, fileText, type InvalidConnectionString } from "../Source.js"
import { eventstoredb, openSource, sourceOptions } from "./shared.js"

const out = Options.file("out").pipe(
  Options.withPseudoName("<file>"),
  Options.withDescription("Write the export to this file (default: standard output)."),
  Options.optional
)

/** Writes text to standard output, waiting when the pipe is full. */
const stdout = NodeSink.fromWritable(
  () => process.stdout,
  (error) => new FileProblem({ path: "(standard output)", reason: String(error) }),
  { endOnDone: false }
)

/**
 * Why an event is not exported: what `Content.problem` finds, or a token value anywhere in it (its stream, type,
 * data or metadata). A history written through the library holds none; one that does was written around it, and an
 * export — a file that is copied, mailed and kept — must not carry the secret further. The reason names no part of
 * the value.
 */
const exportProblem = (event: RecordedEvent): string | undefined => {
  const problem = Content.problem(event)
  if (problem !== undefined) return problem
  const line = Ndjson.encodeLine(event)
  return line.includes(Token.TOKEN_PREFIX) && Token.findTokens(line).length > 0
    ? "it holds a token value, which an export never copies: revoke that token, and remove or redact the event at its source"
    : undefined
}

/** `export`: the history, re-encoded, to a file (written next to it, then renamed) or to standard output. */
export const exportCommand = Command.make("export", { ...sourceOptions, out }, (options) =>
  Effect.gen(function* () {
    const source = yield* openSource(options)
    const text = Ndjson.encode(source.events({ check: exportProblem, label: "exporting" }))
    if (Option.isNone(options.out)) return yield* Stream.run(text, stdout)
    const path = options.out.value
    const fs = yield* FileSystem.FileSystem
    const partial = `${path}.partial`
    const problem = (error: { readonly message: string }) => new FileProblem({ path, reason: error.message })
    yield* text.pipe(
      Stream.encodeText,
      Stream.run(fs.sink(partial)),
      Effect.mapError((e) => (e._tag === "SystemError" || e._tag === "BadArgument" ? problem(e) : e)),
      // A failed export leaves no file behind: neither the one asked for nor what was written of it.
      Effect.onError(() => Effect.ignore(fs.remove(partial)))
    )
    yield* Effect.mapError(fs.rename(partial, path), problem)
    yield* Console.error(`Exported the history of ${source.description} to ${path}.`)
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Export the history as NDJSON (the format of docs/auditing.md)."))

const file = Options.file("file").pipe(
  Options.withPseudoName("<history.ndjson>"),
  Options.withDescription("The NDJSON file to import.")
)

const force = Options.boolean("force").pipe(
  Options.withDescription("Append to streams that already hold events, instead of refusing.")
)

const target = eventstoredb.pipe(
  Options.withDescription(
    "The EventStoreDB or KurrentDB server to import into (kurrentdb://host:port?tls=false or esdb://…)."
  )
)

interface ImportOptions {
  readonly file: string
  readonly eventstoredb: Option.Option<Redacted.Redacted<string>>
  readonly force: boolean
}

type ImportError =
  | UsageError
  | FileProblem
  | InvalidHistory
  | TargetNotEmpty
  | Ndjson.InvalidNdjson
  | ReadError
  | AppendError
  | InvalidConnectionString

const runImport = (options: ImportOptions): Effect.Effect<void, ImportError, FileSystem.FileSystem> =>
  Effect.gen(function* () {
    const connectionString = yield* Option.match(options.eventstoredb, {
      onNone: () =>
        Effect.fail(
          new UsageError({ reason: "give the server to import into with --eventstoredb <connection string>" })
        ),
      onSome: Effect.succeed
    })
    const fs = yield* FileSystem.FileSystem
    const info = yield* Effect.mapError(
      fs.stat(options.file),
      (error) =>
        new FileProblem({
          path: options.file,
          reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message
        })
    )
    const chunks = Stream.suspend(() => {
      const progress = Progress.make("importing", Number(info.size))
      return fileText(options.file, (bytes) => progress.update(bytes, 0)).pipe(
        Stream.ensuring(Effect.sync(progress.finish))
      )
    })
    const summary = yield* importHistory(chunks, { force: options.force }).pipe(
      Effect.provide(eventStoreDBLayer(connectionString))
    )
    const target = yield* describeEventStoreDB(connectionString)
    yield* Console.log(
      `Imported ${summary.events} event(s) of ${summary.streams} stream(s) into ${target} in ${summary.appends} append(s).`
    )
  })

/** `import`: validates the whole file, then appends it to EventStoreDB. */
export const importCommand: Command.Command<"import", FileSystem.FileSystem, ImportError, ImportOptions> = Command.make(
  "import",
  { file, eventstoredb: target, force },
  runImport
).pipe(
  Command.withDescription(
    "Import an NDJSON history into EventStoreDB: every line is validated first, and nothing is imported if one is bad."
  )
)
