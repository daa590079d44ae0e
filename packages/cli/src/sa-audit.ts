/**
 * The `sa-audit` program, which the executable (`bin.ts`) runs.
 */
import { format } from "node:util"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer, Logger, LogLevel } from "effect"
import { main } from "./Cli.js"
import { ExitCode } from "./Errors.js"

// The heap flag an audit runs with is set by the executable (bin.ts), before this program is compiled.

// A reader that stops reading (`sa-audit … | head`) closes the pipe: that ends the command, quietly and with exit 0
// (exit 1 means findings). Node reports the closed pipe as an EPIPE error on the stream.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error
    process.exit(ExitCode.ok)
  })
}

// Colour (only in the help) on a terminal, and never when NO_COLOR is set to anything (https://no-color.org).
const noColour = (process.env.NO_COLOR ?? "") !== ""
const colour = {
  stdout: !noColour && process.stdout.isTTY === true,
  stderr: !noColour && process.stderr.isTTY === true
}

// Standard output written to a pipe is written asynchronously: what the reader has not taken yet waits in memory.
// A large output (a replay's audit trail) would pile up there, so each line printed waits until the pipe has taken
// what was written before it (writes to a file or a terminal are synchronous, and never wait).
const written = (text: string): Effect.Effect<void> =>
  Effect.async<void>((resume) => {
    if (process.stdout.write(`${text}\n`)) resume(Effect.void)
    else process.stdout.once("drain", () => resume(Effect.void))
  })

const program = Console.consoleWith((console) =>
  Effect.withConsole(main(process.argv, { colour }), { ...console, log: (...items) => written(format(...items)) })
).pipe(
  Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer)),
  // Logs are for operators of a service, not for an audit's output: only warnings, and on standard error.
  Logger.withMinimumLogLevel(LogLevel.Warning),
  Effect.provide(Logger.replace(Logger.defaultLogger, Logger.withConsoleError(Logger.logfmtLogger)))
)

Effect.runPromise(program).then(
  (code) => {
    process.exitCode = code
  },
  (error: unknown) => {
    console.error("sa-audit: unexpected failure", error)
    process.exitCode = ExitCode.internal
  }
)
