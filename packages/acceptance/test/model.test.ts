import { describe, expect, it } from "@effect/vitest"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { runModelTest } from "@service-accounts/testing"

const runs = Number(process.env.SA_MODEL_RUNS ?? 1000)

describe("model-based property test (memory store)", () => {
  it(`runs ${runs} random command sequences of 20–40 commands without a violation or a leak`, async () => {
    const report = await runModelTest(memoryStore, { runs, minCommands: 20, maxCommands: 40 })
    console.log(
      [
        `model-based test on the memory store — seed ${report.seed} (replay: SA_MODEL_SEED=${report.seed})`,
        `  sequences ${report.sequences}, commands ${report.commands}, tokens issued ${report.tokensIssued}`,
        `  invariant checks ${report.invariantChecks}, authentications checked ${report.authenticationsChecked}`,
        `  outcomes ${JSON.stringify(report.outcomes)}`,
        `  leaks found ${report.leaksFound}`
      ].join("\n")
    )
    expect(report.sequences).toBe(runs)
    expect(report.leaksFound).toBe(0)
    expect(report.outcomes.success ?? 0).toBeGreaterThan(0)
    if (runs >= 100)
      for (const refusal of [
        "DuplicateServiceAccountName",
        "DuplicateTokenName",
        "InvalidInput",
        "NotAuthorized",
        "PlanNotEligible",
        "ServiceAccountNotFound",
        "TokenAlreadyRevoked",
        "AuthenticationFailed"
      ]) {
        expect(report.outcomes[refusal] ?? 0, refusal).toBeGreaterThan(0)
      }
  })
})
