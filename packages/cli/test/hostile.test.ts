/**
 * The hostile-file corpus (`hostile.ts`) through every reading command: each file is refused or reported, and
 * nothing the command prints holds a raw control character or any part of a token.
 */
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import { Effect } from "effect"
import { goldenKeyPath, tempDir } from "./helpers.js"
import { hostileFiles, RAW_CONTROL, unsafeIn } from "./hostile.js"
import { sa } from "./helpers.js"

const TOKEN_ID = "2eceb5a1-b7ad-430a-a434-63fd334c134c"

const commands: ReadonlyArray<ReadonlyArray<string>> = [
  ["replay"],
  ["replay", "--format", "json"],
  ["replay", "--view", "audit"],
  ["replay", "--view", "audit", "--format", "json"],
  ["as-of", "--position", "99"],
  ["token", TOKEN_ID],
  ["check"],
  ["check", "--format", "json"],
  ["verify"],
  ["verify", "--public-key", goldenKeyPath],
  ["verify", "--public-key", goldenKeyPath, "--format", "json"],
  ["usage"],
  ["usage", "--format", "json"],
  ["usage", "--token", TOKEN_ID, "--since", "2026-01-01"]
]

describe("sa-audit on hostile files", () => {
  for (const [what, path] of hostileFiles()) {
    it.effect(`${what}: every command refuses or reports it, quoting it safely`, () =>
      Effect.gen(function* () {
        for (const command of commands) {
          const result = yield* sa(...command, "--file", path)
          const label = `${command.join(" ")} on ${what} (exit ${result.code})`
          // Refused as unusable input (2), or read and reported (1), or, for some, read as it is (0).
          expect([0, 1, 2], label).toContain(result.code)
          expect(unsafeIn(result.stdout), `${label}, standard output`).toEqual([])
          expect(unsafeIn(result.stderr), `${label}, standard error`).toEqual([])
          if (result.code === 2) expect(result.stderr.startsWith("sa-audit: "), label).toBe(true)
          // A usage event that does not decode stops the command that reads usage.
          if (what.startsWith("a usage") && command[0] === "usage") expect(result.code, label).toBe(2)
          // A message quotes at most a short prefix of a line.
          for (const line of result.stderr.split("\n")) expect(line.length, label).toBeLessThan(2100)
        }
      })
    )

    // An export is the data itself, not a message quoting it: it may hold what the history holds (a fragment that
    // looks like the start of a token is data), but never a control character a viewer acts on, nor a token value.
    it.effect(`${what}: export writes no raw control character and no token value, or refuses and writes nothing`, () =>
      Effect.gen(function* () {
        const out = join(tempDir(), "export.ndjson")
        const result = yield* sa("export", "--file", path, "--out", out)
        const label = `export of ${what} (exit ${result.code})`
        expect([0, 2], label).toContain(result.code)
        expect(unsafeIn(result.stdout), `${label}, standard output`).toEqual([])
        expect(unsafeIn(result.stderr), `${label}, standard error`).toEqual([])
        expect(existsSync(`${out}.partial`), `${label}: the partial file`).toBe(false)
        if (result.code === 2) {
          expect(result.stderr.startsWith("sa-audit: "), label).toBe(true)
          expect(existsSync(out), `${label}: no export after a refusal`).toBe(false)
          return
        }
        const exported = readFileSync(out, "utf8")
        expect(RAW_CONTROL.exec(exported)?.[0], `${label}: a raw control character in the export`).toBeUndefined()
        expect(Token.findTokens(exported), `${label}: a token value in the export`).toEqual([])
      })
    )
  }
})
