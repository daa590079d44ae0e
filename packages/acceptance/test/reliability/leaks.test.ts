/**
 * The secret-leak scan after a property run: fast-check draws random sequences of commands — valid, invalid,
 * refused, aimed at another organisation, authentications with tampered values — runs each against the service on
 * the memory store, and searches every token value the run was given (and any well-formed token value at all) in
 * every stored byte (data and metadata, usage events included: authentications are recorded), every captured log
 * line (all levels), every error and every read model (list, get, audit trail, usage report, unused tokens). The fault and concurrency runs make the same scan over their own runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { isUsageStream } from "@service-accounts/domain"
import { checkInvariants, modelStep, scanForSecrets } from "@service-accounts/testing"
import { Effect, FastCheck as fc } from "effect"
import { printFigures } from "./report.js"
import { runOnMemoryStore } from "./sequence.js"

const RUNS = Number(process.env.SA_LEAK_RUNS ?? 40)
const SEED = Number(process.env.SA_LEAK_SEED ?? 424242)

describe("secret-leak scan after a property run", () => {
  it.live(
    `${RUNS} random sequences of 20–60 commands: no token value anywhere but in the issue result`,
    () =>
      Effect.gen(function* () {
        let sequences = 0
        let commands = 0
        let secrets = 0
        let haystacks = 0
        let characters = 0
        let leaks = 0
        let usageEvents = 0
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(
              fc.array(modelStep, { minLength: 20, maxLength: 60 }),
              fc.integer(),
              async (steps, seed) => {
                const run = await Effect.runPromise(runOnMemoryStore(steps, { randomSeed: seed, service: {} }))
                const scan = scanForSecrets(run.values, [
                  ...run.history.map((event) => ({
                    where: `stored event ${event.streamId}@${event.revision}`,
                    text: `${event.streamId}\n${event.eventId}\n${event.type}\n${JSON.stringify(event.data)}\n${JSON.stringify(event.metadata)}`
                  })),
                  ...run.readModels,
                  ...run.logs,
                  ...run.errors
                ])
                sequences++
                usageEvents += run.history.filter((event) => isUsageStream(event.streamId)).length
                commands += steps.length
                secrets += scan.secrets
                haystacks += scan.haystacks
                characters += scan.charactersScanned
                leaks += scan.leaks.length
                expect(run.defects).toEqual([])
                expect(checkInvariants(run.history)).toEqual([])
                expect(scan.leaks).toEqual([])
              }
            ),
            { numRuns: RUNS, seed: SEED }
          )
        )
        printFigures("secret-leak scan (property run, memory store)", [
          ["sequences run", `${sequences} (seed ${SEED}; replay: SA_LEAK_SEED=${SEED})`],
          ["commands", commands],
          ["token values issued and scanned for", secrets],
          ["texts scanned (events, read models, log lines, errors)", haystacks],
          ["characters scanned", characters],
          ["usage events among them (authentications are recorded)", usageEvents],
          ["leaks found", leaks]
        ])
        expect(leaks).toBe(0)
        expect(secrets).toBeGreaterThan(0)
        expect(usageEvents).toBeGreaterThan(0)
      }),
    180_000
  )
})
