/**
 * A connection string's password never shows: not in sa-audit's output or errors, not in anything the EventStoreDB
 * client prints, whatever goes wrong (an unknown option, a malformed string, a server that does not answer).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { closedPort } from "@service-accounts/eventstoredb-test-server"
import { goldenPath, sa } from "./helpers.js"

const PASSWORD = "Sup3r-S3cret-Pw"

/** Runs `sa-audit` in-process, with whatever the process prints besides (console calls, raw writes) captured too. */
const run = (...args: ReadonlyArray<string>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const printed: Array<string> = []
      const methods = ["log", "info", "warn", "error", "debug"] as const
      const saved = methods.map((name) => [name, console[name]] as const)
      for (const name of methods)
        console[name] = (...items: Array<unknown>) => void printed.push(items.map(String).join(" "))
      const writes = [process.stdout.write, process.stderr.write] as const
      const capture = ((chunk: unknown) => {
        printed.push(String(chunk))
        return true
      }) as typeof process.stdout.write
      process.stdout.write = capture
      process.stderr.write = capture
      const restore = () => {
        for (const [name, method] of saved) console[name] = method
        ;[process.stdout.write, process.stderr.write] = writes
      }
      return { printed, restore }
    }),
    ({ printed }) => Effect.map(sa(...args), (result) => ({ ...result, printed: printed.join("\n") })),
    ({ restore }) => Effect.sync(restore)
  )

describe("sa-audit and connection strings", () => {
  it.effect("an unknown option is refused by name, the password shown nowhere", () =>
    Effect.gen(function* () {
      const connection = `esdb://admin:${PASSWORD}@127.0.0.1:2113?tls=false&bogusOption=1`
      for (const command of [["verify"], ["replay"], ["export"]]) {
        const result = yield* run(...command, "--eventstoredb", connection)
        expect(result.code).toBe(2)
        expect(result.stderr).toMatch(/^sa-audit: invalid EventStoreDB connection string: unknown option "bogusOption"/)
        expect(`${result.stdout}${result.stderr}${result.printed}`).not.toContain(PASSWORD)
        expect(result.printed).toBe("")
      }
      const imported = yield* run("import", "--file", goldenPath, "--eventstoredb", connection)
      expect(imported.code).toBe(2)
      expect(`${imported.stdout}${imported.stderr}${imported.printed}`).not.toContain(PASSWORD)
    })
  )

  it.effect("a malformed string is refused without any of it", () =>
    Effect.gen(function* () {
      for (const connection of [`esdb://admin:${PASSWORD}@`, `http://admin:${PASSWORD}@localhost`]) {
        const result = yield* run("replay", "--eventstoredb", connection)
        expect(result.code).toBe(2)
        expect(`${result.stdout}${result.stderr}${result.printed}`).not.toContain(PASSWORD)
      }
    })
  )

  it.live("a server that does not answer: exit 3, and the password shown nowhere", () =>
    Effect.gen(function* () {
      const port = yield* closedPort
      const result = yield* run("verify", "--eventstoredb", `esdb://admin:${PASSWORD}@127.0.0.1:${port}?tls=false`)
      expect(result.code).toBe(3)
      expect(result.stderr).toMatch(/^sa-audit: cannot reach the EventStoreDB server/)
      expect(`${result.stdout}${result.stderr}${result.printed}`).not.toContain(PASSWORD)
    })
  )
})
