/**
 * Usage (issue 17, ADR 0011): three recorders — independent service instances over one store, as three processes
 * would be — record known uses while 10% of their usage appends fail, half of them after the store committed the
 * write. A fourth instance's usage view then holds exactly what was recorded, per token, per account and per day.
 * Bad reports are refused with a typed error and nothing recorded; `authenticate` can record the request itself;
 * `list` shows each token's last use; `unusedTokens` names the active tokens nobody used; and no usage event or
 * report holds a token value.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  EventStore,
  type EventStoreShape,
  EventStoreUnavailable,
  type IssuedToken,
  type Principal,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator, scanForSecrets, storedHaystacks } from "@service-accounts/testing"
import { Clock, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime } from "effect"

const DAY = 86_400_000

const serviceOn = (store: EventStoreShape, options: ServiceAccountsOptions = {}) =>
  ManagedRuntime.make(
    ServiceAccounts.layerWith({ usage: { flushInterval: "20 millis" }, ...options }).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(Logger.minimumLogLevel(LogLevel.None))
    )
  )

/** A small seeded generator, so a run's choices are reproducible. */
const rng = (seed: number) => {
  let state = seed >>> 0
  return (n: number): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0
    return state % n
  }
}

/** The store, with 10% of usage appends failing: half before anything is written, half after the write committed. */
const failingUsageAppends = (
  store: EventStoreShape,
  seed: number
): { store: EventStoreShape; faults: () => number } => {
  const next = rng(seed)
  let faults = 0
  const unavailable = (unknownOutcome: boolean) =>
    new EventStoreUnavailable({ operation: "append", reason: "injected", retryable: true, unknownOutcome })
  return {
    faults: () => faults,
    store: {
      ...store,
      append: (streamId, events, expected) =>
        Effect.suspend(() => {
          if (!streamId.startsWith("serviceAccountUsage-")) return store.append(streamId, events, expected)
          const roll = next(20)
          if (roll === 0) {
            faults++
            return Effect.fail(unavailable(false))
          }
          if (roll === 1) {
            faults++
            return Effect.zipRight(store.append(streamId, events, expected), Effect.fail(unavailable(true)))
          }
          return store.append(streamId, events, expected)
        })
    }
  }
}

const until = async (check: () => Promise<boolean>) => {
  for (let i = 0; i < 6000; i++) {
    if (await check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("never happened")
}

const acme = administrator("acme")
const dayOf = (millis: number) => new Date(millis).toISOString().slice(0, 10)

/** The real clock, `days` days back (a use can only be recorded from the day its token was issued). */
const daysBack = (days: number): Clock.Clock => {
  const real = Clock.make()
  const millis = () => real.unsafeCurrentTimeMillis() - days * DAY
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}

/** Two accounts with three tokens each, issued through `service` `issuedDaysAgo` days ago. */
const tokensOf = async (service: ServiceAccountsShape, issuedDaysAgo = 0) => {
  const back = Effect.withClock(daysBack(issuedDaysAgo))
  const tokens: Array<IssuedToken> = []
  for (const name of ["builder", "deployer"]) {
    const account = await Effect.runPromise(back(service.create(acme, { name })))
    for (const token of ["a", "b", "c"]) {
      tokens.push(
        await Effect.runPromise(
          back(service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: token }))
        )
      )
    }
  }
  return tokens
}

const principalOf = (token: IssuedToken): Principal => ({
  organizationId: acme.organization.id as Principal["organizationId"],
  serviceAccountId: token.serviceAccountId,
  tokenId: token.tokenId,
  scopes: token.scopes
})

describe("usage", () => {
  it("three recorders, 10% of their appends failing (half after the commit): the totals are exactly what was recorded", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const setup = serviceOn(store)
    // Issued three days ago: uses are recorded over the last three days.
    const tokens = await tokensOf(await setup.runPromise(ServiceAccounts), 3)
    await setup.dispose()

    const now = Date.now()
    const expected = new Map<string, { requests: number; units: number }>()
    const recorders = [1, 2, 3].map((seed) => ({ seed, faulty: failingUsageAppends(store, seed) }))
    // Few tokens' sums make a flush: many flushes, so the faults meet many appends.
    const runtimes = recorders.map(({ faulty }) =>
      serviceOn(faulty.store, { usage: { flushInterval: "20 millis", maxPending: 3 } })
    )
    try {
      for (const [index, runtime] of runtimes.entries()) {
        const service = await runtime.runPromise(ServiceAccounts)
        const next = rng(100 + index)
        for (let i = 0; i < 400; i++) {
          const token = tokens[next(tokens.length)] as IssuedToken
          const requests = 1 + next(3)
          // Quarters add up exactly in binary floating point, in any order.
          const units = next(9) / 4
          const at = now - next(3) * DAY - next(1000)
          await Effect.runPromise(service.recordUsage(principalOf(token), { requests, units, at }))
          const key = `${token.tokenId} ${dayOf(at)}`
          const sum = expected.get(key) ?? { requests: 0, units: 0 }
          expected.set(key, { requests: sum.requests + requests, units: sum.units + units })
        }
      }
      // Every recorder has flushed everything (failed appends were sent again), and faults did happen.
      await until(async () => {
        const pending = await Promise.all(
          runtimes.map((runtime) => runtime.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.readiness)))
        )
        return pending.every((readiness) => readiness.usagePending === 0)
      })
      expect(recorders.map(({ faulty }) => faulty.faults()).reduce((a, b) => a + b, 0)).toBeGreaterThan(0)

      const reader = serviceOn(store)
      try {
        const service = await reader.runPromise(ServiceAccounts)
        const seen = async () => {
          const report = await Effect.runPromise(service.usage(acme, { days: 5 }))
          const got = new Map<string, { requests: number; units: number }>()
          for (const account of report.accounts) {
            for (const token of account.tokens) {
              for (const day of token.days) {
                got.set(`${token.tokenId} ${day.day}`, { requests: day.requests, units: day.units })
              }
            }
          }
          return { report, got }
        }
        await until(async () => (await seen()).got.size === expected.size)
        const { report, got } = await seen()
        expect(new Map([...got].sort())).toEqual(new Map([...expected].sort()))
        // Per account and per day, the sums of their tokens'; and the organisation's, of its accounts'.
        for (const account of report.accounts) {
          const byDay = new Map<string, number>()
          for (const token of account.tokens) {
            for (const day of token.days) byDay.set(day.day, (byDay.get(day.day) ?? 0) + day.requests)
          }
          expect(new Map(account.days.map((day) => [day.day, day.requests]))).toEqual(byDay)
        }
        const all = [...expected.values()].reduce((a, b) => ({
          requests: a.requests + b.requests,
          units: a.units + b.units
        }))
        expect(report.total).toEqual(all)
        expect(report.window).toEqual(all)
      } finally {
        await reader.dispose()
      }
    } finally {
      await Promise.all(runtimes.map((runtime) => runtime.dispose()))
    }
  })

  it("refuses bad reports with a typed error, and records nothing for them", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const runtime = serviceOn(store, { usage: { flushInterval: "1 hour" } })
    try {
      const service = await runtime.runPromise(ServiceAccounts)
      const [token] = await tokensOf(service)
      if (token === undefined) throw new Error("no token")
      const principal = principalOf(token)
      const bad: ReadonlyArray<readonly [string, Principal, Record<string, unknown>]> = [
        ["requests", principal, { requests: -1 }],
        ["requests", principal, { requests: 1.5 }],
        ["requests", principal, { requests: Number.NaN }],
        ["requests", principal, { requests: 1e15 }],
        ["units", principal, { units: -0.5 }],
        ["units", principal, { units: Number.POSITIVE_INFINITY }],
        ["at", principal, { at: Date.now() + 3_600_000 }],
        ["at", principal, { at: "yesterday" }],
        // The token was issued moments ago: an hour ago it did not exist.
        ["at", principal, { at: Date.now() - 3_600_000 }],
        ["principal", { ...principal, organizationId: "globex" as Principal["organizationId"] }, {}],
        ["principal", { ...principal, tokenId: "00000000-0000-4000-8000-000000000000" as Principal["tokenId"] }, {}]
      ]
      for (const [field, who, usage] of bad) {
        const exit = await Effect.runPromiseExit(service.recordUsage(who, usage as never))
        expect(Exit.isFailure(exit) && JSON.stringify(exit.cause), JSON.stringify(usage)).toContain("InvalidInput")
        expect(JSON.stringify(exit), field).toContain(`"field":"${field}"`)
      }
      expect((await Effect.runPromise(service.readiness)).usagePending).toBe(0)

      // A bad query names its one problem (not also "Expected undefined", the optional field's other branch).
      const query = await Effect.runPromise(Effect.flip(service.usage(acme, { days: 0 })))
      expect(query._tag).toBe("InvalidInput")
      expect(query._tag === "InvalidInput" && query.issues.map((issue) => issue.message)).toEqual([
        expect.stringMatching(/^must be a whole number of days, 1 to \d+$/)
      ])
      expect(query.message).not.toContain("undefined")
    } finally {
      await runtime.dispose()
    }
  })

  it("authenticate records the request when asked; list shows the last use; unusedTokens the idle tokens", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const runtime = serviceOn(store)
    try {
      const service = await runtime.runPromise(ServiceAccounts)
      const tokens = await tokensOf(service)
      const [used] = tokens
      if (used === undefined) throw new Error("no token")
      for (let i = 0; i < 3; i++) await Effect.runPromise(service.authenticate(used.value, { record: true }))
      await Effect.runPromise(service.authenticate(used.value))
      await until(async () => {
        const report = await Effect.runPromise(service.usage(acme, { days: 1 }))
        return report.total.requests === 3
      })
      const listing = await Effect.runPromise(service.list(acme))
      const shown = listing.accounts.flatMap((account) => account.tokens)
      expect(shown.find((token) => token.tokenId === used.tokenId)?.lastUsedAt).toBeDefined()
      expect(shown.filter((token) => token.lastUsedAt !== undefined)).toHaveLength(1)
      // Tokens issued today are not idle yet; a day from now (by a report's clock) the five unused ones are.
      expect(await Effect.runPromise(service.unusedTokens(acme, { days: 1 }))).toEqual([])
      const report = await Effect.runPromise(service.usage(acme))
      expect(report.accounts.flatMap((account) => account.tokens).filter((t) => t.total.requests > 0)).toHaveLength(1)

      const scan = scanForSecrets(
        tokens.map((token) => token.value),
        [...(await Effect.runPromise(storedHaystacks(store))), { where: "usage report", text: JSON.stringify(report) }]
      )
      expect(scan.leaks).toEqual([])
    } finally {
      await runtime.dispose()
    }
  })
})
