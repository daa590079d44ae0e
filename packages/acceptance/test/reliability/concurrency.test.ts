/**
 * Concurrency: 50 fibres, split over two service instances that share one store, run random commands that
 * deliberately collide — a handful of names that differ only by case or Unicode width, the same accounts, the
 * same tokens — against one organisation. Every command must end in success or a typed error with a message (no
 * defect); a token must stop authenticating as soon as its revoke or delete has returned; the history must pass
 * `checkInvariants` and never hold two live accounts (or two active tokens of one account) with the same name.
 *
 * It runs on the memory store (with small injected delays, to widen the windows between load and append) and on
 * the EventStoreDB adapter over the in-process test server.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  type EventStoreShape,
  nameKey,
  type RecordedEvent,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import { layer as memoryStore } from "@service-accounts/store-memory"
import {
  administrator,
  captureLogs,
  causeText,
  checkInvariants,
  type FaultCounts,
  formatFaultCounts,
  makeFaultInjector,
  readModelHaystacks,
  scanForSecrets,
  storedHaystacks
} from "@service-accounts/testing"
import { Cause, Chunk, Context, Effect, Exit, Layer, type Redacted, Schedule, Stream } from "effect"
// The adapter is not (yet) a dependency of this package: import its source directly. Once
// `@service-accounts/store-eventstoredb` is added to packages/acceptance/package.json, import it by name instead.
import { layer as eventStoreDbLayer } from "../../../store-eventstoredb/src/index.js"
import { printFigures } from "./report.js"

const FIBRES = 50
const ORG = "contended"
const admin = administrator(ORG)
const NAMES = [
  "deploy-bot",
  "Deploy-Bot",
  "ｄｅｐｌｏｙ-ｂｏｔ",
  "ci",
  "CI",
  "Straße",
  "STRASSE",
  "ﬁle-sync",
  "file-sync"
]
const DOMAIN_ERRORS = new Set([
  "DuplicateServiceAccountName",
  "DuplicateTokenName",
  "ServiceAccountNotFound",
  "TokenNotFound",
  "TokenAlreadyRevoked",
  "ConcurrencyConflict",
  "AuthenticationFailed"
])

/** A small seeded generator per fibre, so a run's choices are reproducible (the interleaving is not). */
const rng = (seed: number) => {
  let state = seed >>> 0
  return (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
}

interface SharedToken {
  readonly accountId: string
  readonly tokenId: string
  readonly value: Redacted.Redacted<string>
}

interface Tally {
  readonly outcomes: Record<string, number>
  readonly defects: Array<string>
  readonly untypedErrors: Array<string>
  readonly revokedStillAuthenticating: Array<string>
  readonly errorTexts: Array<{ readonly where: string; readonly text: string }>
  readonly values: Array<Redacted.Redacted<string>>
  commands: number
}

const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? failure.value : undefined
}

/** One fibre: `commands` random, colliding commands. */
const fibre = (
  id: number,
  service: ServiceAccountsShape,
  commands: number,
  accounts: Array<string>,
  tokens: Array<SharedToken>,
  tally: Tally
) =>
  Effect.gen(function* () {
    const next = rng(0x5eed + id * 7919)
    const record = (what: string, exit: Exit.Exit<unknown, unknown>) => {
      tally.commands++
      if (Exit.isSuccess(exit)) {
        tally.outcomes.success = (tally.outcomes.success ?? 0) + 1
        return
      }
      const error = errorOf(exit)
      if (error === undefined) {
        tally.defects.push(`${what}: ${Cause.pretty(exit.cause)}`)
        return
      }
      const tag = typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "untagged"
      tally.outcomes[tag] = (tally.outcomes[tag] ?? 0) + 1
      tally.errorTexts.push({ where: `${what} (fibre ${id})`, text: causeText(exit.cause) })
      const message = error instanceof Error ? error.message : ""
      if (!DOMAIN_ERRORS.has(tag) || message.length === 0) tally.untypedErrors.push(`${what}: ${tag} "${message}"`)
    }
    for (let i = 0; i < commands; i++) {
      const caller: CallerInput = next(2) === 0 ? { ...admin, commandId: `f${id}-c${i}` } : admin
      const account = accounts.length === 0 ? undefined : accounts[next(accounts.length)]
      const accountId = account ?? "00000000-0000-4000-8000-00000000dead"
      const choice = next(10)
      if (choice < 3) {
        const exit = yield* Effect.exit(service.create(caller, { name: NAMES[next(NAMES.length)] ?? "ci" }))
        if (Exit.isSuccess(exit)) accounts.push(exit.value.serviceAccountId)
        record("create", exit)
      } else if (choice < 6) {
        const exit = yield* Effect.exit(
          service.issueToken(caller, { serviceAccountId: accountId, name: NAMES[next(NAMES.length)] ?? "ci" })
        )
        if (Exit.isSuccess(exit)) {
          tokens.push({ accountId: exit.value.serviceAccountId, tokenId: exit.value.tokenId, value: exit.value.value })
          tally.values.push(exit.value.value)
        }
        record("issueToken", exit)
      } else if (choice < 8) {
        const mine = tokens.filter((t) => t.accountId === accountId)
        const token = mine.length === 0 ? tokens[next(Math.max(1, tokens.length))] : mine[next(mine.length)]
        const exit = yield* Effect.exit(
          service.revokeToken(caller, {
            serviceAccountId: token?.accountId ?? accountId,
            tokenId: token?.tokenId ?? "00000000-0000-4000-8000-00000000beef"
          })
        )
        record("revokeToken", exit)
        if (Exit.isSuccess(exit) && token !== undefined) {
          // Read-your-writes: the revoke has returned, so the token must fail at once.
          if (Exit.isSuccess(yield* Effect.exit(service.authenticate(token.value)))) {
            tally.revokedStillAuthenticating.push(token.tokenId)
          }
        }
      } else if (choice < 9) {
        const exit = yield* Effect.exit(service.delete(caller, { serviceAccountId: accountId }))
        record("delete", exit)
        if (Exit.isSuccess(exit)) {
          for (const token of tokens.filter((t) => t.accountId === accountId)) {
            if (Exit.isSuccess(yield* Effect.exit(service.authenticate(token.value)))) {
              tally.revokedStillAuthenticating.push(token.tokenId)
            }
          }
        }
      } else {
        record("list", yield* Effect.exit(service.list(admin)))
        if (account !== undefined) {
          const got = yield* Effect.exit(service.get(admin, account))
          // A deleted account is simply not found.
          record("get", got)
        }
      }
    }
  })

/** Live accounts and active tokens with the same name key, at any point of the history. */
const duplicateNames = (history: ReadonlyArray<RecordedEvent>): number =>
  checkInvariants(history).filter((v) => v.invariant === "I1" || v.invariant === "I2").length

interface RunFigures {
  readonly tally: Tally
  readonly history: ReadonlyArray<RecordedEvent>
  readonly counts: FaultCounts
  readonly leaks: number
  readonly listedDuplicates: number
}

/** 50 fibres over two service instances sharing the store. */
const contend = (
  storeLayer: Layer.Layer<EventStore, unknown>,
  options: { readonly commandsPerFibre: number; readonly service: ServiceAccountsOptions; readonly delay: number }
): Effect.Effect<RunFigures, unknown> =>
  Effect.gen(function* () {
    const logs = captureLogs()
    const injector = makeFaultInjector({ seed: "concurrency", rates: { delay: options.delay }, maxDelay: "2 millis" })
    const base = Context.get(yield* Layer.build(storeLayer), EventStore)
    const store: EventStoreShape = injector.wrap(base)
    const instance = (seed: string) =>
      Layer.build(
        ServiceAccounts.layerWith(options.service).pipe(
          Layer.provide(Layer.succeed(EventStore, store)),
          Layer.provide(SecureRandom.layerSeeded(seed)),
          Layer.provide(logs.layer)
        )
      ).pipe(Effect.map((context) => Context.get(context, ServiceAccounts)))
    const first = yield* instance("instance-a")
    const second = yield* instance("instance-b")
    const services = [first, second]
    const accounts: Array<string> = []
    const tokens: Array<SharedToken> = []
    // A few accounts with tokens exist before the race, so the fibres collide on them from the first command.
    for (const name of ["shared-1", "shared-2", "shared-3"]) {
      const account = yield* first.create(admin, { name })
      accounts.push(account.serviceAccountId)
      for (const token of ["t1", "t2"]) {
        const issued = yield* first.issueToken(admin, { serviceAccountId: account.serviceAccountId, name: token })
        tokens.push({ accountId: account.serviceAccountId, tokenId: issued.tokenId, value: issued.value })
      }
    }
    const tally: Tally = {
      outcomes: {},
      defects: [],
      untypedErrors: [],
      revokedStillAuthenticating: [],
      errorTexts: [],
      values: tokens.map((t) => t.value),
      commands: 0
    }
    yield* Effect.forEach(
      Array.from({ length: FIBRES }, (_, i) => i),
      (i) => fibre(i, i % 2 === 0 ? first : second, options.commandsPerFibre, accounts, tokens, tally),
      { concurrency: "unbounded", discard: true }
    ).pipe(Effect.provide(logs.layer))
    yield* injector.setEnabled(false)
    const history = Chunk.toReadonlyArray(yield* Stream.runCollect(base.readAll()))
    // The listing, through either instance once it has caught up, never shows two accounts with one name.
    let listedDuplicates = 0
    for (const service of services) {
      const listing = yield* service.list(admin)
      const keys = listing.accounts.map((a) => nameKey(a.name))
      listedDuplicates += keys.length - new Set(keys).size
    }
    const haystacks = [
      ...(yield* storedHaystacks(base)),
      ...(yield* readModelHaystacks(first, [admin])),
      ...(yield* readModelHaystacks(second, [admin])),
      ...logs.haystacks(),
      ...tally.errorTexts
    ]
    const leaks = scanForSecrets(tally.values, haystacks).leaks.length
    return { tally, history, counts: yield* injector.counts, leaks, listedDuplicates }
  }).pipe(Effect.scoped)

const report = (title: string, figures: RunFigures) => {
  const { tally } = figures
  printFigures(title, [
    ["fibres", FIBRES],
    ["commands", tally.commands],
    ["outcomes", JSON.stringify(tally.outcomes)],
    ["conflicts met and retried by the service", figures.counts.conflicts],
    ["ConcurrencyConflict reaching a caller", tally.outcomes.ConcurrencyConflict ?? 0],
    ["store", formatFaultCounts(figures.counts)],
    ["events appended", figures.history.length],
    ["defects", tally.defects.length],
    ["untyped errors or errors without a message", tally.untypedErrors.length],
    ["revoked tokens still authenticating", tally.revokedStillAuthenticating.length],
    ["invariant violations", checkInvariants(figures.history).length],
    ["duplicates found", duplicateNames(figures.history) + figures.listedDuplicates],
    ["leaks found", figures.leaks]
  ])
}

const expectSound = (figures: RunFigures) => {
  expect(figures.tally.defects).toEqual([])
  expect(figures.tally.untypedErrors).toEqual([])
  expect(figures.tally.revokedStillAuthenticating).toEqual([])
  expect(checkInvariants(figures.history)).toEqual([])
  expect(duplicateNames(figures.history) + figures.listedDuplicates).toBe(0)
  expect(figures.leaks).toBe(0)
  expect(figures.counts.conflicts).toBeGreaterThan(0)
  expect(figures.tally.outcomes.DuplicateServiceAccountName ?? 0).toBeGreaterThan(0)
}

/** Enough conflict retries, jittered, for 50 writers on one stream. */
const patient: ServiceAccountsOptions = {
  conflictRetry: Schedule.exponential("1 millis").pipe(
    Schedule.jittered,
    Schedule.union(Schedule.spaced("20 millis")),
    Schedule.intersect(Schedule.recurs(60))
  )
}

const onTestServer = Layer.unwrapScoped(
  Effect.map(TestServer, ({ connectionString }) => eventStoreDbLayer({ connectionString }))
).pipe(Layer.provide(TestServer.layer()))

describe("concurrency: 50 fibres, one organisation, colliding commands", () => {
  it.live(
    "memory store, enough conflict retries: every command succeeds or is refused with a typed error",
    () =>
      Effect.gen(function* () {
        const figures = yield* contend(memoryStore, { commandsPerFibre: 20, service: patient, delay: 0.3 })
        report("concurrency (memory store, patient conflictRetry)", figures)
        expectSound(figures)
        expect(figures.tally.outcomes.ConcurrencyConflict ?? 0).toBe(0)
      }),
    120_000
  )

  it.live(
    "memory store, the default conflictRetry (5 immediate retries): conflicts that outlast it are typed, and counted",
    () =>
      Effect.gen(function* () {
        const figures = yield* contend(memoryStore, { commandsPerFibre: 20, service: {}, delay: 0.3 })
        report("concurrency (memory store, default conflictRetry)", figures)
        expectSound(figures)
      }),
    120_000
  )

  it.live(
    "EventStoreDB adapter over the test server: every command succeeds or is refused with a typed error",
    () =>
      Effect.gen(function* () {
        const figures = yield* contend(onTestServer, { commandsPerFibre: 4, service: patient, delay: 0 })
        report("concurrency (EventStoreDB adapter, test server, patient conflictRetry)", figures)
        expectSound(figures)
        expect(figures.tally.outcomes.ConcurrencyConflict ?? 0).toBe(0)
      }),
    120_000
  )
})
