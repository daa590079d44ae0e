/**
 * The built executable, as an auditor runs it: `pnpm test` builds before it tests; without a build the tests are
 * skipped.
 */
import { execFileSync, spawnSync } from "node:child_process"
import { existsSync, readFileSync, statSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { edited, golden, goldenKeyPath, goldenPath, tempFile } from "./helpers.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const built = existsSync(bin)

const run = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
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
    for (const command of ["replay", "as-of", "token", "check", "verify", "export", "import"]) {
      expect(help).toContain(command)
    }
  })

  it("verifies, replays and exports to standard output with exit 0", slow, () => {
    expect(run("verify", "--file", goldenPath, "--public-key", goldenKeyPath)).toMatchObject({ code: 0, stderr: "" })
    expect(run("replay", "--file", goldenPath).stdout).toContain("Organisation globex: 1 service account(s), 1 active")
    const exported = run("export", "--file", goldenPath)
    expect(exported).toMatchObject({ code: 0, stdout: golden })
  })

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
