/**
 * The hostile-file corpus (`hostile.ts`) through every reading command: each file is refused or reported, and
 * nothing the command prints holds a raw control character or any part of a token.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { goldenKeyPath } from "./helpers.js"
import { hostileFiles, unsafeIn } from "./hostile.js"
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
  ["export"]
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
          // A message quotes at most a short prefix of a line.
          for (const line of result.stderr.split("\n")) expect(line.length, label).toBeLessThan(2100)
        }
      })
    )
  }
})
