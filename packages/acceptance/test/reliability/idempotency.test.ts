/**
 * Idempotent commands under lost replies, for every command kind, across two service instances that share one
 * store (two processes behind a load balancer, say):
 *
 * - the service resolves a lost reply itself: it re-sends the very same events, which the store recognises;
 * - when the reply is lost for good (no re-send left), the caller sends the same command with the same command id
 *   — to the other instance or the same one — and gets the original result, with nothing appended; `issueToken`
 *   answers `TokenAlreadyIssued` naming the token and never its value; the same id with a different command is
 *   `CommandIdReused`.
 */
import { afterAll, describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  type EventStoreShape,
  type RecordedEvent,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape,
  Token
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import {
  administrator,
  causeText,
  checkInvariants,
  type FaultInjectorShape,
  makeFaultInjector
} from "@service-accounts/testing"
import { Cause, Chunk, Context, Effect, Exit, Layer, Redacted, Schedule, Stream } from "effect"
import { printFigures } from "./report.js"

const acme = administrator("acme")
const withId = (commandId: string): CallerInput => ({ ...acme, commandId })

interface Rig {
  readonly store: EventStoreShape
  readonly injector: FaultInjectorShape
  /** Instance A: its store loses replies when told to. */
  readonly a: ServiceAccountsShape
  /** Instance B: the same store, no faults. */
  readonly b: ServiceAccountsShape
  readonly history: Effect.Effect<ReadonlyArray<RecordedEvent>>
}

const instance = (store: EventStoreShape, options: ServiceAccountsOptions, seed: string) =>
  Layer.build(
    ServiceAccounts.layerWith(options).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(SecureRandom.layerSeeded(seed))
    )
  ).pipe(Effect.map((context) => Context.get(context, ServiceAccounts)))

/** Two instances on one memory store; A's view of the store injects the faults it is told to. */
const makeRig = (aOptions: ServiceAccountsOptions) =>
  Effect.gen(function* () {
    const store = yield* makeMemoryStore
    const injector = makeFaultInjector({ seed: "idempotency", rates: {} })
    const a = yield* instance(injector.wrap(store), aOptions, "instance-a")
    const b = yield* instance(store, {}, "instance-b")
    const history = Effect.orDie(Stream.runCollect(store.readAll())).pipe(Effect.map(Chunk.toReadonlyArray))
    return { store, injector, a, b, history } satisfies Rig
  })

/**
 * The failure of an exit as plain data (its JSON fields): errors may come wrapped in a span-capturing Proxy that
 * the assertion library cannot walk when it prints a difference.
 */
const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? JSON.parse(JSON.stringify(failure.value) ?? "null") : "defect"
}

const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = errorOf(exit)
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
}

/** Polls until the token no longer authenticates (another instance learns of a write through its subscription). */
const eventuallyRefused = (service: ServiceAccountsShape, value: Redacted.Redacted<string>) =>
  service.authenticate(value).pipe(
    Effect.flip,
    Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(500)))),
    Effect.as(true),
    Effect.orElseSucceed(() => false)
  )

/** Everything set up through instance B, so instance A has never seen the organisation. */
const setUp = (rig: Rig) =>
  Effect.gen(function* () {
    const account = yield* rig.b.create(acme, { name: "lost-replies" })
    const first = yield* rig.b.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "first" })
    const second = yield* rig.b.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "second" })
    const spare = yield* rig.b.create(acme, { name: "spare" })
    return { account: account.serviceAccountId, first, second, spare: spare.serviceAccountId }
  })

type Fixture = Effect.Effect.Success<ReturnType<typeof setUp>>

interface Case {
  readonly kind: "create" | "issueToken" | "revokeToken" | "delete"
  readonly run: (service: ServiceAccountsShape, caller: CallerInput, f: Fixture) => Effect.Effect<unknown, unknown>
  readonly different: (
    service: ServiceAccountsShape,
    caller: CallerInput,
    f: Fixture
  ) => Effect.Effect<unknown, unknown>
  /** What the command answers when the service's own re-send went through (default: `expectRepeat`). */
  readonly expectResent?: Case["expectRepeat"]
  /** What a repeat must answer, given the events the first attempt wrote. */
  readonly expectRepeat: (
    exit: Exit.Exit<unknown, unknown>,
    written: ReadonlyArray<RecordedEvent>,
    f: Fixture,
    service: ServiceAccountsShape
  ) => Effect.Effect<void, unknown>
}

const dataOf = (event: RecordedEvent | undefined): { readonly [key: string]: unknown } => {
  const data = event?.data
  return typeof data === "object" && data !== null && !Array.isArray(data) ? { ...data } : {}
}

const cases: ReadonlyArray<Case> = [
  {
    kind: "create",
    run: (s, c) => s.create(c, { name: "created-once" }),
    different: (s, c) => s.create(c, { name: "another-name" }),
    expectRepeat: (exit, written) =>
      Effect.sync(() => {
        expect(written.map((e) => e.type)).toEqual(["ServiceAccountCreated"])
        expect(Exit.isSuccess(exit) ? exit.value : causeText(Exit.isFailure(exit) ? exit.cause : Cause.empty)).toEqual({
          _tag: "Created",
          serviceAccountId: dataOf(written[0]).serviceAccountId,
          name: "created-once"
        })
      })
  },
  {
    kind: "issueToken",
    run: (s, c, f) => s.issueToken(c, { serviceAccountId: f.account, name: "issued-once" }),
    different: (s, c, f) => s.issueToken(c, { serviceAccountId: f.account, name: "another-token" }),
    expectResent: (exit, written, _f, service) =>
      Effect.gen(function* () {
        expect(written.map((e) => e.type)).toEqual(["TokenIssued"])
        const issued = Exit.isSuccess(exit) ? exit.value : undefined
        expect(issued).toMatchObject({ tokenId: dataOf(written[0]).tokenId })
        // The value the caller got is the one whose digest was written.
        const value =
          typeof issued === "object" && issued !== null && "value" in issued && Redacted.isRedacted(issued.value)
            ? String(Redacted.value(issued.value))
            : ""
        expect((yield* service.authenticate(value)).tokenId).toBe(dataOf(written[0]).tokenId)
      }),
    expectRepeat: (exit, written) =>
      Effect.sync(() => {
        expect(written.map((e) => e.type)).toEqual(["TokenIssued"])
        expect(errorOf(exit)).toMatchObject({
          _tag: "TokenAlreadyIssued",
          tokenId: dataOf(written[0]).tokenId,
          serviceAccountId: dataOf(written[0]).serviceAccountId
        })
        // It names the token, never a value.
        expect(Token.findTokens(Exit.isFailure(exit) ? causeText(exit.cause) : "")).toEqual([])
      })
  },
  {
    kind: "revokeToken",
    run: (s, c, f) => s.revokeToken(c, { serviceAccountId: f.account, tokenId: f.first.tokenId }),
    different: (s, c, f) => s.revokeToken(c, { serviceAccountId: f.account, tokenId: f.second.tokenId }),
    expectRepeat: (exit, written, f, service) =>
      Effect.gen(function* () {
        expect(written.map((e) => e.type)).toEqual(["TokenRevoked"])
        expect(Exit.isSuccess(exit) ? exit.value : tagOf(exit)).toEqual({
          _tag: "Revoked",
          serviceAccountId: f.account,
          tokenId: f.first.tokenId
        })
        expect(yield* eventuallyRefused(service, f.first.value)).toBe(true)
      })
  },
  {
    kind: "delete",
    run: (s, c, f) => s.delete(c, { serviceAccountId: f.account }),
    different: (s, c, f) => s.delete(c, { serviceAccountId: f.spare }),
    expectRepeat: (exit, written, f, service) =>
      Effect.gen(function* () {
        expect(written.map((e) => e.type)).toEqual(["TokenRevoked", "TokenRevoked", "ServiceAccountDeleted"])
        expect(Exit.isSuccess(exit) ? exit.value : tagOf(exit)).toEqual({
          _tag: "Deleted",
          serviceAccountId: f.account,
          revokedTokenIds: [f.first.tokenId, f.second.tokenId]
        })
        expect(yield* eventuallyRefused(service, f.first.value)).toBe(true)
        expect(yield* eventuallyRefused(service, f.second.value)).toBe(true)
      })
  }
]

const rows: Array<readonly [string, string]> = []

/*
 * DOMAIN BUG D1 — a repeated command is decided again on a stale cached state, and the store's answer to its new
 * events is taken for success (packages/domain/src/internal/service.ts, `execute`; since 9aec1c3 "decide on the
 * cached state without reading").
 *
 * What happens: the first attempt's events are written but every reply is lost, so the service's state cache is
 * not updated (or, on the other instance, is behind). The repeat, with the same command id, looks the command id
 * up in that cached state, does not find it, and decides again — drawing a new account id, or a new token id and
 * value. `toProposed` derives event ids from the command id alone, so the new events carry the ids of the events
 * already written; the store (memory and EventStoreDB alike) recognises "the same write" and answers with the
 * original position, and the service then returns, caches and projects its NEW decision: `create` returns an
 * account id that does not exist, `issueToken` returns a token value whose digest was never stored (it never
 * authenticates) instead of `TokenAlreadyIssued`, and the cache now holds an account or token the store does not
 * have — later commands build on it and append events about it (an I3 violation in the stored history; the
 * fault-equivalence run shows it).
 *
 * Proposed fix (either suffices; both is best):
 *  1. derive event ids from the command id AND a key drawn once per call (`idempotencyKey = commandId + newKey`):
 *     the service's own re-sends within one call keep the same ids (the store still recognises a lost reply),
 *     while a second call with the same command id proposes new ids, meets the expected-revision check, gets a
 *     ConcurrencyConflict, loads the stream and answers from the history;
 *  2. never answer "not seen before" for a command id from a cached state: when a command id is given and the
 *     cached entry does not know it, load (read the tail) before deciding.
 * Remove the entries below from KNOWN_D1 once fixed.
 */
const KNOWN_D1 = new Set<string>() // all fixed: event ids now derive from a per-call key, and a command id is checked against the store
const live = (key: string) => (KNOWN_D1.has(key) ? it.live.fails : it.live)

describe("idempotent commands after a lost reply, two instances sharing one store", () => {
  afterAll(() => {
    printFigures("idempotency after lost replies (memory store, two service instances)", rows)
  })

  for (const testCase of cases) {
    it.live(`${testCase.kind}: the service re-sends the same events itself; one write, the original result`, () =>
      Effect.gen(function* () {
        const rig = yield* makeRig({
          storeRetry: Schedule.exponential("1 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))
        })
        const fixture = yield* setUp(rig)
        const before = (yield* rig.history).length
        yield* rig.injector.force({ appends: ["afterCommit", "afterCommit"] })
        const exit = yield* Effect.exit(testCase.run(rig.a, withId(`${testCase.kind}-resent`), fixture))
        const history = yield* rig.history
        const written = history.slice(before)
        expect(written.every((e) => e.metadata.commandId === `${testCase.kind}-resent`)).toBe(true)
        yield* (testCase.expectResent ?? testCase.expectRepeat)(exit, written, fixture, rig.a)
        expect(checkInvariants(history)).toEqual([])
        expect((yield* rig.injector.counts).afterCommit).toBe(2)
      }).pipe(Effect.scoped)
    )

    for (const where of ["other", "same"] as const) {
      live(`${testCase.kind}, repeat on the ${where} instance`)(
        `${testCase.kind}: the reply is lost for good; the caller repeats with the same command id on the ${where} instance; nothing more is appended`,
        () =>
          Effect.gen(function* () {
            const rig = yield* makeRig({ storeRetry: Schedule.recurs(0) })
            const fixture = yield* setUp(rig)
            const before = (yield* rig.history).length
            const commandId = `${testCase.kind}-lost`
            // Every attempt is written (the first) or recognised as written (the re-sends), and every reply lost.
            yield* rig.injector.force({ appends: Array.from({ length: 6 }, () => "afterCommit" as const) })
            const first = yield* Effect.exit(testCase.run(rig.a, withId(commandId), fixture))
            yield* rig.injector.clearForced
            expect(errorOf(first)).toMatchObject({
              _tag: "EventStoreUnavailable",
              unknownOutcome: true,
              retryable: true
            })
            const written = (yield* rig.history).slice(before)
            expect(written.length).toBeGreaterThan(0)

            const service = where === "other" ? rig.b : rig.a
            const repeat = yield* Effect.exit(testCase.run(service, withId(commandId), fixture))
            const afterRepeat = (yield* rig.history).length
            const reused = yield* Effect.exit(testCase.different(service, withId(commandId), fixture))
            const history = yield* rig.history
            rows.push([
              `${testCase.kind}, repeat on the ${where} instance`,
              `first attempt ${tagOf(first)} (${written.length} event(s) written); repeat ${tagOf(repeat)}; same id, other command ${tagOf(reused)}; appended by the repeats ${history.length - before - written.length}`
            ])
            expect(afterRepeat - before).toBe(written.length)
            yield* testCase.expectRepeat(repeat, written, fixture, service)
            expect(errorOf(reused)).toMatchObject({ _tag: "CommandIdReused", commandId })
            expect(history.length - before).toBe(written.length)
            expect(checkInvariants(history)).toEqual([])
          }).pipe(Effect.scoped)
      )
    }
  }

  for (const where of ["other", "same"] as const) {
    live(`delivered value, repeat on the ${where} instance`)(
      `a repeated issueToken whose value was delivered never shows it again (repeat on the ${where} instance)`,
      () =>
        Effect.gen(function* () {
          const rig = yield* makeRig({})
          const fixture = yield* setUp(rig)
          const issued = yield* rig.a.issueToken(withId("delivered"), {
            serviceAccountId: fixture.account,
            name: "once"
          })
          const service = where === "other" ? rig.b : rig.a
          const again = yield* Effect.exit(
            service.issueToken(withId("delivered"), { serviceAccountId: fixture.account, name: "once" })
          )
          expect(errorOf(again)).toMatchObject({ _tag: "TokenAlreadyIssued", tokenId: issued.tokenId })
          const text = Exit.isFailure(again) ? causeText(again.cause) : ""
          expect(text).not.toContain(Redacted.value(issued.value))
          expect(Token.findTokens(text)).toEqual([])
        }).pipe(Effect.scoped)
    )
  }
})
