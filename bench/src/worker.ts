/**
 * One measurement job, run in its own process by the runner (`main.ts`, through `children.ts`) so that each has a
 * fresh heap and its own peak RSS.
 *
 * `worker.ts <job> <params as JSON>`; the last line of its output is `BENCH_RESULT <JSON>`. Modules are loaded
 * per job, so a process replaying with the raw baseline loads neither Effect nor the library.
 */
import { formatSummary, readProfile } from "./cpuprofile.js"
import type { AuthenticateParams, CommandsParams } from "./jobs.js"
import { profilingProbe } from "./profiler.js"
import type { ReplayResult } from "./results.js"

export interface ReplayParams {
  readonly file: string
  readonly implementation: "raw" | "ours"
}

const replayJob = async (params: ReplayParams): Promise<ReplayResult> => {
  const summary =
    params.implementation === "raw"
      ? await (await import("./workloads/replay-raw.js")).replayRaw(params.file)
      : await (await import("./workloads/replay-ours.js")).replayOurs(params.file)
  return { ...summary, maxRssKb: process.resourceUsage().maxRSS }
}

const main = async (): Promise<void> => {
  const [job, json] = process.argv.slice(2)
  const params: unknown = JSON.parse(json ?? "{}")
  const profile = process.env.BENCH_PROFILE_FILE
  const probe = profile === undefined || profile === "" ? undefined : profilingProbe(profile)
  let result: unknown
  switch (job) {
    case "commands":
      result = await (await import("./jobs.js")).commandsJob(toCommandsParams(params), probe)
      break
    case "replay":
      result = await replayJob(toReplayParams(params))
      break
    case "authenticate":
      result = await (await import("./jobs.js")).authenticateJob(toAuthenticateParams(params), probe)
      break
    default:
      throw new Error(`unknown job ${String(job)}`)
  }
  if (profile !== undefined && profile !== "") console.error(formatSummary(readProfile(profile)))
  process.stdout.write(`BENCH_RESULT ${JSON.stringify(result)}\n`)
}

const field = (params: unknown, name: string): unknown =>
  typeof params === "object" && params !== null ? Reflect.get(params, name) : undefined

const numberField = (params: unknown, name: string): number => {
  const value = field(params, name)
  if (typeof value !== "number") throw new Error(`parameter ${name} must be a number`)
  return value
}

const toCommandsParams = (params: unknown): CommandsParams => ({
  history: numberField(params, "history"),
  commands: numberField(params, "commands"),
  runs: numberField(params, "runs"),
  emmettBudgetMs: numberField(params, "emmettBudgetMs"),
  warmupMs: numberField(params, "warmupMs"),
  primeMs: numberField(params, "primeMs")
})

const toReplayParams = (params: unknown): ReplayParams => {
  const file = field(params, "file")
  const implementation = field(params, "implementation")
  if (typeof file !== "string") throw new Error("parameter file must be a string")
  if (implementation !== "raw" && implementation !== "ours") throw new Error("implementation must be raw or ours")
  return { file, implementation }
}

const toAuthenticateParams = (params: unknown): AuthenticateParams => ({
  tokens: numberField(params, "tokens"),
  calls: numberField(params, "calls"),
  runs: numberField(params, "runs")
})

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
