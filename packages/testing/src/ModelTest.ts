/**
 * The model-based test kit: random command sequences — valid, invalid, unauthorised, cross-organisation — and
 * reads (`get` of live, deleted and other organisations' accounts; `list`), run against `ServiceAccounts` on a
 * given store and compared, step by step and field by field, with a small reference model.
 * After every step the whole history must pass `checkInvariants`, every token ever issued must authenticate
 * exactly when the model says it is active, and the directory must list what the model lists. After each
 * sequence, every token value is searched for in every stored byte, read model, log line and error message.
 *
 * @example
 * ```ts
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { runModelTest } from "@service-accounts/testing"
 * import { it } from "vitest"
 *
 * // Your store's layer in place of the in-memory one: random command sequences run against the service on it and
 * // are compared, step by step, with a reference model.
 * it("the service on this store behaves as the model says", async () => {
 *   // Rejects with fast-check's report (the seed, the path, the shrunk counterexample) at the first mismatch.
 *   const report = await runModelTest(memoryStore, { runs: 100 })
 *   console.log(`${report.commands} commands, ${report.invariantChecks} invariant checks, seed ${report.seed}`)
 * }, 300_000)
 * ```
 *
 * @since 0.1.0
 */
import type { EventStore } from "@service-accounts/domain"
import { FastCheck as fc, type Layer } from "effect"
import { runSequence } from "./internal/model/sequence.js"
import { modelStep } from "./internal/model/steps.js"

export { type ModelStep, modelStep } from "./internal/model/steps.js"

/**
 * The figures of a model-based run.
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelTestReport {
  readonly seed: number
  readonly sequences: number
  readonly commands: number
  readonly outcomes: Readonly<Record<string, number>>
  readonly tokensIssued: number
  readonly authenticationsChecked: number
  readonly invariantChecks: number
  readonly leaksFound: number
}

/**
 * Options of a model-based run. `seed` and `path` replay a failure: fast-check prints both when a run fails
 * (or set `SA_MODEL_SEED` and `SA_MODEL_PATH`).
 *
 * @since 0.1.0
 * @category models
 */
export interface ModelTestOptions {
  readonly runs?: number
  readonly minCommands?: number
  readonly maxCommands?: number
  readonly seed?: number
  readonly path?: string
}

/**
 * Runs the model-based test against a store and returns its figures; rejects with fast-check's report (seed,
 * path, the shrunk counterexample) on the first mismatch.
 *
 * @since 0.1.0
 * @category runners
 */
export const runModelTest = async (
  storeLayer: Layer.Layer<EventStore, unknown>,
  options: ModelTestOptions = {}
): Promise<ModelTestReport> => {
  const envSeed = process.env.SA_MODEL_SEED
  const seed = options.seed ?? (envSeed === undefined ? Date.now() ^ (Math.random() * 0x7fffffff) : Number(envSeed))
  const path = options.path ?? process.env.SA_MODEL_PATH
  const totals = {
    sequences: 0,
    commands: 0,
    tokensIssued: 0,
    authenticationsChecked: 0,
    invariantChecks: 0,
    leaksFound: 0
  }
  const outcomes: Record<string, number> = {}
  let sequenceSeed = 0
  await fc.assert(
    fc.asyncProperty(
      fc.array(modelStep, { minLength: options.minCommands ?? 20, maxLength: options.maxCommands ?? 40 }),
      async (steps) => {
        // Give the event loop a turn between sequences: a long run must not starve timers and I/O (a test
        // runner's heartbeat, say) by chaining promises for minutes.
        await new Promise<void>((resolve) => setImmediate(resolve))
        const result = await runSequence(steps, storeLayer, sequenceSeed++)
        totals.sequences++
        totals.commands += result.commands
        totals.tokensIssued += result.tokensIssued
        totals.authenticationsChecked += result.authentications
        totals.invariantChecks += result.invariantChecks
        totals.leaksFound += result.leaks
        for (const [tag, count] of Object.entries(result.outcomes)) outcomes[tag] = (outcomes[tag] ?? 0) + count
      }
    ),
    { numRuns: options.runs ?? 1000, seed, ...(path === undefined ? {} : { path }) }
  )
  return { seed, ...totals, outcomes }
}
