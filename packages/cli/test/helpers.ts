/**
 * Test helpers: run `sa-audit` in-process with its console captured, and the fixture histories.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import * as NodeFileSystem from "@effect/platform-node/NodeFileSystem"
import * as NodePath from "@effect/platform-node/NodePath"
import * as NodeTerminal from "@effect/platform-node/NodeTerminal"
import { Console, Effect, Layer } from "effect"
import { Cli } from "../src/index.js"

/** The golden history of the domain's tests (a deterministic run; see scripts/golden-history.ts). */
export const goldenPath = fileURLToPath(new URL("../../domain/test/fixtures/history-v1.ndjson", import.meta.url))
export const goldenKeyPath = fileURLToPath(new URL("../../domain/test/fixtures/golden.public.pem", import.meta.url))
export const golden = readFileSync(goldenPath, "utf8")
export const goldenLines = golden.split("\n").filter((line) => line !== "")

/** A fresh temporary directory. */
export const tempDir = (): string => mkdtempSync(join(tmpdir(), "sa-audit-"))

/** Writes `text` to a new temporary file and returns its path. */
export const tempFile = (text: string, name = "history.ndjson"): string => {
  const path = join(tempDir(), name)
  writeFileSync(path, text)
  return path
}

/** The golden history with one line (1-based, the header is line 1) changed by `edit` (`undefined` removes it). */
export const edited = (lineNumber: number, edit: (line: string) => string | undefined): string =>
  `${goldenLines
    .flatMap((line, i) => {
      if (i + 1 !== lineNumber) return [line]
      const changed = edit(line)
      return changed === undefined ? [] : [changed]
    })
    .join("\n")}\n`

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Runs `sa-audit` with the arguments, capturing what it prints. */
export const sa = (...args: ReadonlyArray<string>): Effect.Effect<Run> =>
  Effect.gen(function* () {
    const stdout: Array<string> = []
    const stderr: Array<string> = []
    const text = (items: ReadonlyArray<unknown>) => items.map(String).join(" ")
    const current = yield* Console.consoleWith(Effect.succeed)
    const capture: Console.Console = {
      ...current,
      log: (...items) => Effect.sync(() => void stdout.push(text(items))),
      error: (...items) => Effect.sync(() => void stderr.push(text(items))),
      unsafe: {
        ...current.unsafe,
        log: (...items) => void stdout.push(text(items)),
        error: (...items) => void stderr.push(text(items))
      }
    }
    const code = yield* Cli.main(["node", "sa-audit", ...args]).pipe(
      Effect.withConsole(capture),
      Effect.provide(Layer.mergeAll(NodeFileSystem.layer, NodePath.layer, NodeTerminal.layer))
    )
    return { code, stdout: stdout.join("\n"), stderr: stderr.join("\n") }
  })
