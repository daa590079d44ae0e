/**
 * The built executable, as an auditor runs it: `pnpm test` builds before it tests; without a build the tests are
 * skipped.
 */
import { execFile, execFileSync, spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import { Effect } from "effect"
import { edited, golden, goldenKeyPath, goldenLines, goldenPath, tempFile } from "./helpers.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const built = existsSync(bin)

const run = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

/** Runs `sa-audit … | head -1` in bash: what head printed, sa-audit's exit code and what it wrote to standard error. */
const piped = (args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env) => {
  const quoted = args.map((arg) => `'${arg.replace(/'/g, "'\\''")}'`).join(" ")
  const script = `'${process.execPath}' '${bin}' ${quoted} 2>"$ERR" | head -1; echo "exit \${PIPESTATUS[0]}"; cat "$ERR"`
  const result = spawnSync("bash", ["-c", script], {
    encoding: "utf8",
    env: { ...env, ERR: tempFile("", "stderr.txt") }
  })
  const [first = "", exit = "", ...stderr] = result.stdout.split("\n")
  return { first, code: Number(exit.replace("exit ", "")), stderr: stderr.join("\n").trim() }
}

/** The golden history's events copied into `copies` organisations: enough output to fill any pipe. */
const largeHistory = (copies: number): string => {
  const [header = "", ...events] = goldenLines
  const lines = [header]
  for (let copy = 0; copy < copies; copy++) {
    for (const line of events) {
      const event = JSON.parse(line)
      lines.push(
        JSON.stringify({
          ...event,
          stream: event.stream.replace(/-(acme|globex)$/, `-$1${copy}`),
          position: String(lines.length - 1),
          data:
            event.data.organizationId === undefined
              ? event.data
              : { ...event.data, organizationId: `${event.data.organizationId}${copy}` }
        })
      )
    }
  }
  return `${lines.join("\n")}\n`
}

// Each run starts a Node process: allow for a busy machine.
const slow = { timeout: 60_000 }

describe.skipIf(!built)("the sa-audit executable", () => {
  it("is what package.json's bin points at, with a shebang", () => {
    const manifest: { readonly bin: { readonly "sa-audit": string } } = JSON.parse(
      readFileSync(fileURLToPath(new URL("../package.json", import.meta.url)), "utf8")
    )
    expect(manifest.bin["sa-audit"]).toBe("./dist/bin.js")
    expect(readFileSync(bin, "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true)
    expect(statSync(bin).isFile()).toBe(true)
  })

  it("prints its version and help", slow, () => {
    expect(execFileSync(process.execPath, [bin, "--version"], { encoding: "utf8" }).trim()).toBe("0.1.0")
    const help = execFileSync(process.execPath, [bin, "--help"], { encoding: "utf8" })
    for (const command of ["replay", "as-of", "token", "check", "verify", "usage", "export", "import"]) {
      expect(help).toContain(command)
    }
  })

  it("verifies, replays and exports to standard output with exit 0", slow, () => {
    expect(run("verify", "--file", goldenPath, "--public-key", goldenKeyPath)).toMatchObject({ code: 0, stderr: "" })
    expect(run("replay", "--file", goldenPath).stdout).toContain("Organisation globex: 1 service account(s), 1 active")
    const exported = run("export", "--file", goldenPath)
    expect(exported).toMatchObject({ code: 0, stdout: golden })
  })

  it("ends quietly with exit 0 when the reader closes the pipe (| head -1)", slow, () => {
    const path = tempFile(largeHistory(400))
    for (const args of [
      ["replay", "--view", "audit", "--file", path],
      ["replay", "--view", "audit", "--format", "json", "--file", path],
      ["replay", "--file", path],
      ["usage", "--file", path],
      ["usage", "--format", "json", "--file", path],
      ["export", "--file", path]
    ]) {
      const result = piped(args)
      expect(result, args.join(" ")).toMatchObject({ code: 0, stderr: "" })
      expect(result.first.length).toBeGreaterThan(0)
    }
    // The whole output is far more than a pipe holds, so the pipe was closed while sa-audit was still writing.
    expect(run("replay", "--view", "audit", "--file", path).stdout.length).toBeGreaterThan(1 << 20)
    expect(run("usage", "--file", path).stdout.length).toBeGreaterThan(1 << 18)
  })

  it("prints help without colour when piped or with NO_COLOR, with placeholders that name what they take", slow, () => {
    for (const env of [process.env, { ...process.env, NO_COLOR: "1" }]) {
      for (const args of [["--help"], ["verify", "--help"], ["replay", "--help"], ["usage", "--help"]]) {
        const help = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8", env })
        expect(help.status).toBe(0)
        expect(help.stdout).not.toContain("\u001b")
        expect(help.stderr).not.toContain("\u001b")
      }
    }
    const help = run("verify", "--help").stdout
    expect(help).toContain("--eventstoredb <connection string>")
    expect(help).toContain("--file <history.ndjson>")
    expect(help).toContain("--public-key <public key .pem>")
    expect(help).toContain("--expect-checkpoint <position or digest>")
    expect(run("usage", "--help").stdout).toContain("--since <YYYY-MM-DD>")
    // Each command's usage line as a reader types it, the executable's name first.
    expect(help).toMatch(/^\$ sa-audit verify \[--file <history\.ndjson>\]/m)
    expect(run("replay", "--help").stdout).toMatch(/^\$ sa-audit replay /m)
    expect(run("--help").stdout).toMatch(/^\$ sa-audit$/m)
    expect(help).not.toContain("confidential")
    expect(help).not.toMatch(/--eventstoredb redacted/)
    // Argument errors are sa-audit's errors too.
    expect(run("replay", "--file", goldenPath, "--view", "bogus")).toMatchObject({
      code: 2,
      stdout: "",
      stderr: "sa-audit: Expected one of the following cases: directory, audit\n"
    })
  })

  // The executable bundles its dependencies but loads the EventStoreDB adapter as a package of its own.
  it.scoped(
    "reads from EventStoreDB with the adapter it loads when asked to",
    () =>
      Effect.gen(function* () {
        const { connectionString } = yield* TestServer
        // Asynchronously: the server runs in this process.
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
        expect((yield* runAsync("import", "--file", goldenPath, "--eventstoredb", connectionString)).code).toBe(0)
        const verified = yield* runAsync("verify", "--eventstoredb", connectionString, "--public-key", goldenKeyPath)
        expect(verified).toMatchObject({ code: 0, stderr: "" })
        expect(verified.stdout).toContain("Verified 17 event(s): 2 directory chain(s), 2 signed checkpoint(s).")
      }).pipe(Effect.provide(TestServer.layer())),
    slow
  )

  it("exits 1 on findings and 2 on bad input, with the message on standard error and no progress bar", slow, () => {
    const tampered = run(
      "verify",
      "--file",
      tempFile(edited(5, (line) => line.replace('"Manual"', '"ServiceAccountDeleted"')))
    )
    expect(tampered.code).toBe(1)
    expect(tampered.stdout).toContain("position 3 (serviceAccountDirectory-acme@3)  edited-data")
    const truncated = run("check", "--file", tempFile(golden.slice(0, -30)))
    expect(truncated.code).toBe(2)
    expect(truncated.stderr).toMatch(/line 18: the file ends in the middle of this line \(truncated\)/)
    expect(truncated.stderr).not.toContain("\r")
  })
})
