import { describe, expect, it } from "@effect/vitest"
import { runModelTest } from "@service-accounts/testing"
import { onTestServer } from "./layers.js"

// The model-based property test (every command against a model, invariants, authentication, listings, the leak
// scan) on the adapter. `runModelTest` builds the layer once per sequence, so each sequence gets a fresh test server.
describe("the model-based test on the EventStoreDB adapter", () => {
  it("holds over 50 command sequences", { timeout: 120_000 }, async () => {
    const report = await runModelTest(onTestServer(), { runs: 50 })
    expect(report.sequences).toBe(50)
    expect(report.leaksFound).toBe(0)
    expect(report.outcomes.success ?? 0).toBeGreaterThan(0)
  })
})
