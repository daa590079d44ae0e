/**
 * The benchmark's workloads at tiny sizes: they run, and their results are right (never how fast they are —
 * timings are `pnpm bench`'s business, not a unit test's).
 */
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Ndjson, OrganizationId, Token, decode, directoryStream } from "@service-accounts/domain"
import { checkInvariants } from "@service-accounts/testing"
import { Either } from "effect"
import { afterAll, describe, expect, it } from "vitest"
import { ndjsonLines, streamOf } from "../src/history.js"
import { authenticateJob, commandsJob } from "../src/jobs.js"
import { percentile, ratio, spread } from "../src/stats.js"
import { newToken, sha256Hex } from "../src/tokens.js"
import { libraryCommands, rawAppends } from "../src/workloads/esdb-commands.js"
import { writeNdjson } from "../src/workloads/replay.js"
import { replayOurs, toRecorded } from "../src/workloads/replay-ours.js"
import { replayRaw } from "../src/workloads/replay-raw.js"
import {
  lagOf,
  lastEventSize,
  libraryWatcher,
  libraryWriter,
  rawWatcher,
  rawWriter
} from "../src/workloads/revocation-lag.js"
import { loadHistory, startService } from "../src/workloads/startup.js"
import { start as startTestServer } from "@service-accounts/eventstoredb-test-server"

const dir = mkdtempSync(join(tmpdir(), "sa-bench-smoke-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("bench smoke", () => {
  it("makes token values the library accepts, and digests it agrees with", () => {
    for (let i = 0; i < 20; i++) {
      const value = newToken()
      expect(Token.isWellFormed(value)).toBe(true)
      expect(sha256Hex(value)).toBe(Token.digest(value))
    }
  })

  it("names streams as the library does", () => {
    expect(streamOf("org-1")).toBe(directoryStream(OrganizationId.make("org-1")))
  })

  it("generates histories that decode with the library's schemas and keep its invariants", () => {
    const [header, ...lines] = [...ndjsonLines({ events: 3000, organizations: ["org-a", "org-b", "org-c"], seed: 3 })]
    expect(header).toBe(Ndjson.HEADER_LINE)
    const recorded = lines.map((line, i) => toRecorded(line, i + 2))
    expect(lines[0]).toBe(recorded[0] === undefined ? "" : Ndjson.encodeLine(recorded[0]))
    expect(recorded.length).toBeGreaterThanOrEqual(3000)
    for (const event of recorded) expect(Either.isRight(decode(event))).toBe(true)
    expect(checkInvariants(recorded)).toEqual([])
  })

  it("runs the command workload on the library, the raw baseline and Emmett", async () => {
    const result = await commandsJob({
      history: 300,
      commands: 10,
      runs: 1,
      emmettBudgetMs: 10_000,
      warmupMs: 50,
      primeMs: 20
    })
    expect(result.problems).toEqual([])
    expect(result.history).toBeGreaterThanOrEqual(300)
    for (const series of [result.raw, result.ours, result.emmett]) {
      expect(series.perSecond).toHaveLength(1)
      expect(series.perSecond[0]).toBeGreaterThan(0)
      expect(series.commands).toEqual([10])
    }
  })

  it("replays an NDJSON history to the same read models with the library and the raw baseline", async () => {
    const file = join(dir, "history.ndjson")
    writeNdjson(file, 5000)
    const [ours, raw] = [await replayOurs(file), await replayRaw(file)]
    expect(ours.events).toBeGreaterThanOrEqual(5000)
    const { seconds: _a, eventsPerSecond: _b, ...oursCounts } = ours
    const { seconds: _c, eventsPerSecond: _d, ...rawCounts } = raw
    expect(oursCounts).toEqual(rawCounts)
    expect(ours.auditEntries).toBe(ours.events)
    expect(ours.activeTokens).toBeGreaterThan(0)
  })

  it("authenticates every issued token with the library and the raw baseline", async () => {
    const result = await authenticateJob({ tokens: 300, calls: 600, runs: 1 })
    expect(result.problems).toEqual([])
    expect(result.tokens).toBe(300)
    expect(result.ours[0]).toBeGreaterThan(0)
    expect(result.composed[0]).toBeGreaterThan(0)
    expect(result.recorded[0]).toBeGreaterThan(0)
    expect(result.raw[0]).toBeGreaterThan(0)
    // The recorded calls reached the store as usage appends: at least the flush made when the service closed.
    expect(result.usage.appends).toBeGreaterThan(0)
    expect(result.usage.organizations).toBe(3)
  })

  it("starts a service over EventStoreDB by full replay, writes a snapshot, and starts from it to the same state", async () => {
    const server = await startTestServer()
    try {
      const loaded = await loadHistory(server.connectionString, 3000)
      expect(loaded.events).toBeGreaterThanOrEqual(3000)
      const params = { connectionString: server.connectionString, events: 3000 }
      const replayed = await startService({ ...params, writeSnapshot: true })
      const restored = await startService({ ...params, writeSnapshot: false })
      expect([replayed.fromSnapshot, restored.fromSnapshot]).toEqual([false, true])
      expect(replayed.snapshotChunks).toBeGreaterThan(0)
      const counts = (r: typeof replayed) => [r.accounts, r.activeTokens, r.revokedTokens]
      expect(counts(restored)).toEqual(counts(replayed))
      expect(replayed.activeTokens).toBeGreaterThan(0)
      expect(replayed.readyMs).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
  })

  it("measures the revocation lag (library and raw client) and issueToken over EventStoreDB", async () => {
    const server = await startTestServer()
    const cs = server.connectionString
    try {
      const { watcher, tokens } = await libraryWatcher(cs, 3)
      const writer = await libraryWriter(cs, tokens)
      const library = [await lagOf(watcher, writer, 0), await lagOf(watcher, writer, 1)]
      // The token was revoked: watching it again is refused.
      await expect(watcher.watch(0)).rejects.toThrow()
      const size = await lastEventSize(cs, tokens.organizationId)
      expect(size.data).toBeGreaterThan(100)
      const rawW = await rawWatcher(cs, "raw-smoke")
      const rawA = rawWriter(cs, "raw-smoke", size)
      const raw = [await lagOf(rawW, rawA, 0), await lagOf(rawW, rawA, 1)]
      for (const lag of [...library, ...raw]) expect(lag).toBeGreaterThan(0)
      for (const closing of [watcher, writer, rawW, rawA]) await closing.close()

      const ours = await libraryCommands({ connectionString: cs, count: 5, warmup: 2 })
      expect(ours.count).toBe(5)
      expect(ours.perSecond).toBeGreaterThan(0)
      expect(ours.eventSize.data).toBeGreaterThan(100)
      const theirs = await rawAppends({ connectionString: cs, count: 5, warmup: 2, size: ours.eventSize })
      expect(theirs.perSecond).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
  })

  it("summarises runs and ratios", () => {
    const a = spread([4, 1, 3, 2, 5])
    expect([a.median, a.min, a.max, a.q1, a.q3]).toEqual([3, 1, 5, 2, 4])
    const paired = ratio(spread([2, 4]), spread([1, 2]), true)
    expect([paired.value, paired.min, paired.max]).toEqual([2, 2, 2])
    expect([percentile([3, 1, 2], 0.5), percentile([1, 2, 3, 4, 5], 0.99)]).toEqual([2, 4.96])
  })
})
