/**
 * The child processes of a run: a measurement job in `worker.ts`, or the `sa-audit` workload in `audit.ts`, each
 * with this process's loader and conditions and a fresh heap; each reports one JSON line, decoded here.
 */
import { spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Schema } from "effect"
import { log } from "./output.js"

const env = process.env

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
export const runAudit = (events: number, runs: number): Promise<typeof AuditReport.Type> =>
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
export const runWorker = (
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
