/**
 * Replay: read a history from an NDJSON file, one recorded event a line, and fold it into the three read models
 * (directory view, token index, audit trail). Both implementations stream the file through the same line
 * splitter (`readline` over a read stream), so memory is bounded by the read models, never by the file.
 *
 * The file is in the library's NDJSON history format (a header line, then one recorded event a line: what
 * `sa-audit export` writes and auditors replay).
 *
 * - the library: the line read with `Ndjson.decodeLine` (`JSON.parse`, the envelope checked with its schema),
 *   the event decoded with the domain's `decode` (Schema, strict), then `apply` of `DirectoryView.projection`,
 *   `TokenIndex.projection` and `AuditTrail.projection`;
 * - the raw baseline: `JSON.parse`, then the same three read models as plain mutable `Map`s and arrays.
 *
 * The two live in their own modules (`replay-ours.ts`, `replay-raw.ts`) so that a process measuring the raw
 * baseline's peak RSS loads neither Effect nor the library. This module (the writer) loads neither either.
 */
import { closeSync, createReadStream, openSync, writeSync } from "node:fs"
import { createInterface } from "node:readline"
import { ndjsonLines } from "../history.js"

/** What a replay found: the same numbers from both implementations, or one of them is wrong. */
export interface ReplaySummary {
  readonly events: number
  readonly seconds: number
  readonly eventsPerSecond: number
  readonly organizations: number
  readonly liveAccounts: number
  /** Active tokens of live accounts. */
  readonly activeTokens: number
  /** Token index entries (every token ever issued, revoked ones marked). */
  readonly indexedTokens: number
  readonly auditEntries: number
  /**
   * The heap still in use once the replay is done and a full collection ran (the read models and what the process
   * needs anyway), in MB: what the read models really hold, without the garbage a peak RSS also counts. `NaN` when
   * the process was not started with `--expose-gc`.
   */
  readonly liveHeapMb: number
}

/** Collects garbage (when `--expose-gc` allows it) and returns the heap in use, in MB. Call it with the state live. */
export const liveHeapMb = (): number => {
  const gc: unknown = Reflect.get(globalThis, "gc")
  if (typeof gc !== "function") return Number.NaN
  Reflect.apply(gc, globalThis, [])
  return process.memoryUsage().heapUsed / 2 ** 20
}

/** The organisations of a generated replay history: 1,000, or fewer for small histories. */
export const replayOrganizations = (events: number): ReadonlyArray<string> =>
  Array.from(
    { length: Math.max(1, Math.min(1000, Math.floor(events / 1000))) },
    (_, i) => `org-${String(i).padStart(4, "0")}`
  )

/** Writes a generated history of `events` events to `path` as NDJSON. */
export const writeNdjson = (path: string, events: number, seed = 2024): void => {
  const fd = openSync(path, "w")
  try {
    let buffer: Array<string> = []
    let size = 0
    for (const line of ndjsonLines({ events, organizations: replayOrganizations(events), seed })) {
      buffer.push(line)
      size += line.length + 1
      if (size >= 1 << 20) {
        writeSync(fd, `${buffer.join("\n")}\n`)
        buffer = []
        size = 0
      }
    }
    if (buffer.length > 0) writeSync(fd, `${buffer.join("\n")}\n`)
  } finally {
    closeSync(fd)
  }
}

/** The lines of a file, streamed: at most one read buffer (64 KiB) and one line in memory at a time. */
export const lines = (path: string) =>
  createInterface({ input: createReadStream(path, { highWaterMark: 1 << 16 }), crlfDelay: Number.POSITIVE_INFINITY })
