/**
 * The usage view: the sums of every recorder's events per token and day, the last use the latest of them, the days
 * kept limited by the retention, and the view as JSON restoring to the same view.
 */
import { describe, expect, it } from "vitest"
import { DateTime, Schema } from "effect"
import {
  foldProjection,
  OrganizationId,
  ServiceAccountId,
  type StoredUsage,
  TokenId,
  UsageDay,
  UsageRecorded,
  usageStream,
  UsageView
} from "../src/index.js"

const acme = OrganizationId.make("acme")
const account = ServiceAccountId.make("0b5c3a1e-7d2f-4e8a-9b6c-1d2e3f4a5b6c")
const tokenA = TokenId.make("2c6d4b2f-8e3a-4f9b-8c7d-2e3f4a5b6c7d")
const tokenB = TokenId.make("3d7e5c3a-9f4b-4a0c-9d8e-3f4a5b6c7d8e")
const recorders = ["7d3f2a4e-3c1b-4a5e-9f00-2b8c1d6e4f10", "8e4a3b5f-4d2c-4b6f-a011-3c9d2e7f5a21"]

let revision = 0n
const used = (
  recorder: string,
  day: string,
  entries: ReadonlyArray<readonly [TokenId, number, number, string]>
): StoredUsage => {
  const event = UsageRecorded.make({
    day: UsageDay.make(day),
    recorder,
    sequence: 0,
    entries: entries.map(([tokenId, requests, units, at]) => ({
      organizationId: acme,
      serviceAccountId: account,
      tokenId,
      requests,
      units,
      lastUsedAt: DateTime.unsafeMake(at)
    }))
  })
  revision++
  return { streamId: usageStream(event.day, recorder), revision, position: revision, event }
}

describe("the usage view", () => {
  const events = [
    used(recorders[0] ?? "", "2026-12-05", [[tokenA, 2, 1.5, "2026-12-05T10:00:00Z"]]),
    used(recorders[1] ?? "", "2026-12-05", [
      [tokenA, 3, 0.25, "2026-12-05T09:00:00Z"],
      [tokenB, 1, 0, "2026-12-05T11:00:00Z"]
    ]),
    // A day arriving late (a recorder that flushed after another's newer day).
    used(recorders[1] ?? "", "2026-12-07", [[tokenA, 1, 0, "2026-12-07T08:00:00Z"]]),
    used(recorders[0] ?? "", "2026-12-06", [[tokenA, 4, 2, "2026-12-06T23:59:59Z"]])
  ]

  it("sums every recorder's events per token and day; the last use is the latest of them", () => {
    const view = foldProjection(UsageView.projection, events)
    const a = UsageView.token(view, tokenA)
    expect(a?.lastUsedAt.toISOString()).toBe("2026-12-07T08:00:00.000Z")
    expect(a?.days).toEqual([
      { day: "2026-12-05", requests: 5, units: 1.75 },
      { day: "2026-12-06", requests: 4, units: 2 },
      { day: "2026-12-07", requests: 1, units: 0 }
    ])
    expect(UsageView.token(view, tokenA, "2026-12-06")?.days.map((d) => d.day)).toEqual(["2026-12-06", "2026-12-07"])
    const all = UsageView.tokens(view, { organizationId: acme })
    expect(UsageView.total(UsageView.sumDays(all))).toEqual({ requests: 11, units: 3.75 })
    expect(UsageView.tokens(view, { organizationId: OrganizationId.make("globex") })).toEqual([])
  })

  it("keeps only the days of the retention before the newest day it is given", () => {
    const view = foldProjection(UsageView.projectionKeeping(1), events)
    // Kept: 2026-12-06 and 2026-12-07 (one day before the newest); 2026-12-05 let go when the late day came.
    expect(UsageView.token(view, tokenA)?.days.map((day) => day.day)).toEqual(["2026-12-06", "2026-12-07"])
    expect(UsageView.lastUsedAt(view, tokenB)).toBe(Date.parse("2026-12-05T11:00:00Z"))
  })

  it("as JSON, through text and its schema, restores to the same view and folds on the same", () => {
    for (let n = 0; n <= events.length; n++) {
      const view = foldProjection(UsageView.projection, events.slice(0, n))
      const text = JSON.stringify(UsageView.toJson(view))
      const restored = UsageView.fromJson(
        Schema.decodeUnknownSync(Schema.Array(UsageView.TokenUsageJsonSchema))(JSON.parse(text))
      )
      expect(UsageView.tokens(restored)).toEqual(UsageView.tokens(view))
      const rest = events.slice(n)
      expect(UsageView.tokens(foldProjection(UsageView.projection, rest, restored))).toEqual(
        UsageView.tokens(foldProjection(UsageView.projection, events))
      )
    }
  })
})
