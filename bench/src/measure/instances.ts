/**
 * Several instances over EventStoreDB (issue 16), on one test server in a process of its own:
 * - revocation lag across OS processes: library (A revokes, B's `authenticate` refuses) against the raw client
 *   (`appendToStream` in one process, `subscribeToAll` delivering in another), one of each in turn;
 * - `issueToken` through `store-eventstoredb` against the raw client's `appendToStream` of events of the same size,
 *   each in a process of its own, rounds interleaved.
 */
import { randomUUID } from "node:crypto"
import { Schema } from "effect"
import { runWorker } from "../children.js"
import { type InstanceProcess, startInstance, startServer } from "../esdb/processes.js"
import { elapsed, formatNumber, formatSpread, log } from "../output.js"
import type { Report } from "../report.js"
import { EsdbCommandsResult, EsdbRate } from "../results.js"
import type { Settings } from "../settings.js"
import { percentile, type Ratio, ratio, spread } from "../stats.js"
import { lagOf, lastEventSize } from "../workloads/revocation-lag.js"

/** Untimed revocations (and raw appends) first: connections, state caches, the JIT. */
const WARMUP = 50
/** The lags are cut into this many consecutive blocks, to show how much a percentile moves within the run. */
const BLOCKS = 5

/** The ratio of a percentile of `a` to the same of `b`, with the range over consecutive blocks of the samples. */
const percentileRatio = (a: ReadonlyArray<number>, b: ReadonlyArray<number>, q: number): Ratio => {
  const size = Math.max(1, Math.floor(a.length / BLOCKS))
  const each: Array<number> = []
  for (let from = 0; from + size <= a.length; from += size) {
    each.push(percentile(a.slice(from, from + size), q) / percentile(b.slice(from, from + size), q))
  }
  return {
    value: percentile(a, q) / percentile(b, q),
    min: Math.min(...each),
    max: Math.max(...each),
    paired: true
  }
}

const measureLag = async (connectionString: string, revocations: number, report: Report): Promise<void> => {
  const { measurementRows, details, targets, json } = report
  const opened: Array<InstanceProcess> = []
  const open = async (made: Promise<InstanceProcess>) => {
    const instance = await made
    opened.push(instance)
    return instance
  }
  try {
    const t = performance.now()
    const b = await open(startInstance({ role: "library-watcher", connectionString, count: WARMUP + revocations }))
    const tokens = b.tokens
    if (tokens === undefined) throw new Error("the library's watcher issued no tokens")
    const a = await open(startInstance({ role: "library-writer", connectionString, tokens }))
    for (let k = 0; k < WARMUP; k++) await lagOf(b.watcher, a.writer, k)
    // The raw side appends events of the size of the library's TokenRevoked, as stored.
    const size = await lastEventSize(connectionString, tokens.organizationId)
    const stream = `raw-lag-${randomUUID()}`
    const rawB = await open(startInstance({ role: "raw-watcher", connectionString, stream }))
    const rawA = await open(startInstance({ role: "raw-writer", connectionString, stream, size }))
    for (let k = 0; k < WARMUP; k++) await lagOf(rawB.watcher, rawA.writer, k)
    const library: Array<number> = []
    const raw: Array<number> = []
    for (let i = 0; i < revocations; i++) {
      library.push(await lagOf(b.watcher, a.writer, WARMUP + i))
      raw.push(await lagOf(rawB.watcher, rawA.writer, WARMUP + i))
    }
    log(`instances: ${formatNumber(revocations)} revocations and as many raw appends in ${elapsed(t)}`)
    const p = (values: ReadonlyArray<number>, q: number) => percentile(values, q)
    for (const [name, q] of [
      ["p50", 0.5],
      ["p99", 0.99]
    ] as const) {
      measurementRows.push([
        `revocation lag across processes, ${name}, ms (lower is better; raw: append → subscription)`,
        formatNumber(p(library, q)),
        formatNumber(p(raw, q)),
        "—"
      ])
    }
    details.push(
      `revocation lag: ${formatNumber(revocations)} revocations (after ${WARMUP} untimed), from the start of A's revokeToken to B's authenticate refusing, each followed by a raw append of ${size.data} + ${size.metadata} bytes (data + metadata, the size of the stored TokenRevoked); library max ${formatNumber(Math.max(...library))} ms, raw max ${formatNumber(Math.max(...raw))} ms`
    )
    const p50 = percentileRatio(library, raw, 0.5)
    const p99 = percentileRatio(library, raw, 0.99)
    targets.push({ name: "library / raw, revocation lag p50", ratio: p50, comparison: "<=", threshold: 1.5 })
    targets.push({ name: "library / raw, revocation lag p99", ratio: p99, comparison: "<=", threshold: 1.5 })
    json.revocationLagP50Ratio = p50.value
    json.revocationLagP99Ratio = p99.value
    json.revocationLag = {
      revocations,
      eventSize: size,
      libraryMs: { p50: p(library, 0.5), p99: p(library, 0.99), max: Math.max(...library) },
      rawMs: { p50: p(raw, 0.5), p99: p(raw, 0.99), max: Math.max(...raw) }
    }
  } finally {
    for (const instance of opened) await instance.writer.close()
  }
}

/** The adapters the commands figure is measured for, with the names the report and `BENCH_JSON` give them. */
const adapters = [
  {
    adapter: "eventstoredb",
    label: "over EventStoreDB",
    package: "store-eventstoredb",
    target: "library / raw, issueToken over EventStoreDB",
    ratioKey: "esdbCommandsRatio",
    key: "esdbCommands"
  },
  {
    adapter: "kurrentdb",
    label: "over EventStoreDB through store-kurrentdb",
    package: "store-kurrentdb",
    target: "library / raw, issueToken over EventStoreDB through store-kurrentdb",
    ratioKey: "kurrentdbCommandsRatio",
    key: "kurrentdbCommands"
  }
] as const

const measureCommands = async (connectionString: string, settings: Settings, report: Report): Promise<void> => {
  const { config } = settings
  const { problems, measurementRows, details, targets, json } = report
  const warmup = Math.min(200, config.esdbCommands)
  for (const side of adapters) {
    const library: Array<EsdbCommandsResult> = []
    const raw: Array<typeof EsdbRate.Type> = []
    for (let round = 0; round < config.esdbRuns; round++) {
      const t = performance.now()
      const params = { connectionString, count: config.esdbCommands, warmup, adapter: side.adapter }
      const ours = Schema.decodeUnknownSync(EsdbCommandsResult)(await runWorker("esdb-library", params))
      const theirs = Schema.decodeUnknownSync(EsdbRate)(
        await runWorker("esdb-raw", { ...params, size: ours.eventSize })
      )
      library.push(ours)
      raw.push(theirs)
      log(`instances: issueToken ${side.label} round ${round + 1}/${config.esdbRuns} done in ${elapsed(t)}`)
    }
    if (library.some((r) => r.eventSize.data === 0))
      problems.push(`${side.package} commands: no TokenIssued was read back`)
    const rate = { library: spread(library.map((r) => r.perSecond)), raw: spread(raw.map((r) => r.perSecond)) }
    measurementRows.push([
      `issueToken commands/s ${side.label} (raw: the same client's appendToStream of the same size)`,
      formatSpread(rate.library),
      formatSpread(rate.raw),
      "—"
    ])
    const size = library[0]?.eventSize
    const cpu = { library: spread(library.map((r) => r.cpuMsPerOp)), raw: spread(raw.map((r) => r.cpuMsPerOp)) }
    details.push(
      `issueToken ${side.label}: ${formatNumber(config.esdbCommands)} commands a round after ${warmup} untimed, one at a time, each side in its own process; raw events of ${size?.data ?? 0} + ${size?.metadata ?? 0} bytes (data + metadata, as the library's TokenIssued); CPU time of the client process per operation: library ${formatNumber(cpu.library.median)} ms, raw ${formatNumber(cpu.raw.median)} ms (the server's not counted)`
    )
    const commands = ratio(rate.library, rate.raw, true)
    targets.push({ name: side.target, ratio: commands, comparison: ">=", threshold: 0.5 })
    json[side.ratioKey] = commands.value
    json[side.key] = { commandsPerRound: config.esdbCommands, perSecond: rate, cpuMsPerOp: cpu, eventSize: size }
  }
}

export const measureInstances = async (settings: Settings, report: Report): Promise<void> => {
  const server = await startServer()
  try {
    await measureLag(server.connectionString, settings.config.revocations, report)
    await measureCommands(server.connectionString, settings, report)
  } finally {
    await server.stop()
  }
}
