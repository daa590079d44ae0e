// Runs every workspace project's tests in one vitest run and prints the totals as the last line:
// `N passed, N failed, N skipped` — the line CI reads.
import { spawnSync } from "node:child_process"
import { mkdirSync, readFileSync, rmSync } from "node:fs"
import { join } from "node:path"

const outDir = ".vitest-results"
const outFile = join(outDir, "results.json")
rmSync(outDir, { recursive: true, force: true })
mkdirSync(outDir, { recursive: true })

const run = spawnSync(
  "pnpm",
  [
    "exec",
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--outputFile.json=${outFile}`,
    ...process.argv.slice(2)
  ],
  { stdio: "inherit" }
)

let passed = 0
let failed = 0
let skipped = 0
try {
  const report = JSON.parse(readFileSync(outFile, "utf8"))
  passed = report.numPassedTests
  // A test file that fails to load has no failed test of its own: count it as one failure.
  const brokenFiles = report.testResults.filter(
    (file) => file.status === "failed" && !file.assertionResults.some((test) => test.status === "failed")
  ).length
  failed = report.numFailedTests + brokenFiles
  skipped = report.numPendingTests + report.numTodoTests
} catch (error) {
  console.error(`could not read the test report ${outFile}: ${error instanceof Error ? error.message : String(error)}`)
  failed += 1
}
const code = run.status ?? 1
if (code !== 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`)
process.exit(code === 0 && failed === 0 ? 0 : 1)
