/**
 * The command workload (`issueToken` against histories of each length) on the library, the raw baseline and
 * Emmett: one worker per history length, then its rows, details and targets.
 */
import { join } from "node:path"
import { Schema } from "effect"
import { runWorker } from "../children.js"
import { elapsed, formatNumber, formatSpread, log } from "../output.js"
import type { Report } from "../report.js"
import { CommandsResult } from "../results.js"
import type { Settings } from "../settings.js"
import { ratio, spread } from "../stats.js"

export const measureCommands = async (
  { config, profileDir }: Settings,
  { problems, measurementRows, details, targets, json }: Report
): Promise<void> => {
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
