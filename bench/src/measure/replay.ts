/**
 * The replay workload: one NDJSON history written once, then replayed to the read models by the raw baseline and
 * the library in turn, each run in its own process, for as many rounds as the budget allows.
 */
import { mkdtempSync, rmSync, statSync } from "node:fs"
import * as os from "node:os"
import { join } from "node:path"
import { Schema } from "effect"
import { runWorker } from "../children.js"
import { elapsed, formatNumber, formatSpread, log } from "../output.js"
import type { Report } from "../report.js"
import { ReplayResult } from "../results.js"
import type { Settings } from "../settings.js"
import { ratio, spread } from "../stats.js"
import { writeNdjson } from "../workloads/replay.js"

export const measureReplay = async (
  { config, profileDir }: Settings,
  { problems, measurementRows, details, targets, json }: Report
): Promise<void> => {
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
    measurementRows.push(["replay peak RSS, MB (lower is better)", formatSpread(rss.ours), formatSpread(rss.raw), "—"])
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
