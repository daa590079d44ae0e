/**
 * `pnpm bench`: runs every workload in child processes, prints the measurements, the ratios against the
 * baselines measured in the same run and the acceptance targets of issue 6, then one `BENCH_JSON {...}` line.
 *
 * Environment (read in settings.ts):
 * - `BENCH_QUICK=1`: a smoke run at small sizes (seconds, not minutes; the numbers mean little);
 * - `BENCH_ONLY=commands,replay,authenticate,audit`: run only these workloads (`audit`: the built `sa-audit` on a
 *   100,000-event history, peak memory per command — issue 4; see `audit.ts`);
 * - `BENCH_RUNS`, `BENCH_REPLAY_RUNS`: measured runs per workload (default 5 and 3);
 * - `BENCH_REPLAY_BUDGET_S`: no further replay round starts once the replays have taken this long (default 300);
 * - `BENCH_HISTORIES=0,1000`: the history lengths of the command workload;
 * - `BENCH_REPLAY_EVENTS`, `BENCH_TOKENS`: the replay and token-index sizes;
 * - `BENCH_PROFILE_DIR=dir`: write CPU profiles of the library's timed parts there (and print their summaries).
 *
 * Each workload is measured by its file in `measure/`, which adds to the report that report.ts prints.
 */
import { mkdirSync } from "node:fs"
import * as os from "node:os"
import { measureAudit } from "./measure/audit.js"
import { measureAuthenticate } from "./measure/authenticate.js"
import { measureCommands } from "./measure/commands.js"
import { measureReplay } from "./measure/replay.js"
import { log } from "./output.js"
import { emptyReport, printReport } from "./report.js"
import { readSettings } from "./settings.js"
import { hasOneShotHash } from "./tokens.js"

const main = async (): Promise<void> => {
  const settings = readSettings(process.env)
  const { quick, config, only, profileDir } = settings
  if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true })
  const started = performance.now()
  const cpus = os.cpus()
  const machine = {
    cpu: cpus[0]?.model ?? "unknown",
    cpus: os.availableParallelism(),
    node: process.version,
    platform: `${os.type()} ${os.release()} ${os.arch()}`,
    memoryGb: Math.round(os.totalmem() / 2 ** 30),
    loadAverageAtStart: os.loadavg().map((n) => Number(n.toFixed(2)))
  }
  log(`service-accounts benchmark (${quick ? "BENCH_QUICK=1: smoke run, small sizes" : "full run"})`)
  log(
    `machine: ${machine.cpu}, ${machine.cpus} CPUs, ${machine.memoryGb} GB, ${machine.platform}, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(" ")}`
  )
  log(
    `library resolved from source (tsx --conditions=source); authenticate baseline uses ${hasOneShotHash ? "crypto.hash" : "createHash"}`
  )
  log("")

  const report = emptyReport({ version: 1, date: new Date().toISOString(), quick, machine, config })
  if (only.has("commands")) await measureCommands(settings, report)
  if (only.has("replay")) await measureReplay(settings, report)
  if (only.has("authenticate")) await measureAuthenticate(settings, report)
  if (only.has("audit")) await measureAudit(settings, report)
  printReport(report, started)
  if (report.problems.length > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
