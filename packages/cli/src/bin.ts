/**
 * The `sa-audit` executable.
 */
import * as NodeContext from "@effect/platform-node/NodeContext"
import { Effect, Logger, LogLevel } from "effect"
import { main } from "./Cli.js"

const program = main(process.argv).pipe(
  Effect.provide(NodeContext.layer),
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
    process.exitCode = 70
  }
)
