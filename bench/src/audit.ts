/**
 * The auditor's workloads: the built `sa-audit` on a generated history of 100,000 events (sealed as the service
 * seals them, with signed checkpoints of every organisation every 10,000 events), each command in its own process,
 * its wall time and peak resident memory (RSS) measured. The acceptance target: `verify` and `replay` in one
 * streaming pass each, under 256 MB.
 *
 * `pnpm bench` runs it (workload `audit`); on its own:
 *
 *   pnpm build && pnpm --filter @service-accounts/bench exec tsx --conditions=source src/audit.ts
 *
 * Environment: `BENCH_AUDIT_EVENTS` (default 100000), `BENCH_AUDIT_RUNS` (default 3; the median is shown),
 * `BENCH_AUDIT_DIR` (write the history and key there and keep them, to run `sa-audit` on them by hand).
 *
 * Baseline, measured in the same run: a Node process that streams the same file line by line and `JSON.parse`s
 * each line (the floor for anything that reads the file); the ratios compare each command's time with it.
 */
import { spawnSync } from "node:child_process"
import { generateKeyPairSync, type KeyObject } from "node:crypto"
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync
} from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { Integrity, IntegrityCheckpoints, Ndjson, type RecordedEvent } from "@service-accounts/domain"
import { generateHistory, streamOf } from "./history.js"
import { replayOrganizations } from "./workloads/replay.js"

const events = Number(process.env.BENCH_AUDIT_EVENTS ?? 100_000)
const runs = Number(process.env.BENCH_AUDIT_RUNS ?? 3)
const LIMIT_MB = 256
const CHECKPOINT_EVERY = 10_000

const bin = fileURLToPath(new URL("../../packages/cli/dist/bin.js", import.meta.url))

/** Writes a sealed history with periodic checkpoints; returns how many lines it holds. */
const writeHistory = (path: string, key: KeyObject): { readonly events: number; readonly checkpoints: number } => {
  const fd = openSync(path, "w")
  const tips = new Map<string, { revision: bigint; digest: string }>()
  let position = 0n
  let written = 0
  let checkpoints = 0
  let buffer: Array<string> = []
  const emit = (streamId: string, type: string, eventId: string, data: RecordedEvent["data"], at: string) => {
    const tip = tips.get(streamId) ?? { revision: -1n, digest: Integrity.GENESIS }
    const revision = tip.revision + 1n
    const { events: sealed, last } = Integrity.seal(streamId, revision, tip.digest, [
      { eventId, type, data, metadata: { schemaVersion: 1 } }
    ])
    tips.set(streamId, { revision, digest: last })
    const [event] = sealed
    if (event === undefined) return
    buffer.push(Ndjson.encodeLine({ ...event, streamId, revision, position: position++, recordedAt: new Date(at) }))
    written++
    if (buffer.length >= 2000) {
      writeSync(fd, `${buffer.join("\n")}\n`)
      buffer = []
    }
  }
  const checkpointAll = (at: string) => {
    for (const [streamId, tip] of [...tips].filter(([id]) => id.startsWith("serviceAccountDirectory-"))) {
      const checkpoint = Integrity.signCheckpoint(key, {
        streamId,
        revision: String(tip.revision),
        digest: tip.digest,
        createdAt: at
      })
      emit(
        IntegrityCheckpoints.integrityStreamOf(streamId),
        IntegrityCheckpoints.CHECKPOINT_EVENT_TYPE,
        crypto.randomUUID(),
        { ...checkpoint },
        at
      )
      checkpoints++
    }
  }
  try {
    writeSync(fd, `${Ndjson.HEADER_LINE}\n`)
    let last = "2026-01-01T00:00:00.000Z"
    let sinceCheckpoint = 0
    for (const append of generateHistory({ events, organizations: replayOrganizations(events), seed: 7 })) {
      for (const { organizationId, event } of append) {
        emit(streamOf(organizationId), event._tag, crypto.randomUUID(), event, event.occurredAt)
        last = event.occurredAt
        sinceCheckpoint++
      }
      if (sinceCheckpoint >= CHECKPOINT_EVERY) {
        checkpointAll(last)
        sinceCheckpoint = 0
      }
    }
    checkpointAll(last)
    if (buffer.length > 0) writeSync(fd, `${buffer.join("\n")}\n`)
  } finally {
    closeSync(fd)
  }
  return { events: written, checkpoints }
}

/** Reports the process's peak RSS (kB) to the file named by AUDIT_RSS_FILE when it exits. */
const RSS_REPORTER = `import { writeFileSync } from "node:fs"
process.on("exit", () => writeFileSync(process.env.AUDIT_RSS_FILE, String(process.resourceUsage().maxRSS)))
`

/** Streams lines and parses each: the floor for reading the file. */
const BASELINE = `import { createReadStream } from "node:fs"
import { createInterface } from "node:readline"
let n = 0
for await (const line of createInterface({ input: createReadStream(process.argv[2], { highWaterMark: 1 << 16 }), crlfDelay: Infinity })) {
  JSON.parse(line)
  n++
}
console.log(n)
`

interface Measurement {
  readonly seconds: number
  readonly rssMb: number
  readonly code: number | null
  readonly stdout: string
}

const measure = (dir: string, args: ReadonlyArray<string>): Measurement => {
  const rssFile = join(dir, "rss")
  rmSync(rssFile, { force: true })
  const started = process.hrtime.bigint()
  const result = spawnSync(process.execPath, ["--import", join(dir, "rss.mjs"), ...args], {
    encoding: "utf8",
    maxBuffer: 1 << 30,
    env: { ...process.env, AUDIT_RSS_FILE: rssFile }
  })
  const seconds = Number(process.hrtime.bigint() - started) / 1e9
  const rssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, "utf8")) : Number.NaN
  if (result.status !== 0) process.stderr.write(result.stderr)
  return { seconds, rssMb: rssKb / 1024, code: result.status, stdout: result.stdout }
}

const median = (values: ReadonlyArray<number>): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN
}

const main = () => {
  if (!existsSync(bin)) {
    console.error(`sa-audit is not built (${bin}): run pnpm build first`)
    process.exitCode = 1
    return
  }
  const keep = process.env.BENCH_AUDIT_DIR
  const dir = keep === undefined || keep === "" ? mkdtempSync(join(tmpdir(), "bench-audit-")) : keep
  try {
    writeFileSync(join(dir, "rss.mjs"), RSS_REPORTER)
    writeFileSync(join(dir, "baseline.mjs"), BASELINE)
    const { privateKey, publicKey } = generateKeyPairSync("ed25519")
    const keyPath = join(dir, "public.pem")
    writeFileSync(keyPath, publicKey.export({ type: "spki", format: "pem" }))
    const history = join(dir, "history.ndjson")
    const generated = writeHistory(history, privateKey)
    const sizeMb = statSync(history).size / (1 << 20)
    console.log(
      `sa-audit on ${generated.events.toLocaleString("en-US")} events (${generated.checkpoints} checkpoints, ${sizeMb.toFixed(1)} MB NDJSON), median of ${runs} run(s), each in its own process`
    )
    const workloads: ReadonlyArray<readonly [string, ReadonlyArray<string>]> = [
      ["baseline: stream + JSON.parse", [join(dir, "baseline.mjs"), history]],
      ["verify --public-key", [bin, "verify", "--file", history, "--public-key", keyPath]],
      ["replay (directory view)", [bin, "replay", "--file", history, "--format", "json"]],
      ["replay --view audit", [bin, "replay", "--view", "audit", "--file", history, "--format", "json"]],
      ["check", [bin, "check", "--file", history]],
      ["as-of --position", [bin, "as-of", "--file", history, "--position", String(Math.floor(generated.events / 2))]]
    ]
    let baseline = Number.NaN
    let over = false
    const rows: Array<string> = []
    const results: Array<{ name: string; seconds: number; rssMb: number; limitMb?: number; exitCode: number | null }> =
      []
    for (const [name, args] of workloads) {
      const measured = Array.from({ length: runs }, () => measure(dir, args))
      const failed = measured.find((m) => m.code !== 0)
      const seconds = median(measured.map((m) => m.seconds))
      const rss = Math.max(...measured.map((m) => m.rssMb))
      if (name.startsWith("baseline")) baseline = seconds
      const limited = name.startsWith("verify") || name.startsWith("replay")
      if (limited && rss >= LIMIT_MB) over = true
      rows.push(
        `  ${name.padEnd(32)} ${seconds.toFixed(2).padStart(7)} s  ${(generated.events / seconds).toFixed(0).padStart(8)} events/s  ${(seconds / baseline).toFixed(1).padStart(5)}x baseline  peak RSS ${rss.toFixed(0).padStart(4)} MB${limited ? (rss < LIMIT_MB ? "  (< 256 MB: ok)" : "  (OVER 256 MB)") : ""}${failed === undefined ? "" : `  exit ${failed.code}`}`
      )
      console.log(rows.at(-1))
      results.push({
        name,
        seconds,
        rssMb: rss,
        ...(limited ? { limitMb: LIMIT_MB } : {}),
        exitCode: failed === undefined ? 0 : failed.code
      })
    }
    console.log(
      `BENCH_AUDIT_JSON ${JSON.stringify({ events: generated.events, checkpoints: generated.checkpoints, sizeMb, results })}`
    )
    if (over) process.exitCode = 1
  } finally {
    if (keep === undefined || keep === "") rmSync(dir, { recursive: true, force: true })
  }
}

main()
