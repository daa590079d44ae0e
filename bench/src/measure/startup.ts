/**
 * The start-up workload (issue 16): a history of N events over 1,000 organisations in the test server (its own
 * process), then services started on it in fresh processes — first by full replay (the last of those writes a
 * snapshot at the end), then from that snapshot — each timed to ready, with its peak RSS.
 */
import { Schema } from "effect"
import { runWorker } from "../children.js"
import { startServer } from "../esdb/processes.js"
import { elapsed, formatNumber, formatSpread, log } from "../output.js"
import type { Report } from "../report.js"
import { LoadResult, StartResult } from "../results.js"
import type { Settings } from "../settings.js"
import { ratio, spread } from "../stats.js"
import { replayOrganizations } from "../workloads/replay.js"

export const measureStartup = async (
  { config }: Settings,
  { problems, measurementRows, details, targets, json }: Report
): Promise<void> => {
  const server = await startServer()
  try {
    const { connectionString } = server
    const t = performance.now()
    const loaded = Schema.decodeUnknownSync(LoadResult)(
      await runWorker("esdb-load", { connectionString, events: config.startupEvents })
    )
    log(`startup: appended ${formatNumber(loaded.events)} events to the test server in ${elapsed(t)}`)
    const start = async (writeSnapshot: boolean, label: string): Promise<StartResult> => {
      const tr = performance.now()
      const result = Schema.decodeUnknownSync(StartResult)(
        await runWorker("startup", { connectionString, events: config.startupEvents, writeSnapshot })
      )
      log(`startup ${label}: ready in ${formatNumber(result.readyMs)} ms (process done in ${elapsed(tr)})`)
      return result
    }
    const replays: Array<StartResult> = []
    for (let round = 0; round < config.startupRuns; round++) {
      // The last full replay writes the snapshot the next starts take, covering the whole history.
      replays.push(await start(round === config.startupRuns - 1, `by full replay ${round + 1}/${config.startupRuns}`))
    }
    const fromSnapshot: Array<StartResult> = []
    for (let round = 0; round < config.startupRuns; round++) {
      fromSnapshot.push(await start(false, `from the snapshot ${round + 1}/${config.startupRuns}`))
    }
    if (replays.some((r) => r.fromSnapshot)) problems.push("startup: a full replay started from a snapshot")
    if (fromSnapshot.some((r) => !r.fromSnapshot)) problems.push("startup: a start meant to use the snapshot replayed")
    const [reference] = replays
    for (const result of [...replays, ...fromSnapshot]) {
      for (const key of ["accounts", "activeTokens", "revokedTokens"] as const) {
        if (reference !== undefined && result[key] !== reference[key]) {
          problems.push(`startup: ${key} is ${result[key]} after one start and ${reference[key]} after another`)
        }
      }
    }
    const ready = {
      replay: spread(replays.map((r) => r.readyMs)),
      snapshot: spread(fromSnapshot.map((r) => r.readyMs))
    }
    const rss = {
      replay: spread(replays.map((r) => r.maxRssKb / 1024)),
      snapshot: spread(fromSnapshot.map((r) => r.maxRssKb / 1024))
    }
    const events = formatNumber(loaded.events)
    measurementRows.push([
      `start-up to ready over EventStoreDB, ms, ${events} events: from a snapshot (library column) vs by full replay (lower is better)`,
      formatSpread(ready.snapshot),
      formatSpread(ready.replay),
      "—"
    ])
    measurementRows.push([
      "start-up peak RSS, MB: from a snapshot (library column) vs by full replay (lower is better)",
      formatSpread(rss.snapshot),
      formatSpread(rss.replay),
      "—"
    ])
    if (reference !== undefined) {
      details.push(
        `startup: ${events} events over ${formatNumber(replayOrganizations(config.startupEvents).length)} organisations appended in ${formatNumber(loaded.seconds)} s; every start holds ${formatNumber(reference.accounts)} live accounts with ${formatNumber(reference.activeTokens)} active and ${formatNumber(reference.revokedTokens)} revoked tokens; the snapshot has ${formatNumber(replays[replays.length - 1]?.snapshotChunks ?? 0)} chunks`
      )
    }
    const time = ratio(ready.snapshot, ready.replay, false)
    targets.push({
      name: "start-up from a snapshot / by full replay, time to ready",
      ratio: time,
      comparison: "<=",
      threshold: 0.1
    })
    targets.push({
      name: "start-up from a snapshot / by full replay, peak RSS",
      ratio: ratio(rss.snapshot, rss.replay, false),
      comparison: "<=",
      threshold: 1
    })
    json.startupSnapshotRatio = time.value
    json.startup = { events: loaded.events, loadSeconds: loaded.seconds, readyMs: ready, peakRssMb: rss }
  } finally {
    await server.stop()
  }
}
