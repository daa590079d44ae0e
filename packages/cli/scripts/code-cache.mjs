/**
 * Makes the V8 code cache of the built `sa-audit` program (dist/sa-audit.cache; see src/bin.ts): runs the
 * executable once, a `check` of the domain's golden history, and has it write the cache when the run ends, so that
 * the cache holds the code compiled for reading and decoding a history as well as the start-up.
 */
import { spawnSync } from "node:child_process"
import { existsSync, rmSync } from "node:fs"
import { fileURLToPath } from "node:url"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const cache = fileURLToPath(new URL("../dist/sa-audit.cache", import.meta.url))
const history = fileURLToPath(new URL("../../domain/test/fixtures/history-v1.ndjson", import.meta.url))

rmSync(cache, { force: true })
const run = spawnSync(process.execPath, [bin, "check", "--file", history], {
  encoding: "utf8",
  env: { ...process.env, SA_AUDIT_WRITE_CODE_CACHE: cache }
})
// `check` exits 0 (no violation) or 1 (violations reported): either way the program ran.
if ((run.status !== 0 && run.status !== 1) || !existsSync(cache)) {
  process.stderr.write(`code-cache: the run of sa-audit failed (exit ${run.status})\n${run.stderr}`)
  process.exit(1)
}
