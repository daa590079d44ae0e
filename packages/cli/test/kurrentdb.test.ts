/**
 * `--eventstoredb` takes KurrentDB connection strings too (`kurrentdb://`, `kurrent://`, `kdb://`): the CLI then
 * reads and writes through the KurrentDB adapter, on `@kurrent/kurrentdb-client`. A file of its own, so a process of
 * its own: the two clients break each other's appends in one process, and the other files use `esdb://`.
 */
import { execFile } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { closedPort, scoped as testServer } from "@service-accounts/eventstoredb-test-server"
import { Effect, Redacted } from "effect"
import { Source } from "../src/index.js"
import { golden, goldenKeyPath, goldenPath, sa, tempDir } from "./helpers.js"

const kurrentdb = (connectionString: string) => connectionString.replace(/^esdb:/, "kurrentdb:")

/** A history's lines without what a store assigns itself (recorded times, positions). */
const comparable = (text: string) =>
  text
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => line.replace(/"recordedAt":"[^"]*"/, "").replace(/"position":"\d+",/, ""))

/** The server's Read calls from grpc-js (its user-agent) and from the client's native bridge (none). */
const reads = (server: { callsByAgent: (method: "Streams.Read") => ReadonlyMap<string, number> }) => {
  let grpcJs = 0
  let bridge = 0
  for (const [agent, count] of server.callsByAgent("Streams.Read")) {
    if (agent === "") bridge += count
    else grpcJs += count
  }
  return { grpcJs, bridge }
}

describe("sa-audit with a KurrentDB connection string", () => {
  it("chooses the adapter by the scheme", () => {
    for (const scheme of ["kurrentdb", "kurrent", "kdb", "kurrentdb+discover", "kdb+discover"]) {
      expect(Source.adapterFor(Redacted.make(`${scheme}://db:2113`))).toBe("kurrentdb")
    }
    for (const scheme of ["esdb", "esdb+discover"]) {
      expect(Source.adapterFor(Redacted.make(`${scheme}://db:2113`))).toBe("eventstoredb")
    }
  })

  it.scoped(
    "imports a file, then reads, verifies, checks and exports it, every read through the native bridge",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer()
        const connectionString = kurrentdb(server.connectionString)
        const imported = yield* sa("import", "--file", goldenPath, "--eventstoredb", connectionString)
        expect(imported).toMatchObject({ code: 0, stderr: "" })
        expect(imported.stdout).toMatch(
          /^Imported 17 event\(s\) of 4 stream\(s\) into kurrentdb:\/\/127\.0\.0\.1:\d+ in 4 append\(s\)\.$/
        )
        const fromServer = yield* sa("replay", "--eventstoredb", connectionString)
        expect(fromServer.stdout).toBe((yield* sa("replay", "--file", goldenPath)).stdout)
        const verified = yield* sa("verify", "--eventstoredb", connectionString, "--public-key", goldenKeyPath)
        expect(verified).toMatchObject({ code: 0 })
        expect(verified.stdout).toContain("No tampering found.")
        expect(yield* sa("check", "--eventstoredb", connectionString)).toMatchObject({ code: 0 })
        const out = join(tempDir(), "export.ndjson")
        expect((yield* sa("export", "--eventstoredb", connectionString, "--out", out)).code).toBe(0)
        expect(comparable(readFileSync(out, "utf8"))).toEqual(comparable(golden))
        // The import's check of the target, replay, verify, check and export all read; none through grpc-js.
        const counted = reads(server)
        expect(counted.grpcJs).toBe(0)
        expect(counted.bridge).toBeGreaterThanOrEqual(5)
      }),
    60_000
  )

  it.effect(
    "says so clearly when the server cannot be reached (exit 3), and refuses a bad string without repeating it",
    () =>
      Effect.gen(function* () {
        const port = yield* closedPort
        const unreachable = yield* sa("replay", "--eventstoredb", `kurrentdb://127.0.0.1:${port}?tls=false`)
        expect(unreachable.code).toBe(3)
        expect(unreachable.stderr).toMatch(/^sa-audit: cannot reach the EventStoreDB server \(.*\); check the/)
        const bad = yield* sa("replay", "--eventstoredb", "kurrentdb://admin:hunter2@db:2113?tls=false&bogus=1")
        expect(bad.code).toBe(2)
        expect(bad.stderr).toContain('invalid KurrentDB connection string: unknown option "bogus"')
        expect(bad.stderr).not.toContain("hunter2")
      }),
    60_000
  )

  const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
  it.scoped.skipIf(!existsSync(bin))(
    "the built executable loads the KurrentDB client it leaves out of its bundle",
    () =>
      Effect.gen(function* () {
        const server = yield* testServer()
        const connectionString = kurrentdb(server.connectionString)
        const runBin = (...args: ReadonlyArray<string>) =>
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
        expect((yield* runBin("import", "--file", goldenPath, "--eventstoredb", connectionString)).code).toBe(0)
        const verified = yield* runBin("verify", "--eventstoredb", connectionString, "--public-key", goldenKeyPath)
        expect(verified).toMatchObject({ code: 0, stderr: "" })
        expect(verified.stdout).toContain("Verified 17 event(s): 2 directory chain(s), 2 signed checkpoint(s).")
        expect(reads(server).bridge).toBeGreaterThan(0)
      }),
    60_000
  )
})
