/**
 * What a run found, gathered as the workloads are measured, and how it is printed at the end: the measurements, the
 * targets of issues 6 and 4 with their status, the details and problems, then one `BENCH_JSON {...}` line.
 */
import * as os from "node:os"
import { elapsed, formatRatio, log, table } from "./output.js"
import type { Ratio } from "./stats.js"

/** A ratio the acceptance of issue 6 sets a bound on. */
export interface Target {
  readonly name: string
  readonly ratio: Ratio
  readonly comparison: ">=" | "<="
  readonly threshold: number
}

const met = (t: Target): boolean =>
  t.comparison === ">=" ? t.ratio.value >= t.threshold : t.ratio.value <= t.threshold

/** Filled in by each workload's measure function, in the order they run. */
export interface Report {
  readonly problems: Array<string>
  readonly measurementRows: Array<Array<string>>
  readonly details: Array<string>
  readonly targets: Array<Target>
  /** The rows of issue 4's table (sa-audit's peak memory). */
  readonly auditRows: Array<Array<string>>
  /** What `BENCH_JSON` prints: the run's description first, then each workload's figures. */
  readonly json: Record<string, unknown>
}

export const emptyReport = (json: Record<string, unknown>): Report => ({
  problems: [],
  measurementRows: [],
  details: [],
  targets: [],
  auditRows: [],
  json
})

/** Prints the tables, details and problems, then the `BENCH_JSON` line; `started` is the run's start. */
export const printReport = (
  { problems, measurementRows, details, targets, auditRows, json }: Report,
  started: number
): void => {
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
}
