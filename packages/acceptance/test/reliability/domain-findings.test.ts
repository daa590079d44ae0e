/**
 * Bugs found in `packages/domain` by the reliability work, each as a test of the behaviour the library promises,
 * marked `.fails` while the bug is there — so none can pass silently, and each flips to a failure the day it is
 * fixed, asking for its `.fails` to be removed. Each says what happens, where, and the fix proposed.
 *
 * (D1, re-deciding a repeated command, is in idempotency.test.ts; the hostile-input gaps are cases of the corpus,
 * run in hostile.test.ts.)
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  type EventStoreShape,
  EventStoreUnavailable,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type SubscriptionMessage,
  Token
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator, makeFaultInjector } from "@service-accounts/testing"
import { Cause, Context, Deferred, Effect, Exit, Layer, Logger, Ref, Schedule, Stream, TestClock } from "effect"
import { randomBytes } from "node:crypto"

const acme = administrator("acme")
const globex = administrator("globex")
const withId = (commandId: string): CallerInput => ({ ...acme, commandId })
const silent = Logger.remove(Logger.defaultLogger)

const instance = (store: EventStoreShape, options: ServiceAccountsOptions = {}, seed = "findings") =>
  Layer.build(
    ServiceAccounts.layerWith(options).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(SecureRandom.layerSeeded(seed)),
      Layer.provide(silent)
    )
  ).pipe(Effect.map((context) => Context.get(context, ServiceAccounts)))

/**
 * The failure of an exit as plain data (its JSON fields): errors may come wrapped in a span-capturing Proxy that
 * the assertion library cannot walk when it prints a difference.
 */
const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some"
    ? JSON.parse(JSON.stringify(failure.value, (_key, v) => (typeof v === "bigint" ? String(v) : v)) ?? "null")
    : "defect"
}

/** A view of a store whose subscriptions stop delivering (after catching up) while the latch is closed. */
const withPausableSubscriptions = (store: EventStoreShape, latch: Effect.Latch): EventStoreShape => ({
  ...store,
  subscribeToAll: (options) =>
    Stream.mapEffect(
      store.subscribeToAll(options),
      (message): Effect.Effect<SubscriptionMessage> =>
        message._tag === "CaughtUp" ? Effect.succeed(message) : latch.whenOpen(Effect.succeed(message))
    )
})

const eventually = <A, E>(effect: Effect.Effect<A, E>) =>
  effect.pipe(Effect.retry(Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(500)))))

describe("domain findings (each was a .fails test while the bug was there; fixed ones run as normal tests)", () => {
  /*
   * D1, concurrent form. Two calls with the same command id in flight at once (a client that timed out and sent
   * again; two instances behind a load balancer) both decide, both propose events under the ids derived from the
   * command id, the first is written and the second is answered "already written" — so the second caller is
   * told its own, different decision happened: an account id that does not exist. Same fix as D1
   * (idempotency.test.ts): event ids from the command id and a per-call key, so the second append conflicts and
   * the retry answers from the history.
   */
  it.live("D1: two concurrent calls with one command id get one and the same result", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const bothDecided = yield* Deferred.make<void>()
      const arrivals = yield* Ref.make(0)
      // Hold the first two appends until both calls have decided, so they really race.
      const racing: EventStoreShape = {
        ...inner,
        append: (streamId, events, expected) =>
          Effect.gen(function* () {
            const n = yield* Ref.updateAndGet(arrivals, (x) => x + 1)
            if (n === 2) yield* Deferred.succeed(bothDecided, undefined)
            if (n <= 2) yield* Deferred.await(bothDecided)
            return yield* inner.append(streamId, events, expected)
          })
      }
      const service = yield* instance(racing)
      const [a, b] = yield* Effect.all(
        [service.create(withId("same"), { name: "once" }), service.create(withId("same"), { name: "once" })],
        { concurrency: 2 }
      )
      const stored = yield* Stream.runCollect(inner.readAll())
      expect(stored.length).toBe(1)
      expect(a.serviceAccountId).toBe(b.serviceAccountId)
    }).pipe(Effect.scoped)
  )

  /*
   * D2. The error a command ends with after its re-sends says only what the LAST attempt met. When an earlier
   * attempt's outcome was unknown (written, reply lost) and the last one failed before sending, the caller gets
   * `EventStoreUnavailable` without `unknownOutcome` — "nothing was written" — although the command was written.
   * A caller without a command id that trusts the flag and sends a new command creates a second account or
   * token. (service.ts `execute`: `append.pipe(Effect.catchIf(isRetryable, … Effect.retry(…)))` fails with the
   * last error.) Fix: once any attempt failed with `unknownOutcome`, fail with `unknownOutcome: true` whatever
   * the later attempts met (e.g. `Effect.mapError` with a flag set by a `tapError` on each attempt).
   */
  it.live("D2: a command whose outcome became unknown says so, whatever its last re-send met", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: "d2", rates: {} })
      const service = yield* instance(injector.wrap(store), { storeRetry: Schedule.recurs(2) })
      yield* injector.force({ appends: ["afterCommit", "beforeCommit", "beforeCommit", "beforeCommit"] })
      const exit = yield* Effect.exit(service.create(acme, { name: "written-once" }))
      yield* injector.clearForced
      expect(yield* Stream.runCount(store.readAll())).toBe(1)
      expect(errorOf(exit)).toMatchObject({ _tag: "EventStoreUnavailable", unknownOutcome: true })
    }).pipe(Effect.scoped)
  )

  /*
   * D3. A repeated command answered from the history does not bring the read models up to date. Instance B's
   * caller repeats a revoke whose first attempt (through instance A) was written with its reply lost; B answers
   * `Revoked` from the history it loaded — and B still authenticates the revoked token until its subscription
   * delivers the revocation. The design promises the opposite: a revoked token fails from the moment the revoke
   * has returned, in the process that returned it. (service.ts `execute`: the `repeat` branch returns before
   * `readModels.applyAppended`.) Fix: on the repeat branch, `yield* readModels.catchUp(streamId)` before
   * returning (the stream was just loaded, so this reads only what the read models lack).
   */
  it.live("D3: a repeated revoke, answered from the history, cuts the token off at once", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: "d3", rates: {} })
      const latch = yield* Effect.makeLatch(true)
      const a = yield* instance(injector.wrap(store), { storeRetry: Schedule.recurs(0) }, "a")
      const b = yield* instance(withPausableSubscriptions(store, latch), {}, "b")
      const account = yield* a.create(acme, { name: "revoked-through-a" })
      const token = yield* a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "t" })
      // B learns of the token through its subscription, then its subscription stalls.
      yield* eventually(b.authenticate(token.value))
      yield* latch.close
      yield* injector.force({ appends: Array.from({ length: 6 }, () => "afterCommit" as const) })
      const input = { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId }
      const lost = yield* Effect.exit(a.revokeToken(withId("revoke-1"), input))
      yield* injector.clearForced
      expect(errorOf(lost)).toMatchObject({ _tag: "EventStoreUnavailable" })
      const repeated = yield* b.revokeToken(withId("revoke-1"), input)
      expect(repeated.tokenId).toBe(token.tokenId)
      const exit = yield* Effect.exit(b.authenticate(token.value))
      yield* latch.open
      expect(errorOf(exit)).toMatchObject({ _tag: "AuthenticationFailed" })
    }).pipe(Effect.scoped)
  )

  /*
   * D4. A command whose append was written fails anyway when the read models' refresh after it fails. If the read
   * models are behind (another instance wrote to the organisation and the subscription has not delivered it),
   * `readModels.applyAppended` reads the stream; a transient read failure there fails the command with
   * `EventStoreUnavailable` — after the write. For `issueToken` the value is then lost for good: a repeat answers
   * `TokenAlreadyIssued`, and the token must be revoked and issued again. Fix: a committed command must not fail
   * for its read-model refresh — retry the refresh with `storeRetry`, and if it still fails, log it and return
   * the result (the subscription delivers the events later); to keep read-your-writes for revocations in that
   * case, mark the decided revocations in the token index directly.
   */
  it.live("D4: a written issueToken returns its value even if the read-model refresh after it fails", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      const latch = yield* Effect.makeLatch(true)
      const armed = yield* Ref.make(false)
      const failNextRead = yield* Ref.make(false)
      // After an append while armed, the next read fails once.
      const flaky: EventStoreShape = {
        ...withPausableSubscriptions(store, latch),
        append: (streamId, events, expected) =>
          Effect.tap(store.append(streamId, events, expected), () =>
            Effect.flatMap(Ref.get(armed), (on) => Ref.set(failNextRead, on))
          ),
        readStream: (streamId, options) =>
          Stream.unwrap(
            Effect.map(Ref.getAndSet(failNextRead, false), (fail) =>
              fail
                ? Stream.fail(
                    new EventStoreUnavailable({ operation: "readStream", reason: "connection reset", retryable: true })
                  )
                : store.readStream(streamId, options)
            )
          )
      }
      const a = yield* instance(flaky, {}, "a")
      const b = yield* instance(store, {}, "b")
      const account = yield* a.create(acme, { name: "issuer" })
      // A's read models fall behind: B writes, A's subscription is stalled.
      yield* latch.close
      yield* b.create(acme, { name: "written-by-b" })
      yield* Ref.set(armed, true)
      const exit = yield* Effect.exit(a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "t" }))
      yield* latch.open
      const stored = yield* Stream.runCollect(store.readAll())
      expect([...stored].filter((e) => e.type === "TokenIssued")).toHaveLength(1)
      expect(Exit.isSuccess(exit) ? "success" : Cause.pretty(exit.cause)).toBe("success")
    }).pipe(Effect.scoped)
  )

  /*
   * D5. One corrupt stored event, anywhere in the store, and the service layer never finishes building: its
   * read models' subscription fails on the event with `CorruptStoredEvent`, `Effect.retry` resubscribes from the
   * same position for ever (logging the whole schema at error level each time), and `Deferred.await(caughtUp)`
   * never returns. After start-up the same event stops every organisation's read models from following the store.
   * The layer's type promises `ReadError` (which includes `CorruptStoredEvent`) as its failure.
   * (service.ts, the `follow` fibre.) Fix: retry only retryable failures (`EventStoreUnavailable` with
   * `retryable`); fail `caughtUp` with a `CorruptStoredEvent` during start-up, so the layer fails with it; after
   * start-up, record the corrupt stream (its commands and reads fail with the `CorruptStoredEvent`, as the
   * command path already does) and follow the rest of the store.
   */
  it.live("D5: building the service over a store holding a corrupt event fails with CorruptStoredEvent", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      yield* store.append(
        "serviceAccountDirectory-acme",
        [
          {
            eventId: "6f1c8e52-3f47-4d1e-9c38-5d3b8a1f0e21",
            type: "ServiceAccountCreated",
            data: { _tag: "ServiceAccountCreated", unexpected: true },
            metadata: {}
          }
        ],
        "no_stream"
      )
      const exit = yield* Effect.exit(instance(store).pipe(Effect.timeout("2 seconds")))
      expect(errorOf(exit)).toMatchObject({ _tag: "CorruptStoredEvent", streamId: "serviceAccountDirectory-acme" })
    }).pipe(Effect.scoped)
  )

  /*
   * D6. A stored event of one organisation's stream that claims another organisation is read as the other
   * organisation's: the projections key by the event's `organizationId`, not by the stream. An event written
   * into acme's stream with `organizationId: "globex"` puts an account in globex's directory and audit trail, and
   * its token authenticates as a globex principal — a tenant boundary crossed by whoever can write one event to
   * the store (a restored backup, an import, a compromised writer). `checkInvariants` reports it (I8); the service
   * does not. (StoredEvent.ts `decode` / readModels.ts.) Fix: in `decode`, a directory-stream event whose
   * `organizationId` is not the stream's organisation is a `CorruptStoredEvent` ("stored in another
   * organisation's stream"), like a type/tag mismatch.
   */
  it.live("D6: an event stored in another organisation's stream is refused, not shown to that organisation", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      const value = Token.fromEntropy(new Uint8Array(randomBytes(32)))
      const common = {
        organizationId: "globex",
        actor: { userId: "mallory", role: "administrator" },
        occurredAt: "2026-01-01T00:00:00.000Z",
        serviceAccountId: "0b5c3a1e-7d2f-4e8a-9b6c-1d2e3f4a5b6c"
      }
      yield* store.append(
        "serviceAccountDirectory-acme",
        [
          {
            eventId: "1a2b3c4d-0000-4000-8000-000000000001",
            type: "ServiceAccountCreated",
            data: { _tag: "ServiceAccountCreated", ...common, name: "planted" },
            metadata: { schemaVersion: 1 }
          },
          {
            eventId: "1a2b3c4d-0000-4000-8000-000000000002",
            type: "TokenIssued",
            data: {
              _tag: "TokenIssued",
              ...common,
              tokenId: "2c6d4b2f-8e3a-4f9b-8c7d-2e3f4a5b6c7d",
              name: "planted-token",
              scopes: ["read", "write"],
              secretHash: Token.digest(value),
              hint: Token.hint(value)
            },
            metadata: { schemaVersion: 1 }
          }
        ],
        "no_stream"
      )
      const service = yield* instance(store).pipe(Effect.timeout("2 seconds"), Effect.option)
      if (service._tag === "None") return // refused at start-up: fine
      const listing = yield* service.value.list(globex)
      const authenticated = yield* Effect.exit(service.value.authenticate(value))
      expect(listing.accounts.map((a) => a.name)).toEqual([])
      expect(errorOf(authenticated)).toMatchObject({ _tag: "AuthenticationFailed" })
    }).pipe(Effect.scoped)
  )

  /*
   * D7. The read models' resubscription back-off never resets. `follow.pipe(Effect.retry(exponential(100 ms) ∪
   * spaced(30 s)))` keeps the schedule's state for the life of the process, so after nine dropped subscriptions —
   * spread over weeks of healthy running — every later drop leaves the read models 30 s behind the store: 30 s in
   * which another process's revocation does not reach this one's `authenticate`. (service.ts, the `follow`
   * fibre.) Fix: reset the back-off once the subscription works again, e.g. `Schedule.resetAfter("1 minute")`
   * on the schedule, or restart the retry after each `CaughtUp`.
   */
  it.effect("D7: after an hour of healthy running, a dropped subscription is resumed within a second", () =>
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      const injector = makeFaultInjector({ seed: "d7", rates: {} })
      yield* instance(injector.wrap(store))
      const subscriptions = Effect.map(injector.counts, (c) => c.subscriptions)
      const settle = Effect.forEach(Array.from({ length: 20 }), () => Effect.yieldNow(), { discard: true })
      for (let drop = 1; drop <= 11; drop++) {
        const before = yield* subscriptions
        yield* injector.force({ subscriptionDrops: 1 })
        // Any event makes the subscription deliver a message, which the injector turns into a drop.
        yield* store.append(
          `noise-${drop}`,
          [{ eventId: crypto.randomUUID(), type: "Noise", data: {}, metadata: {} }],
          "any"
        )
        yield* settle
        yield* TestClock.adjust("1 second")
        yield* settle
        const resumedWithinASecond = (yield* subscriptions) > before
        if (drop === 11) expect(resumedWithinASecond).toBe(true)
        // Let it resume, then an hour of healthy running.
        yield* TestClock.adjust("1 minute")
        yield* settle
        yield* TestClock.adjust("1 hour")
        yield* settle
      }
    }).pipe(Effect.provide(silent), Effect.scoped)
  )
})
