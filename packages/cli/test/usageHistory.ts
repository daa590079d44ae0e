/**
 * Generated usage histories for `sa-audit usage`: the domain's service over the memory store creates accounts and
 * issues tokens, then independent service instances — each a recorder of its own, as separate processes would be —
 * record known uses with `recordUsage` across several days, and flush them when they close. The history is exported
 * to NDJSON as `sa-audit export` would, and what was recorded is kept beside it, summed independently of the domain,
 * to check the command's numbers against. Run these under a `TestClock` (`it.effect`): the clock says when it is.
 */
import { randomUUID } from "node:crypto"
import {
  type CallerInput,
  EventStore,
  type EventStoreShape,
  type IssuedToken,
  type Principal,
  ServiceAccounts,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Chunk, Context, Effect, Layer, Logger, LogLevel, Stream, TestClock } from "effect"
import { HistoryTransfer } from "../src/index.js"
import { tempFile } from "./helpers.js"

/** "Now" for every generated history: what the test clock says while it is written. */
export const NOW = Date.parse("2026-03-10T12:00:00.000Z")
export const HOUR = 3_600_000
export const DAY = 86_400_000

export const callerOf = (organization: string): CallerInput => ({
  organization: { id: organization, plan: "enterprise", tenantUrl: `https://${organization}.example.com` },
  actor: { userId: `admin@${organization}.example.com`, role: "administrator" }
})

/** One service instance over the store, for the length of `use`; closing it flushes what it recorded. */
export const withService = <A, E>(
  store: EventStoreShape,
  use: (service: ServiceAccountsShape) => Effect.Effect<A, E>
): Effect.Effect<A, unknown> =>
  Effect.scoped(
    Effect.gen(function* () {
      const context = yield* Layer.build(
        ServiceAccounts.layer.pipe(
          Layer.provide(Layer.succeed(EventStore, store)),
          Layer.provide(Logger.minimumLogLevel(LogLevel.None))
        )
      )
      return yield* use(Context.get(context, ServiceAccounts))
    })
  )

export const principalOf = (organization: string, token: IssuedToken): Principal => ({
  organizationId: organization as Principal["organizationId"],
  serviceAccountId: token.serviceAccountId,
  tokenId: token.tokenId,
  scopes: token.scopes
})

/** A token of the generated directory. */
export interface GeneratedToken {
  readonly organization: string
  readonly account: string
  readonly serviceAccountId: string
  readonly name: string
  readonly tokenId: string
  readonly issued: IssuedToken
}

/** A use to record: by which recorder (0, 1, 2), of which token (by name), when, how much. */
export interface Use {
  readonly recorder: number
  readonly token: string
  readonly at: number
  readonly requests: number
  readonly units: number
}

/** What was recorded, summed by the test: per token, per UTC day, and each token's last use. */
export class Expected {
  readonly days = new Map<string, Map<string, { requests: number; units: number }>>()
  readonly lastUsed = new Map<string, number>()

  add(tokenId: string, use: Use): void {
    const day = new Date(use.at).toISOString().slice(0, 10)
    const days = this.days.get(tokenId) ?? new Map<string, { requests: number; units: number }>()
    const sum = days.get(day) ?? { requests: 0, units: 0 }
    days.set(day, { requests: sum.requests + use.requests, units: sum.units + use.units })
    this.days.set(tokenId, days)
    this.lastUsed.set(tokenId, Math.max(this.lastUsed.get(tokenId) ?? 0, use.at))
  }

  /** A token's days within the window, oldest first. */
  tokenDays(tokenId: string, since = "0000-00-00", until = "9999-99-99") {
    return Array.from(this.days.get(tokenId) ?? [], ([day, counts]) => ({ day, ...counts }))
      .filter((entry) => entry.day >= since && entry.day <= until)
      .sort((a, b) => (a.day < b.day ? -1 : 1))
  }

  /** Several tokens' days summed per day, oldest first. */
  sumDays(tokenIds: ReadonlyArray<string>, since?: string, until?: string) {
    const byDay = new Map<string, { requests: number; units: number }>()
    for (const tokenId of tokenIds) {
      for (const entry of this.tokenDays(tokenId, since, until)) {
        const sum = byDay.get(entry.day) ?? { requests: 0, units: 0 }
        byDay.set(entry.day, { requests: sum.requests + entry.requests, units: sum.units + entry.units })
      }
    }
    return Array.from(byDay, ([day, counts]) => ({ day, ...counts })).sort((a, b) => (a.day < b.day ? -1 : 1))
  }

  total(tokenIds: ReadonlyArray<string>, since?: string, until?: string) {
    let requests = 0
    let units = 0
    for (const entry of this.sumDays(tokenIds, since, until)) {
      requests += entry.requests
      units += entry.units
    }
    return { requests, units }
  }
}

/** The directory to create: organisation → account → token names. */
export type DirectoryPlan = ReadonlyArray<
  readonly [organization: string, accounts: ReadonlyArray<readonly [account: string, tokens: ReadonlyArray<string>]>]
>

export interface GeneratedHistory {
  readonly path: string
  readonly text: string
  readonly tokens: ReadonlyMap<string, GeneratedToken>
  readonly accounts: ReadonlyMap<string, string>
  readonly expected: Expected
}

/**
 * Creates the directory, records the uses (each recorder an instance of its own, recorders one after another), runs
 * `afterwards` (revocations, deletions) and exports the history to a temporary NDJSON file. Token names are unique
 * across the plan.
 */
export const generateHistory = (options: {
  readonly directory: DirectoryPlan
  readonly uses: ReadonlyArray<Use>
  readonly afterwards?: (
    service: ServiceAccountsShape,
    tokens: ReadonlyMap<string, GeneratedToken>
  ) => Effect.Effect<unknown, unknown>
}): Effect.Effect<GeneratedHistory, unknown> =>
  Effect.gen(function* () {
    yield* TestClock.setTime(NOW - 30 * DAY)
    const store = yield* makeMemoryStore
    const tokens = new Map<string, GeneratedToken>()
    const accounts = new Map<string, string>()
    yield* withService(store, (service) =>
      Effect.forEach(options.directory, ([organization, plan]) =>
        Effect.forEach(plan, ([name, tokenNames]) =>
          Effect.gen(function* () {
            const account = yield* service.create(callerOf(organization), { name })
            accounts.set(name, account.serviceAccountId)
            for (const tokenName of tokenNames) {
              const issued = yield* service.issueToken(callerOf(organization), {
                serviceAccountId: account.serviceAccountId,
                name: tokenName
              })
              tokens.set(tokenName, {
                organization,
                account: name,
                serviceAccountId: account.serviceAccountId,
                name: tokenName,
                tokenId: issued.tokenId,
                issued
              })
            }
          })
        )
      )
    )
    yield* TestClock.setTime(NOW)
    const expected = new Expected()
    const recorders = new Set(options.uses.map((use) => use.recorder))
    for (const recorder of Array.from(recorders).sort()) {
      yield* withService(store, (service) =>
        Effect.forEach(
          options.uses.filter((use) => use.recorder === recorder),
          (use) => {
            const token = tokens.get(use.token)
            if (token === undefined) return Effect.die(`no token named ${use.token}`)
            expected.add(token.tokenId, use)
            return service.recordUsage(principalOf(token.organization, token.issued), {
              requests: use.requests,
              units: use.units,
              at: use.at
            })
          },
          { discard: true }
        )
      )
    }
    const afterwards = options.afterwards
    if (afterwards !== undefined) yield* withService(store, (service) => afterwards(service, tokens))
    const text = yield* Stream.runCollect(HistoryTransfer.exportHistory).pipe(
      Effect.map((chunks) => Chunk.join(chunks, "")),
      Effect.provideService(EventStore, store)
    )
    return { path: tempFile(text, `usage-${randomUUID()}.ndjson`), text, tokens, accounts, expected }
  })
