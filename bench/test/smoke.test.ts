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
import { ratio, spread } from "../src/stats.js"
import { newToken, sha256Hex } from "../src/tokens.js"
import { writeNdjson } from "../src/workloads/replay.js"
import { replayOurs, toRecorded } from "../src/workloads/replay-ours.js"
import { replayRaw } from "../src/workloads/replay-raw.js"

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
    expect(result.raw[0]).toBeGreaterThan(0)
  })

  it("summarises runs and ratios", () => {
    const a = spread([4, 1, 3, 2, 5])
    expect([a.median, a.min, a.max, a.q1, a.q3]).toEqual([3, 1, 5, 2, 4])
    const paired = ratio(spread([2, 4]), spread([1, 2]), true)
    expect([paired.value, paired.min, paired.max]).toEqual([2, 2, 2])
  })
})
