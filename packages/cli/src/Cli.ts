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
import { Token } from "@service-accounts/domain"
import { Cause, Console, Effect, FiberRef } from "effect"
import { asOf } from "./commands/asOf.js"
import { check } from "./commands/check.js"
import { replay } from "./commands/replay.js"
import { token } from "./commands/token.js"
import { exportCommand, importCommand } from "./commands/transfer.js"
import { usage } from "./commands/usage.js"
import { verify } from "./commands/verify.js"
import { ExitCode } from "./Errors.js"

/**
 * The version `sa-audit --version` prints.
 *
 * @since 0.1.0
 * @category constants
 */
export const VERSION = "0.1.0"

/** The console the commands print with: the caller's own (`main` gives the command-line library another one). */
const commandConsole = FiberRef.unsafeMake<Console.Console | undefined>(undefined)

const ownConsole = <E, R>(effect: Effect.Effect<void, E, R>): Effect.Effect<void, E, R> =>
  Effect.flatMap(FiberRef.get(commandConsole), (console) =>
    console === undefined ? effect : Effect.withConsole(effect, console)
  )

/** The root command with its subcommands. */
const command = Command.make("sa-audit").pipe(
  Command.withDescription(
    "Audit a service-accounts history: replay it, ask what held at a time, trace a token, check invariants, verify tamper evidence, report usage, export and import NDJSON."
  ),
  Command.withSubcommands([
    Command.transformHandler(replay, ownConsole),
    Command.transformHandler(asOf, ownConsole),
    Command.transformHandler(token, ownConsole),
    Command.transformHandler(check, ownConsole),
    Command.transformHandler(verify, ownConsole),
    Command.transformHandler(usage, ownConsole),
    Command.transformHandler(exportCommand, ownConsole),
    Command.transformHandler(importCommand, ownConsole)
  ])
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

// biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes the command-line library writes
const COLOUR = /\u001b\[[0-9;]*m/g

/** Text without colour codes and without the blank lines the command-line library ends it with. */
const plain = (text: string): string => text.replace(COLOUR, "").replace(/\s+$/, "")

/**
 * An error as `sa-audit` prints it: `sa-audit: ` and the message, its further lines indented, every line quoted with
 * `Token.quoteSafely` (a message may quote input: a path, an argument, a line of a file).
 */
const errorText = (message: string): string =>
  `sa-audit: ${message
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line, i) => `${i === 0 ? "" : "  "}${Token.quoteSafely(i === 0 ? line : line.trim(), 2000)}`)
    .join("\n")}`

/**
 * How `main` prints.
 *
 * @since 0.3.0
 * @category models
 */
export interface MainOptions {
  /**
   * Whether the help may be in colour, for standard output and standard error. The executable allows it only on a
   * terminal, and never with `NO_COLOR` set. Default: no colour.
   */
  readonly colour?: { readonly stdout: boolean; readonly stderr: boolean }
}

// The usage line of a command's help: the command-line library writes it as `$ replay …`, without the executable.
// biome-ignore lint/suspicious/noControlCharactersInRegex: the colour codes around the `$`
const USAGE_LINE = /^((?:\u001b\[[0-9;]*m)*\$ (?:\u001b\[[0-9;]*m)*)(?!sa-audit\b)(?=\S)/gm

/** The help's usage line as a reader types it: `$ sa-audit replay …`. */
const fullUsage = (text: string): string =>
  text.includes("USAGE") ? text.replace(USAGE_LINE, (prompt: string) => `${prompt}sa-audit `) : text

/**
 * The console the command-line library prints with: help in colour only if allowed (and each command's usage line
 * with the executable's name), each error as `sa-audit: …`.
 */
const libraryConsole = (console: Console.Console, options: MainOptions): Console.Console => {
  const text = (items: ReadonlyArray<unknown>) => fullUsage(items.map(String).join(" "))
  const out = (items: ReadonlyArray<unknown>) =>
    options.colour?.stdout === true ? text(items).replace(/\s+$/, "") : plain(text(items))
  return {
    ...console,
    log: (...items) => console.log(out(items)),
    error: (...items) => console.error(errorText(plain(text(items)))),
    unsafe: {
      ...console.unsafe,
      log: (...items) => console.unsafe.log(out(items)),
      error: (...items) => console.unsafe.error(errorText(plain(text(items))))
    }
  }
}

/**
 * Runs `sa-audit` with the process's arguments (`process.argv`: the first two are skipped) and answers the exit
 * code. Output goes to the `Console`: results to standard output, errors to standard error, each error (argument
 * errors included) as one `sa-audit: …` message naming what is wrong (the line, the event, the server), with any
 * input it quotes escaped and without token values.
 *
 * @since 0.1.0
 * @category running
 */
export const main = (
  argv: ReadonlyArray<string>,
  options: MainOptions = {}
): Effect.Effect<number, never, CliApp.Environment> =>
  Effect.flatMap(Console.consoleWith(Effect.succeed), (console) =>
    cli(argv).pipe(
      Effect.withConsole(libraryConsole(console, options)),
      Effect.locally(commandConsole, console),
      Effect.as(ExitCode.ok),
      Effect.catchAll((error) =>
        // The command-line library has already printed what is wrong with the arguments (through `libraryConsole`).
        ValidationError.isValidationError(error)
          ? Effect.succeed(ExitCode.badInput)
          : Effect.as(Console.error(errorText(messageOf(error))), exitCodeOf(error))
      ),
      Effect.catchAllCause((cause) =>
        Effect.as(Console.error(errorText(`unexpected failure\n${Cause.pretty(cause)}`)), ExitCode.internal)
      )
    )
  )
