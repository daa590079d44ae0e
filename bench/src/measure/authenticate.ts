/**
 * The authenticate workload: bearer-token calls against an index of active tokens, on the library (directly and
 * composed through `Effect.map`) and the raw baseline.
 */
import { join } from "node:path"
import { Schema } from "effect"
import { runWorker } from "../children.js"
import { elapsed, formatNumber, formatRatio, formatSpread, log } from "../output.js"
import type { Report } from "../report.js"
import { AuthenticateResult } from "../results.js"
import type { Settings } from "../settings.js"
import { ratio, spread } from "../stats.js"

export const measureAuthenticate = async (
  { config, profileDir }: Settings,
  { problems, measurementRows, details, targets, json }: Report
): Promise<void> => {
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
  const recorded = spread(result.recorded)
  measurementRows.push([
    "authenticate calls/s, recording each call's usage (`{ record: true }`)",
    formatSpread(recorded),
    formatSpread(raw),
    "—"
  ])
  // Refusals have no target: reported so that what a flood of made-up tokens costs a host stays in view.
  const refused = spread(result.refused)
  const rawRefused = spread(result.rawRefused)
  measurementRows.push([
    "authenticate calls/s refusing values never issued (`Effect.either(authenticate(v))`)",
    formatSpread(refused),
    formatSpread(rawRefused),
    "—"
  ])
  details.push(
    `authenticate refusing values never issued: ${formatRatio(ratio(refused, rawRefused, true))} the raw rate of the same misses (no target)`
  )
  // The most appends the store received within any one flush interval (wherever it starts), per organisation.
  const { appends, organizations, mostInAnInterval, intervalMs } = result.usage
  const appendsPerOrg = mostInAnInterval / organizations
  details.push(
    `usage: ${appends} usage append(s) in all, for ${organizations} organisations; at most ${mostInAnInterval} within any ${formatNumber(intervalMs)} ms (the flush interval): ${appendsPerOrg.toFixed(3)} per organisation per interval`
  )
  targets.push({
    name: "library / raw, authenticate calls/s recording usage",
    ratio: ratio(recorded, raw, true),
    comparison: ">=",
    threshold: 0.5
  })
  targets.push({
    name: "usage appends per organisation per flush interval",
    ratio: { value: appendsPerOrg, min: appendsPerOrg, max: appendsPerOrg, paired: false },
    comparison: "<=",
    threshold: 1
  })
  json.authenticateWithUsageRatio = ratio(recorded, raw, true)
  json.usageAppendsPerOrgPerInterval = appendsPerOrg
  targets.push({
    name: "library / raw, authenticate calls/s",
    ratio: ratio(ours, raw, true),
    comparison: ">=",
    threshold: 0.5
  })
  json.authenticate = {
    tokens: result.tokens,
    calls: config.calls,
    ours,
    raw,
    composed,
    recorded,
    refused,
    rawRefused,
    usage: result.usage
  }
}
