/**
 * A property of `sa-audit usage`: whatever uses three recorders record — any tokens, any times over a week, any counts
 * (whole units up to a thousand million, or quarters) — and whatever window is asked for, the report's every day,
 * token, account and organisation holds exactly the sums of what was recorded.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, FastCheck, TestContext } from "effect"
import { sa } from "./helpers.js"
import { checkJson, type ReportJson } from "./usageExpect.js"
import { DAY, type DirectoryPlan, generateHistory, NOW, type Use } from "./usageHistory.js"

const directory: DirectoryPlan = [
  [
    "acme",
    [
      ["builder", ["ci", "nightly"]],
      ["deployer", ["prod"]]
    ]
  ],
  ["globex", [["etl", ["loader", "backfill"]]]]
]
const TOKENS = ["ci", "nightly", "prod", "loader", "backfill"]

const use: FastCheck.Arbitrary<Use> = FastCheck.record({
  recorder: FastCheck.integer({ min: 0, max: 2 }),
  token: FastCheck.constantFrom(...TOKENS),
  // Any millisecond of the last seven days (a day's first and last ones included now and then).
  at: FastCheck.oneof(
    FastCheck.integer({ min: NOW - 7 * DAY, max: NOW }),
    FastCheck.integer({ min: 1, max: 6 }).map((days) => Math.floor(NOW / DAY - days + 1) * DAY - 1),
    FastCheck.integer({ min: 1, max: 6 }).map((days) => Math.floor(NOW / DAY - days) * DAY)
  ),
  requests: FastCheck.integer({ min: 0, max: 1000 }),
  units: FastCheck.oneof(
    FastCheck.integer({ min: 0, max: 1_000_000_000 }),
    FastCheck.integer({ min: 0, max: 4000 }).map((quarters) => quarters / 4)
  )
})

const dayArbitrary = FastCheck.integer({ min: 0, max: 8 }).map((back) =>
  new Date(NOW - back * DAY).toISOString().slice(0, 10)
)

const window = FastCheck.record({ since: dayArbitrary, until: dayArbitrary }, { requiredKeys: [] }).filter(
  (w) => w.since === undefined || w.until === undefined || w.since <= w.until
)

describe("sa-audit usage, for any uses recorded", () => {
  it.effect("reports exactly their sums per day, token, account and organisation, in any window", () =>
    Effect.promise(() =>
      FastCheck.assert(
        FastCheck.asyncProperty(FastCheck.array(use, { minLength: 1, maxLength: 40 }), window, async (uses, w) => {
          const history = await Effect.runPromise(
            generateHistory({ directory, uses }).pipe(Effect.provide(TestContext.TestContext))
          )
          const args = [
            ...(w.since === undefined ? [] : ["--since", w.since]),
            ...(w.until === undefined ? [] : ["--until", w.until])
          ]
          const result = await Effect.runPromise(sa("usage", "--file", history.path, "--format", "json", ...args))
          expect(result).toMatchObject({ code: 0, stderr: "" })
          const report: ReportJson = JSON.parse(result.stdout)
          checkJson(report, history, w, TOKENS)
        }),
        { numRuns: 40 }
      )
    )
  )
})
