/**
 * `sa-audit`'s peak memory (issue 4): the built CLI's commands on a generated history, each in its own process
 * (`audit.ts`), against their memory limits.
 */
import { runAudit } from "../children.js"
import { elapsed, formatNumber, log } from "../output.js"
import type { Report } from "../report.js"
import type { Settings } from "../settings.js"

export const measureAudit = async ({ config }: Settings, { problems, auditRows, json }: Report): Promise<void> => {
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
