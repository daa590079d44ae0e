import { describe, expect, it } from "@effect/vitest"
import { runModelTest } from "@service-accounts/testing"
import { onTestServer } from "./layers.js"

// The model-based property test (every command against a model, invariants, authentication, listings, the leak
// scan) on the adapter, its reads through the native bridge. `runModelTest` builds the layer once per sequence, so
// each sequence gets a fresh test server.
describe("the model-based test on the KurrentDB adapter", () => {
  // Fewer runs than on the memory store (each sequence starts a server); a generous timeout for loaded machines.
  it("holds over 30 command sequences", { timeout: 600_000 }, async () => {
    const report = await runModelTest(onTestServer(), { runs: 30 })
    console.log(
      `model-based test on the KurrentDB adapter — seed ${report.seed}, ${report.commands} commands, leaks ${report.leaksFound}`
    )
    expect(report.sequences).toBe(30)
    expect(report.leaksFound).toBe(0)
    expect(report.outcomes.success ?? 0).toBeGreaterThan(0)
  })
})
