/**
 * `sa-audit usage` and where a history comes from: a usage event that does not decode stops the command with exit 2,
 * naming its line in a file and its stream, revision and position on a server, quoting nothing unsafe; and the same
 * generated history, imported into the EventStoreDB test server, reports exactly what was recorded.
 */
import { execFile } from "node:child_process"
import { randomBytes, randomUUID } from "node:crypto"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { EventStore, Token } from "@service-accounts/domain"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import { layer as eventStoreDB } from "@service-accounts/store-eventstoredb"
import { Effect, TestContext } from "effect"
import { sa, tempFile } from "./helpers.js"
import { checkJson, expectedRows, type ReportJson, tableBlocks } from "./usageExpect.js"
import { type GeneratedHistory, generateHistory } from "./usageHistory.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const built = existsSync(bin)

let history: GeneratedHistory

beforeAll(async () => {
  history = await Effect.runPromise(
    generateHistory({
      directory: [["acme", [["builder", ["ci", "nightly"]]]]],
      uses: [
        { recorder: 0, token: "ci", at: Date.parse("2026-03-08T10:00:00Z"), requests: 3, units: 0.75 },
        { recorder: 1, token: "ci", at: Date.parse("2026-03-09T10:00:00Z"), requests: 2, units: 999_999_999_999 },
        { recorder: 1, token: "nightly", at: Date.parse("2026-03-09T11:00:00Z"), requests: 1, units: 2 }
      ]
    }).pipe(Effect.provide(TestContext.TestContext))
  )
}, 60_000)

/** The history with its first usage event's line changed by `edit` (on the line's JSON); and that line's number. */
const withFirstUsageEdited = (edit: (line: { [key: string]: unknown }) => void) => {
  const lines = history.text.split("\n")
  const index = lines.findIndex((line) => line.includes('"stream":"serviceAccountUsage-'))
  const line = JSON.parse(lines[index] ?? "{}")
  edit(line)
  lines[index] = JSON.stringify(line)
  return { path: tempFile(lines.join("\n")), line: index + 1 }
}

const token = Token.fromEntropy(randomBytes(Token.TOKEN_ENTROPY_BYTES))

type Data = { entries: Array<{ [key: string]: unknown }>; [key: string]: unknown }
const entryOf = (line: { [key: string]: unknown }) => (line.data as Data).entries[0] ?? {}

describe("sa-audit usage on a usage event that does not decode", () => {
  const cases: ReadonlyArray<readonly [string, (line: { [key: string]: unknown }) => void, string]> = [
    [
      "a negative count",
      (line) => {
        entryOf(line).units = -1
      },
      "UsageRecorded does not match its schema — entries.0.units: must be between 0 and 1000000000000"
    ],
    [
      "a fractional count of requests",
      (line) => {
        entryOf(line).requests = 1.5
      },
      "UsageRecorded does not match its schema — entries.0.requests: must be a whole number of requests"
    ],
    [
      "another type in a usage stream",
      (line) => {
        line.type = "UsageCounted"
      },
      "a usage stream holds an event of type UsageCounted"
    ],
    [
      "an event in another day's stream",
      (line) => {
        ;(line.data as Data).day = "2026-01-01"
      },
      "a usage event is stored in another day's or recorder's stream"
    ],
    [
      "a field it does not know",
      (line) => {
        ;(line.data as Data).note = "x"
      },
      'UsageRecorded does not match its schema — note: is unexpected, expected: "_tag" | "day"'
    ],
    [
      "a token value as a token id",
      (line) => {
        entryOf(line).tokenId = token
      },
      "UsageRecorded does not match its schema — entries.0.tokenId: must be a lower-case UUID"
    ],
    [
      "a token value as the recorder (the schema's message quotes the value: it is redacted)",
      (line) => {
        ;(line.data as Data).recorder = token
      },
      'UsageRecorded does not match its schema — recorder: Expected a Universally Unique Identifier, actual "[REDACTED]"'
    ]
  ]

  for (const [what, edit, message] of cases) {
    it.effect(`${what}: exit 2, naming the line, with the problem quoted safely`, () =>
      Effect.gen(function* () {
        const { path, line } = withFirstUsageEdited(edit)
        for (const format of ["table", "json"]) {
          const result = yield* sa("usage", "--file", path, "--format", format)
          expect(result.code, result.stderr).toBe(2)
          expect(result.stdout).toBe("")
          expect(result.stderr.startsWith(`sa-audit: ${path}: line ${line}: ${message}`), result.stderr).toBe(true)
          expect(result.stderr).not.toContain(token.slice(4, 12))
          expect(result.stderr).not.toMatch(/sat_[0-9A-Za-z]/)
        }
        // The directory does not depend on usage: the commands that do not read usage are not stopped by it.
        expect((yield* sa("replay", "--file", path)).code).toBe(0)
      })
    )
  }
})

/** Runs the built `sa-audit` asynchronously: the test server runs in this process. */
const runAsync = (...args: ReadonlyArray<string>) =>
  Effect.async<{ readonly code: number | null; readonly stdout: string; readonly stderr: string }>((resume) => {
    execFile(process.execPath, [bin, ...args], { encoding: "utf8" }, (error, stdout, stderr) =>
      resume(
        Effect.succeed({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : null,
          stdout,
          stderr
        })
      )
    )
  })

describe.skipIf(!built)("sa-audit usage over EventStoreDB", () => {
  it.scopedLive(
    "reports what was recorded, and names the stream, revision and position of a usage event that does not decode",
    () =>
      Effect.gen(function* () {
        const { connectionString } = yield* TestServer
        expect(yield* runAsync("import", "--file", history.path, "--eventstoredb", connectionString)).toMatchObject({
          code: 0
        })
        const json = yield* runAsync("usage", "--eventstoredb", connectionString, "--format", "json")
        expect(json).toMatchObject({ code: 0, stderr: "" })
        const report: ReportJson = JSON.parse(json.stdout)
        checkJson(report, history, {}, ["ci", "nightly"])
        const ci = history.tokens.get("ci")?.tokenId ?? ""
        const table = yield* runAsync(
          "usage",
          "--eventstoredb",
          connectionString,
          "--token",
          ci,
          "--since",
          "2026-03-09"
        )
        expect(table).toMatchObject({ code: 0, stderr: "" })
        expect(tableBlocks(table.stdout)[0]?.rows).toEqual(expectedRows(history, [ci], { since: "2026-03-09" }))
        expect(tableBlocks(table.stdout)[0]?.rows).toContainEqual(["2026-03-09", "2", "999999999999"])

        // A usage event written to another day's stream, straight through the adapter.
        const recorder = randomUUID()
        const streamId = `serviceAccountUsage-2026-03-09-${recorder}`
        yield* Effect.flatMap(EventStore, (store) =>
          store.append(
            streamId,
            [
              {
                eventId: randomUUID(),
                type: "UsageRecorded",
                data: { _tag: "UsageRecorded", day: "2026-03-10", recorder, sequence: 0, entries: [] },
                metadata: { schemaVersion: 1 }
              }
            ],
            "no_stream"
          )
        ).pipe(Effect.provide(eventStoreDB({ connectionString })))
        const broken = yield* runAsync("usage", "--eventstoredb", connectionString)
        expect(broken.code).toBe(2)
        expect(broken.stdout).toBe("")
        expect(broken.stderr).toMatch(
          new RegExp(
            `^sa-audit: event ${streamId}@0 \\(position \\d+\\) cannot be read: a usage event is stored in another day's or recorder's stream\\n$`
          )
        )
      }).pipe(Effect.provide(TestServer.layer())),
    { timeout: 120_000 }
  )
})
