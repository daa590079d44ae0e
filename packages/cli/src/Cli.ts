/**
 * The `sa-audit` command line: its commands, and `main`, which runs it and turns every outcome into a message
 * and an exit code (see `Errors.ExitCode`).
 *
 * @example
 * ```ts
 * import * as NodeContext from "@effect/platform-node/NodeContext"
 * import { Cli } from "@service-accounts/cli"
 * import { Effect } from "effect"
 *
 * // `sa-audit check --file history.ndjson`, in-process: the exit code comes back instead of ending the process.
 * const check = (path: string) =>
 *   Cli.main(["node", "sa-audit", "check", "--file", path]).pipe(Effect.provide(NodeContext.layer))
 *
 * Effect.runPromise(check("history.ndjson")).then((code) => console.log(`exit code ${code}`)) // 0: no violation found
 * ```
 *
 * @since 0.1.0
 */
import { Command, ValidationError } from "@effect/cli"
import type { CliApp } from "@effect/cli/CliApp"
import { Cause, Console, Effect } from "effect"
import { asOf } from "./commands/asOf.js"
import { check } from "./commands/check.js"
import { replay } from "./commands/replay.js"
import { token } from "./commands/token.js"
import { exportCommand, importCommand } from "./commands/transfer.js"
import { verify } from "./commands/verify.js"
import { ExitCode } from "./Errors.js"

/**
 * The version `sa-audit --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION = "0.1.0"

/** The root command with its subcommands. */
const command = Command.make("sa-audit").pipe(
  Command.withDescription(
    "Audit a service-accounts history: replay it, ask what held at a time, trace a token, check invariants, verify tamper evidence, export and import NDJSON."
  ),
  Command.withSubcommands([replay, asOf, token, check, verify, exportCommand, importCommand])
)

const cli = Command.run(command, { name: "sa-audit", version: VERSION })

const exitCodeOf = (error: { readonly _tag: string }): number => {
  switch (error._tag) {
    case "FindingsReported":
      return ExitCode.findings
    case "EventStoreUnavailable":
      return ExitCode.unavailable
    default:
      return ExitCode.badInput
  }
}

const messageOf = (error: unknown): string => {
  if (typeof error === "object" && error !== null && "_tag" in error) {
    if (error._tag === "EventStoreUnavailable") {
      const reason = "reason" in error ? String(error.reason) : ""
      return `cannot reach the EventStoreDB server (${reason}); check the connection string and that the server is running`
    }
    if (error._tag === "FindingsReported" && "summary" in error) return String(error.summary)
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * Runs `sa-audit` with the process's arguments (`process.argv`: the first two are skipped) and answers the exit
 * code. Output goes to the `Console`: results to standard output, errors to standard error, each error as one
 * `sa-audit: …` message naming what is wrong (the line, the event, the server).
 *
 * @since 0.1.0
 * @category running
 */
export const main = (argv: ReadonlyArray<string>): Effect.Effect<number, never, CliApp.Environment> =>
  cli(argv).pipe(
    Effect.as(ExitCode.ok),
    Effect.catchAll((error) =>
      // @effect/cli has already printed what is wrong with the arguments, with the usage.
      ValidationError.isValidationError(error)
        ? Effect.succeed(ExitCode.badInput)
        : Effect.as(Console.error(`sa-audit: ${messageOf(error)}`), exitCodeOf(error))
    ),
    Effect.catchAllCause((cause) =>
      Effect.as(Console.error(`sa-audit: unexpected failure\n${Cause.pretty(cause)}`), ExitCode.internal)
    )
  )
