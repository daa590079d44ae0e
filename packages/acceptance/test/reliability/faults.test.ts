/**
 * Fault injection, end to end: a random sequence of commands is run twice on the memory store — once without
 * faults, once with 10% of appends failing (half before the write, half after it, the reply lost), some replies
 * delayed and the read models' subscription dropped now and then — and must leave the same history, event for
 * event (generated ids, digests and times normalised), with the same outcome for every command.
 *
 * The service re-sends a failed append itself (its `storeRetry`: bounded, jittered, the very same events with the
 * same ids and expected revision). A second run allows it only one re-send, so some commands also outlast it and
 * reach the caller as `EventStoreUnavailable`; the caller then sends the same command with the same command id,
 * and the service answers from the history — an unknown outcome is resolved through idempotency, never by a
 * blind second append.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  checkInvariants,
  type FaultCounts,
  formatFaultCounts,
  type Haystack,
  scanForSecrets
} from "@service-accounts/testing"
import type { ServiceAccountsOptions } from "@service-accounts/domain"
import { Effect, Schedule } from "effect"
import { addCounts, printFigures } from "./report.js"
import { generateSteps, normaliseHistory, type RunResult, runOnMemoryStore, sameOutcomes } from "./sequence.js"

const LONG_SEQUENCES = Number(process.env.SA_FAULT_SEQUENCES ?? 3)
const LONG_LENGTH = 1000
const SHORT_SEQUENCES = Number(process.env.SA_FAULT_SHORT_SEQUENCES ?? 40)
const SHORT_LENGTH = 30
const BASE_SEED = Number(process.env.SA_FAULT_SEED ?? 20260101)

/** The service's `storeRetry` as by default (three jittered re-sends), quicker: from 1 ms instead of 50 ms. */
const threeResends = {
  storeRetry: Schedule.exponential("1 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))
}
/** One re-send only: commands outlast it often enough that the caller re-sends them with their command id. */
const oneResend = {
  storeRetry: Schedule.exponential("1 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(1)))
}
const rates = { beforeCommit: 0.05, afterCommit: 0.05, delay: 0.05, subscriptionDrop: 0.005 }

const storedHaystacksOf = (run: RunResult): ReadonlyArray<Haystack> =>
  run.history.map((event) => ({
    where: `stored event ${event.streamId}@${event.revision}`,
    text: `${event.streamId}\n${event.eventId}\n${event.type}\n${JSON.stringify(event.data)}\n${JSON.stringify(event.metadata)}`
  }))

/** Commands applied more than once: a command id whose events appear in two separate appends. */
const duplicatesIn = (run: RunResult): number => {
  const seen = new Set<string>()
  let duplicates = 0
  let previous: string | undefined
  for (const event of run.history) {
    const commandId = typeof event.metadata.commandId === "string" ? event.metadata.commandId : undefined
    if (commandId !== undefined && commandId !== previous) {
      if (seen.has(commandId)) duplicates++
      seen.add(commandId)
    }
    previous = commandId
  }
  const names = checkInvariants(run.history).filter((v) => v.invariant === "I1" || v.invariant === "I2").length
  return duplicates + names
}

interface Totals {
  readonly faults: Record<keyof FaultCounts, number>
  sequences: number
  commands: number
  events: number
  callerRetries: number
  valuesWithheld: number
  duplicates: number
  leaks: number
  secrets: number
}

/** Runs each sequence without and with faults, checks they agree, and adds up the figures. */
const compareRuns = (service: ServiceAccountsOptions, sequences: ReadonlyArray<{ seed: number; length: number }>) =>
  Effect.gen(function* () {
    const totals: Totals = {
      faults: {
        appends: 0,
        conflicts: 0,
        beforeCommit: 0,
        afterCommit: 0,
        reads: 0,
        readFailures: 0,
        subscriptions: 0,
        subscriptionMessages: 0,
        subscriptionDrops: 0,
        delays: 0
      },
      sequences: 0,
      commands: 0,
      events: 0,
      callerRetries: 0,
      valuesWithheld: 0,
      duplicates: 0,
      leaks: 0,
      secrets: 0
    }
    for (const { seed, length } of sequences) {
      const steps = generateSteps(seed, length)
      const clean = yield* runOnMemoryStore(steps, { randomSeed: seed, service })
      const faulty = yield* runOnMemoryStore(steps, {
        randomSeed: seed,
        service,
        faults: { seed, rates, maxDelay: "1 millis" }
      })
      const label = `sequence seed ${seed}, ${length} commands (replay: SA_FAULT_ONLY_SEED=${seed} SA_FAULT_ONLY_LENGTH=${length})`
      expect(clean.defects, label).toEqual([])
      expect(faulty.defects, label).toEqual([])
      expect(sameOutcomes(faulty.outcomes, clean.outcomes), label).toEqual([])
      expect(normaliseHistory(faulty.history), label).toEqual(normaliseHistory(clean.history))
      expect(checkInvariants(faulty.history), label).toEqual([])
      for (const run of [clean, faulty]) {
        const scan = scanForSecrets(run.values, [
          ...storedHaystacksOf(run),
          ...run.readModels,
          ...run.logs,
          ...run.errors
        ])
        expect(scan.leaks, label).toEqual([])
        totals.leaks += scan.leaks.length
        totals.secrets += scan.secrets
        totals.duplicates += duplicatesIn(run)
      }
      if (faulty.faults !== undefined) addCounts(totals.faults, faulty.faults)
      totals.sequences++
      totals.commands += steps.length
      totals.events += faulty.history.length
      totals.callerRetries += faulty.callerRetries
      totals.valuesWithheld += faulty.valuesWithheld
    }
    return totals
  })

const print = (title: string, totals: Totals) => {
  const injected = totals.faults.beforeCommit + totals.faults.afterCommit
  printFigures(title, [
    ["sequences run (each without and with faults)", totals.sequences],
    ["commands per run", totals.commands],
    ["events appended per run", totals.events],
    ["faults injected", formatFaultCounts(totals.faults)],
    [
      "append faults / appends",
      `${injected} / ${totals.faults.appends} (${((100 * injected) / Math.max(1, totals.faults.appends)).toFixed(1)}%)`
    ],
    ["appends re-sent by the service (storeRetry)", injected - totals.callerRetries],
    ["commands re-sent by the caller (same command id)", totals.callerRetries],
    ["issued values withheld on a repeat (TokenAlreadyIssued)", totals.valuesWithheld],
    ["histories equal to the fault-free run", `${totals.sequences} / ${totals.sequences}`],
    ["duplicates found", totals.duplicates],
    ["token values scanned for", totals.secrets],
    ["leaks found", totals.leaks]
  ])
}

const ONLY_SEED = process.env.SA_FAULT_ONLY_SEED
const sequences =
  ONLY_SEED === undefined
    ? [
        ...Array.from({ length: LONG_SEQUENCES }, (_, i) => ({ seed: BASE_SEED + i, length: LONG_LENGTH })),
        ...Array.from({ length: SHORT_SEQUENCES }, (_, i) => ({ seed: BASE_SEED + 1000 + i, length: SHORT_LENGTH }))
      ]
    : [{ seed: Number(ONLY_SEED), length: Number(process.env.SA_FAULT_ONLY_LENGTH ?? LONG_LENGTH) }]

describe("fault injection: the same history with and without faults (memory store)", () => {
  it.live(
    `${LONG_SEQUENCES} sequences of ${LONG_LENGTH} commands and ${SHORT_SEQUENCES} of ${SHORT_LENGTH}: 10% of appends fail, half after the write`,
    () =>
      Effect.gen(function* () {
        const totals = yield* compareRuns(threeResends, sequences)
        print("fault injection, the service re-sends (storeRetry: 3 jittered re-sends)", totals)
        if (ONLY_SEED === undefined) {
          expect(totals.faults.beforeCommit).toBeGreaterThan(0)
          expect(totals.faults.afterCommit).toBeGreaterThan(0)
          expect(totals.faults.subscriptionDrops).toBeGreaterThan(0)
        }
        expect(totals.duplicates).toBe(0)
        expect(totals.leaks).toBe(0)
      }),
    180_000
  )

  // The caller's side of an unknown outcome: with one re-send allowed, some commands are written but reach the
  // caller as EventStoreUnavailable, and the caller sends them again with the same command id. The service must
  // answer from the history (the original result; for issueToken, TokenAlreadyIssued naming the token).
  //
  // DOMAIN BUG D1 (see idempotency.test.ts for the precise description and the proposed fix): the repeat is
  // decided again on the service's stale cached state, its new events reuse the ids of the events already written,
  // the store answers "already written", and the service returns, caches and projects a phantom account or token;
  // later commands append events about it, so the history departs from the fault-free run. It passed on the
  // domain before 9aec1c3 (9 caller re-sends, 4 values withheld, 3/3 histories equal). Fixed since: the test runs as a normal one.
  it.live(
    "2 sequences of 1000 commands and 20 of 30, storeRetry allowing one re-send: the caller re-sends with its command id",
    () =>
      Effect.gen(function* () {
        const totals = yield* compareRuns(
          oneResend,
          ONLY_SEED === undefined
            ? [
                ...sequences.filter((s) => s.length === LONG_LENGTH).slice(0, 2),
                ...sequences.filter((s) => s.length === SHORT_LENGTH).slice(0, 20)
              ]
            : sequences
        )
        print("fault injection, the caller re-sends too (storeRetry: 1 re-send)", totals)
        expect(totals.callerRetries).toBeGreaterThan(0)
        expect(totals.duplicates).toBe(0)
        expect(totals.leaks).toBe(0)
      }),
    180_000
  )
})
