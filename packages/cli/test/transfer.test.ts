/**
 * Export and import through NDJSON: any `EventStore` (the memory store here) and EventStoreDB (the in-process test
 * server) through the command line.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { EventStore } from "@service-accounts/domain"
import { scoped as testServer } from "@service-accounts/eventstoredb-test-server"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Chunk, Effect, Either, Stream } from "effect"
import { HistoryTransfer } from "../src/index.js"
import { edited, golden, goldenKeyPath, goldenLines, goldenPath, sa, tempDir, tempFile } from "./helpers.js"

const chunks = (text: string) => Stream.make(text)

/** A history's lines without the parts a store assigns itself (recorded times). */
const comparable = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/"recordedAt":"[^"]*"/, ""))

const exported = Effect.map(Stream.runCollect(HistoryTransfer.exportHistory), (lines) => Chunk.join(lines, ""))

const count = Effect.flatMap(EventStore, (store) => Stream.runCount(store.readAll()))

describe("HistoryTransfer on any EventStore", () => {
  it.effect("imports a history and exports it again line for line", () =>
    Effect.gen(function* () {
      const summary = yield* HistoryTransfer.importHistory(chunks(golden))
      expect(summary).toEqual({ events: 17, streams: 4, appends: 4 })
      expect(comparable(yield* exported)).toEqual(comparable(golden))
    }).pipe(Effect.provide(memoryStore))
  )

  it.effect("groups a stream's consecutive events into one append", () =>
    Effect.gen(function* () {
      const header = goldenLines[0] ?? ""
      const acme = goldenLines.filter((line) => line.includes('"stream":"serviceAccountDirectory-acme"'))
      const summary = yield* HistoryTransfer.importHistory(chunks(`${[header, ...acme].join("\n")}\n`), {
        batchSize: 5
      })
      expect(summary).toEqual({ events: 13, streams: 1, appends: 3 })
    }).pipe(Effect.provide(memoryStore))
  )

  it.effect("imports nothing when any line is bad, and reports every bad line", () =>
    Effect.gen(function* () {
      const bad = edited(3, () => "{").replace('"revision":"5"', '"revision":"five"')
      const result = yield* Effect.either(HistoryTransfer.importHistory(chunks(bad)))
      expect(Either.isLeft(result) && result.left._tag).toBe("InvalidHistory")
      const message = Either.isLeft(result) ? result.left.message : ""
      expect(message).toContain("the history has 2 bad line(s); nothing was imported")
      expect(message).toMatch(/line 3: invalid JSON/)
      expect(message).toMatch(/line 7: revision: must be a string of decimal digits/)
      expect(yield* count).toBe(0)
    }).pipe(Effect.provide(memoryStore))
  )

  it.effect("refuses a history whose streams have gaps, and one whose events do not decode", () =>
    Effect.gen(function* () {
      const gap = yield* HistoryTransfer.validate(chunks(edited(4, () => undefined)))
      expect(gap.errors.map((e) => e.message)).toEqual([
        "line 4: revision 3 of serviceAccountDirectory-acme does not follow revision 1: each stream's revisions must run from 0 without gaps"
      ])
      const unknown = yield* HistoryTransfer.validate(
        chunks(edited(3, (l) => l.replace('"TokenIssued"', '"TokenMinted"')))
      )
      expect(unknown.errors.map((e) => e.line)).toEqual([3])
      expect(unknown.totalErrors).toBe(1)
    })
  )

  it.effect("refuses streams that already hold events unless forced", () =>
    Effect.gen(function* () {
      yield* HistoryTransfer.importHistory(chunks(golden))
      const refused = yield* Effect.either(HistoryTransfer.importHistory(chunks(golden)))
      expect(Either.isLeft(refused) && refused.left.message).toBe(
        "4 stream(s) of the history already hold events in the target (serviceAccountDirectory-acme, serviceAccountDirectory-globex, serviceAccountIntegrity-acme, serviceAccountIntegrity-globex); nothing was imported (force the import to append after them)"
      )
      expect(yield* count).toBe(17)
      const forced = yield* HistoryTransfer.importHistory(chunks(golden), { force: true })
      expect(forced.events).toBe(17)
      expect(yield* count).toBe(34)
    }).pipe(Effect.provide(memoryStore))
  )
})

describe("sa-audit export and import with EventStoreDB", () => {
  it.scoped(
    "imports a file into EventStoreDB, then reads, verifies and exports it from there",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer()
        const imported = yield* sa("import", "--file", goldenPath, "--eventstoredb", server.connectionString)
        expect(imported).toMatchObject({ code: 0, stderr: "" })
        expect(imported.stdout).toMatch(
          /^Imported 17 event\(s\) of 4 stream\(s\) into esdb:\/\/127\.0\.0\.1:\d+ in 4 append\(s\)\.$/
        )

        const fromServer = yield* sa("replay", "--eventstoredb", server.connectionString)
        const fromFile = yield* sa("replay", "--file", goldenPath)
        expect(fromServer.stdout).toBe(fromFile.stdout)
        const verified = yield* sa("verify", "--eventstoredb", server.connectionString, "--public-key", goldenKeyPath)
        expect(verified).toMatchObject({ code: 0 })
        expect(verified.stdout).toContain("No tampering found.")
        expect(yield* sa("check", "--eventstoredb", server.connectionString)).toMatchObject({ code: 0 })

        const out = join(tempDir(), "export.ndjson")
        const exportedRun = yield* sa("export", "--eventstoredb", server.connectionString, "--out", out)
        expect(exportedRun.code).toBe(0)
        expect(comparable(readFileSync(out, "utf8")).map((l) => l.replace(/"position":"\d+",/, ""))).toEqual(
          comparable(golden).map((l) => l.replace(/"position":"\d+",/, ""))
        )

        const again = yield* sa("import", "--file", goldenPath, "--eventstoredb", server.connectionString)
        expect(again.code).toBe(2)
        expect(again.stderr).toContain("already hold events in the target")
        const bad = yield* sa(
          "import",
          "--file",
          tempFile(edited(3, () => "{")),
          "--eventstoredb",
          server.connectionString
        )
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain("line 3: invalid JSON")
      }),
    60_000
  )

  it.effect(
    "says so clearly when the server cannot be reached (exit 3)",
    () =>
      Effect.gen(function* () {
        const port = yield* Effect.scoped(Effect.map(testServer(), (server) => server.port))
        const result = yield* sa("replay", "--eventstoredb", `esdb://127.0.0.1:${port}?tls=false`)
        expect(result.code).toBe(3)
        expect(result.stderr).toMatch(
          /^sa-audit: cannot reach the EventStoreDB server \(.*\); check the connection string/
        )
      }),
    60_000
  )
})
