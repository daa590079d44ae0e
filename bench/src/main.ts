/**
 * `pnpm bench`: runs every workload in child processes, prints the measurements, the ratios against the
 * baselines measured in the same run and the acceptance targets of issue 6, then one `BENCH_JSON {...}` line.
 *
 * Environment:
 * - `BENCH_QUICK=1`: a smoke run at small sizes (seconds, not minutes; the numbers mean little);
 * - `BENCH_ONLY=commands,replay,authenticate,audit`: run only these workloads (`audit`: the built `sa-audit` on a
 *   100,000-event history, peak memory per command — issue 4; see `audit.ts`);
 * - `BENCH_RUNS`, `BENCH_REPLAY_RUNS`: measured runs per workload (default 5 and 3);
 * - `BENCH_REPLAY_BUDGET_S`: no further replay round starts once the replays have taken this long (default 300);
 * - `BENCH_HISTORIES=0,1000`: the history lengths of the command workload;
 * - `BENCH_REPLAY_EVENTS`, `BENCH_TOKENS`: the replay and token-index sizes;
 * - `BENCH_PROFILE_DIR=dir`: write CPU profiles of the library's timed parts there (and print their summaries).
 */
import { spawn } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs"
import * as os from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Schema } from "effect"
import { AuthenticateResult, CommandsResult, ReplayResult } from "./results.js"
import { type Ratio, type Spread, ratio, spread } from "./stats.js"
import { hasOneShotHash } from "./tokens.js"
import { writeNdjson } from "./workloads/replay.js"

const env = process.env
const quick = env.BENCH_QUICK === "1"

const numberList = (text: string | undefined, fallback: ReadonlyArray<number>): ReadonlyArray<number> =>
  text === undefined || text.trim() === "" ? fallback : text.split(",").map((part) => Number(part.trim()))

const numberOr = (text: string | undefined, fallback: number): number =>
  text === undefined || text.trim() === "" ? fallback : Number(text)

const config = {
  histories: numberList(env.BENCH_HISTORIES, quick ? [0, 1000] : [0, 1000, 10_000, 100_000]),
  commands: quick ? 100 : 1000,
  primeMs: quick ? 100 : 500,
  runs: numberOr(env.BENCH_RUNS, quick ? 2 : 5),
  emmettBudgetMs: quick ? 300 : 1500,
  warmupMs: quick ? 300 : 3000,
  replayEvents: numberOr(env.BENCH_REPLAY_EVENTS, quick ? 20_000 : 1_000_000),
  replayRuns: numberOr(env.BENCH_REPLAY_RUNS, quick ? 1 : 3),
  replayBudgetSeconds: numberOr(env.BENCH_REPLAY_BUDGET_S, 300),
  tokens: numberOr(env.BENCH_TOKENS, quick ? 5_000 : 100_000),
  auditEvents: numberOr(env.BENCH_AUDIT_EVENTS, quick ? 10_000 : 100_000),
  auditRuns: numberOr(env.BENCH_AUDIT_RUNS, quick ? 1 : 3),
  calls: quick ? 20_000 : 200_000
}

const only = new Set((env.BENCH_ONLY ?? "commands,replay,authenticate,audit").split(",").map((s) => s.trim()))
const profileDir =
  env.BENCH_PROFILE_DIR === undefined || env.BENCH_PROFILE_DIR === "" ? undefined : env.BENCH_PROFILE_DIR
if (profileDir !== undefined) mkdirSync(profileDir, { recursive: true })

const WORKER = fileURLToPath(new URL("./worker.ts", import.meta.url))
const AUDIT = fileURLToPath(new URL("./audit.ts", import.meta.url))

/** What `audit.ts` reports for each command it ran. */
const AuditReport = Schema.Struct({
  events: Schema.Number,
  results: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      seconds: Schema.Number,
      rssMb: Schema.Number,
      limitMb: Schema.optional(Schema.Number),
      exitCode: Schema.NullOr(Schema.Number)
    })
  )
})

/** Runs `audit.ts` in a child process (same loader), echoing its lines, and returns its report. */
const runAudit = (events: number, runs: number): Promise<typeof AuditReport.Type> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, AUDIT], {
      stdio: ["ignore", "pipe", "inherit"],
      env: { ...env, BENCH_AUDIT_EVENTS: String(events), BENCH_AUDIT_RUNS: String(runs) }
    })
    let output = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
    })
    child.on("error", reject)
    child.on("close", () => {
      const line = output.split("\n").find((l) => l.startsWith("BENCH_AUDIT_JSON "))
      if (line === undefined) {
        reject(new Error(`the sa-audit workload printed no report:\n${output}`))
        return
      }
      for (const text of output.split("\n")) if (text !== "" && !text.startsWith("BENCH_AUDIT_JSON ")) log(text)
      resolve(Schema.decodeUnknownSync(AuditReport)(JSON.parse(line.slice("BENCH_AUDIT_JSON ".length))))
    })
  })

/** Runs one job in a child process (same loader and conditions as this one) and returns its report. */
const runWorker = (
  job: string,
  params: object,
  options: { readonly profileFile?: string; readonly nodeArgs?: ReadonlyArray<string> } = {}
): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [...process.execArgv, "--expose-gc", ...(options.nodeArgs ?? []), WORKER, job, JSON.stringify(params)],
      {
        stdio: ["ignore", "pipe", "inherit"],
        env: { ...env, BENCH_PROFILE_FILE: options.profileFile ?? "" }
      }
    )
    let output = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
    })
    child.on("error", reject)
    child.on("close", (code) => {
      const line = output.split("\n").find((l) => l.startsWith("BENCH_RESULT "))
      if (code !== 0 || line === undefined) {
        reject(new Error(`worker ${job} ${JSON.stringify(params)} failed (exit code ${String(code)})`))
        return
      }
      resolve(JSON.parse(line.slice("BENCH_RESULT ".length)))
    })
  })

const log = (text: string): void => {
  process.stdout.write(`${text}\n`)
}

const elapsed = (start: number): string => `${((performance.now() - start) / 1000).toFixed(1)} s`

// ---------------------------------------------------------------------------------------------------------------
// Formatting.

const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) return String(n)
  if (Number.isInteger(n) || Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US")
  return n.toPrecision(3)
}

const formatSpread = (s: Spread): string => `${formatNumber(s.median)} [${formatNumber(s.min)}–${formatNumber(s.max)}]`

const formatRatio = (r: Ratio): string =>
  `${formatNumber(r.value)}× [${formatNumber(r.min)}–${formatNumber(r.max)}]${r.paired ? "" : "*"}`

/** A Markdown table with padded columns: readable in a terminal, pasteable into the docs. */
const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n")
}

// ---------------------------------------------------------------------------------------------------------------
// Targets (issue 6).

interface Target {
  readonly name: string
  readonly ratio: Ratio
  readonly comparison: ">=" | "<="
  readonly threshold: number
}

const met = (t: Target): boolean =>
  t.comparison === ">=" ? t.ratio.value >= t.threshold : t.ratio.value <= t.threshold

// ---------------------------------------------------------------------------------------------------------------

const main = async (): Promise<void> => {
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

  const problems: Array<string> = []
  const measurementRows: Array<Array<string>> = []
  const details: Array<string> = []
  const targets: Array<Target> = []
  const json: Record<string, unknown> = { version: 1, date: new Date().toISOString(), quick, machine, config }

  // Commands.
  if (only.has("commands")) {
    const commandResults: Array<CommandsResult> = []
    for (const history of config.histories) {
      const t = performance.now()
      const profileFile = profileDir === undefined ? undefined : join(profileDir, `issueToken-H${history}.cpuprofile`)
      const result = Schema.decodeUnknownSync(CommandsResult)(
        await runWorker(
          "commands",
          {
            history,
            commands: config.commands,
            runs: config.runs,
            emmettBudgetMs: config.emmettBudgetMs,
            warmupMs: config.warmupMs,
            primeMs: config.primeMs
          },
          profileFile === undefined ? {} : { profileFile }
        )
      )
      problems.push(...result.problems.map((p) => `commands H=${history}: ${p}`))
      commandResults.push(result)
      log(`commands H=${formatNumber(result.history)}: done in ${elapsed(t)}`)
    }
    const rows = commandResults.map((r) => ({
      history: r.history,
      raw: spread(r.raw.perSecond),
      ours: spread(r.ours.perSecond),
      emmett: spread(r.emmett.perSecond),
      result: r
    }))
    for (const row of rows) {
      measurementRows.push([
        `issueToken commands/s, H = ${formatNumber(row.history)}`,
        formatSpread(row.ours),
        formatSpread(row.raw),
        formatSpread(row.emmett)
      ])
      details.push(
        `H = ${formatNumber(row.history)}: library set-up ${formatNumber(spread(row.result.ours.setupMs).median)} ms, cold first command (folds the history) ${formatNumber(spread(row.result.ours.warmupMs).median)} ms; Emmett ran ${formatNumber(spread(row.result.emmett.commands).median)} commands a round`
      )
    }
    const first = rows[0]
    const last = rows[rows.length - 1]
    if (first !== undefined && last !== undefined && last !== first) {
      targets.push({
        name: `library commands/s, H = ${formatNumber(last.history)} / H = ${formatNumber(first.history)}`,
        ratio: ratio(last.ours, first.ours, false),
        comparison: ">=",
        threshold: 0.5
      })
    }
    for (const row of rows) {
      targets.push({
        name: `library / raw, commands H = ${formatNumber(row.history)}`,
        ratio: ratio(row.ours, row.raw, true),
        comparison: ">=",
        threshold: 0.3
      })
    }
    for (const row of rows) {
      if (row.history === 0 || row.history >= 100_000) {
        targets.push({
          name: `library / Emmett, commands H = ${formatNumber(row.history)}`,
          ratio: ratio(row.ours, row.emmett, true),
          comparison: ">=",
          threshold: row.history === 0 ? 1 : 1000
        })
      }
    }
    json.commands = rows.map((row) => ({
      history: row.history,
      commandsPerRound: config.commands,
      ours: row.ours,
      raw: row.raw,
      emmett: row.emmett,
      emmettCommandsPerRound: row.result.emmett.commands,
      oursSetupMs: row.result.ours.setupMs,
      oursColdFirstCommandMs: row.result.ours.warmupMs
    }))
  }

  // Replay.
  if (only.has("replay")) {
    const dir = mkdtempSync(join(os.tmpdir(), "sa-bench-"))
    try {
      const file = join(dir, "history.ndjson")
      const t = performance.now()
      writeNdjson(file, config.replayEvents)
      const size = statSync(file).size
      log(
        `replay: wrote ${formatNumber(config.replayEvents)} events (${formatNumber(size / 2 ** 20)} MB of NDJSON) in ${elapsed(t)}`
      )
      const rawRuns: Array<ReplayResult> = []
      const oursRuns: Array<ReplayResult> = []
      const runs = { raw: rawRuns, ours: oursRuns }
      const replayStart = performance.now()
      for (let round = 0; round < config.replayRuns; round++) {
        if (round > 0 && performance.now() - replayStart > config.replayBudgetSeconds * 1000) {
          log(`replay: ${round} round(s) took longer than ${config.replayBudgetSeconds} s; no further round`)
          break
        }
        for (const implementation of ["raw", "ours"] as const) {
          const tr = performance.now()
          const nodeArgs =
            profileDir !== undefined && round === 0
              ? ["--cpu-prof", `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=replay-${implementation}.cpuprofile`]
              : []
          const result = Schema.decodeUnknownSync(ReplayResult)(
            await runWorker("replay", { file, implementation }, { nodeArgs })
          )
          runs[implementation].push(result)
          log(`replay ${implementation} run ${round + 1}/${config.replayRuns}: done in ${elapsed(tr)}`)
        }
      }
      const [reference] = runs.raw
      for (const result of [...runs.raw, ...runs.ours]) {
        for (const key of [
          "events",
          "organizations",
          "liveAccounts",
          "activeTokens",
          "indexedTokens",
          "auditEntries"
        ] as const) {
          if (reference !== undefined && result[key] !== reference[key]) {
            problems.push(`replay: ${key} is ${result[key]} in one run and ${reference[key]} in another`)
          }
        }
      }
      const rate = {
        raw: spread(runs.raw.map((r) => r.eventsPerSecond)),
        ours: spread(runs.ours.map((r) => r.eventsPerSecond))
      }
      const rss = {
        raw: spread(runs.raw.map((r) => r.maxRssKb / 1024)),
        ours: spread(runs.ours.map((r) => r.maxRssKb / 1024))
      }
      measurementRows.push([
        `replay events/s, ${formatNumber(config.replayEvents)} events (${runs.ours.length} run${runs.ours.length === 1 ? "" : "s"})`,
        formatSpread(rate.ours),
        formatSpread(rate.raw),
        "—"
      ])
      const live = {
        raw: spread(runs.raw.map((r) => r.liveHeapMb)),
        ours: spread(runs.ours.map((r) => r.liveHeapMb))
      }
      measurementRows.push([
        "replay peak RSS, MB (lower is better)",
        formatSpread(rss.ours),
        formatSpread(rss.raw),
        "—"
      ])
      measurementRows.push([
        "replay heap in use after a full GC, MB (info)",
        formatSpread(live.ours),
        formatSpread(live.raw),
        "—"
      ])
      if (reference !== undefined) {
        details.push(
          `replay: ${formatNumber(reference.organizations)} organisations, ${formatNumber(reference.liveAccounts)} live accounts, ${formatNumber(reference.activeTokens)} active tokens, ${formatNumber(reference.indexedTokens)} tokens indexed, ${formatNumber(reference.auditEntries)} audit entries (both implementations agree: ${problems.some((p) => p.startsWith("replay")) ? "NO" : "yes"})`
        )
      }
      targets.push({
        name: "library / raw, replay events/s",
        ratio: ratio(rate.ours, rate.raw, true),
        comparison: ">=",
        threshold: 0.5
      })
      targets.push({
        name: "library / raw, replay peak RSS",
        ratio: ratio(rss.ours, rss.raw, true),
        comparison: "<=",
        threshold: 1.25
      })
      json.replay = {
        events: config.replayEvents,
        fileBytes: size,
        eventsPerSecond: rate,
        peakRssMb: rss,
        liveHeapMbAfterGc: live
      }
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }

  // Authenticate.
  if (only.has("authenticate")) {
    const t = performance.now()
    const profileFile = profileDir === undefined ? undefined : join(profileDir, "authenticate.cpuprofile")
    const result = Schema.decodeUnknownSync(AuthenticateResult)(
      await runWorker(
        "authenticate",
        { tokens: config.tokens, calls: config.calls, runs: config.runs },
        profileFile === undefined ? {} : { profileFile }
      )
    )
    problems.push(...result.problems.map((p) => `authenticate: ${p}`))
    log(`authenticate: done in ${elapsed(t)}`)
    const raw = spread(result.raw)
    const ours = spread(result.ours)
    const composed = spread(result.composed)
    measurementRows.push([
      `authenticate calls/s, ${formatNumber(result.tokens)} active tokens`,
      formatSpread(ours),
      formatSpread(raw),
      "—"
    ])
    measurementRows.push([
      "authenticate calls/s, composed (`Effect.map(authenticate(v), f)`)",
      formatSpread(composed),
      formatSpread(raw),
      "—"
    ])
    details.push(
      `authenticate composed through the run loop: ${formatRatio(ratio(composed, raw, true))} the raw rate (no target: the target row measures \`yield*\`, see ADR 0005)`
    )
    details.push(`authenticate: library set-up (history + read models) ${formatNumber(result.setupMs.ours)} ms`)
    targets.push({
      name: "library / raw, authenticate calls/s",
      ratio: ratio(ours, raw, true),
      comparison: ">=",
      threshold: 0.5
    })
    json.authenticate = { tokens: result.tokens, calls: config.calls, ours, raw, composed }
  }

  // sa-audit's peak memory (issue 4).
  const auditRows: Array<Array<string>> = []
  if (only.has("audit")) {
    const t = performance.now()
    log("")
    const report = await runAudit(config.auditEvents, config.auditRuns)
    log(`audit: done in ${elapsed(t)}`)
    for (const result of report.results) {
      if (result.exitCode !== 0) problems.push(`audit: ${result.name} exited with ${String(result.exitCode)}`)
      if (result.limitMb !== undefined) {
        auditRows.push([
          `sa-audit ${result.name}, ${formatNumber(report.events)} events: peak RSS, MB`,
          formatNumber(result.rssMb),
          `< ${result.limitMb}`,
          result.rssMb < result.limitMb ? "met" : "NOT MET"
        ])
      }
    }
    json.audit = report
  }

  log("")
  log("Measurements: median [min–max] over the runs; higher is better unless noted")
  log("")
  log(table(["workload", "library", "raw baseline", "Emmett (peer)"], measurementRows))
  log("")
  log("Targets (issue 6): ratio of the medians [range of the per-run ratios; * = unpaired runs]")
  log("")
  log(
    table(
      ["ratio", "measured", "target", "status"],
      targets.map((t) => [
        t.name,
        formatRatio(t.ratio),
        `${t.comparison === ">=" ? "≥" : "≤"} ${t.threshold.toLocaleString("en-US")}×`,
        met(t) ? "met" : "NOT MET"
      ])
    )
  )
  if (auditRows.length > 0) {
    log("")
    log("Targets (issue 4): the largest peak RSS over the runs, each command in its own process")
    log("")
    log(table(["measurement", "measured", "target", "status"], auditRows))
  }
  log("")
  for (const line of details) log(`- ${line}`)
  for (const problem of problems) log(`PROBLEM: ${problem}`)
  log(
    `load average at the end: ${os
      .loadavg()
      .map((n) => n.toFixed(2))
      .join(" ")}; total time ${elapsed(started)}`
  )
  json.targets = targets.map((t) => ({
    name: t.name,
    value: t.ratio.value,
    min: t.ratio.min,
    max: t.ratio.max,
    paired: t.ratio.paired,
    comparison: t.comparison,
    threshold: t.threshold,
    met: met(t)
  }))
  json.problems = problems
  json.seconds = (performance.now() - started) / 1000
  log(`BENCH_JSON ${JSON.stringify(json)}`)
  if (problems.length > 0) process.exitCode = 1
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
