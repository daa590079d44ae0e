/**
 * The example's demo data (`DEMO_DATA=1`): a few accounts of the first demo organisation, their tokens, and two weeks
 * of usage, so that the page has something to show — each token's last use and each account's daily chart. A token
 * `ci` being rotated out for `ci-next` (the old one unused for the last days: a candidate to revoke), a nightly job,
 * and a token never used.
 *
 * The accounts and tokens are made with the library's commands, on a clock set back to the day each was made, so that
 * no token is used before it was issued. Today's uses are real authentications (`authenticate(value, { record: true })`,
 * as the bearer check records every request); earlier days are reported with `recordUsage` at a time of that day, as
 * a host reports what it charged. Token values are made by the library when the data is seeded and let go at once:
 * they are shown nowhere.
 */
import { type CallerInput, ServiceAccounts } from "@service-accounts/domain"
import { Clock, Effect, type Redacted } from "effect"
import { acme, type DemoOrganization } from "./DemoLogin.js"

const DAY = 86_400_000

/** A token of the demo data: how many days ago it was issued, and its requests per day, the oldest first, today last. */
export interface DemoToken {
  readonly name: string
  readonly issuedDaysAgo: number
  readonly requests: ReadonlyArray<number>
}

/** An account of the demo data, created that many days ago. */
export interface DemoAccount {
  readonly name: string
  readonly description: string
  readonly createdDaysAgo: number
  readonly tokens: ReadonlyArray<DemoToken>
}

/** Two weeks, today last. */
export const demoAccounts: ReadonlyArray<DemoAccount> = [
  {
    name: "deploy-bot",
    description: "Deploys main to production",
    createdDaysAgo: 40,
    tokens: [
      { name: "ci", issuedDaysAgo: 40, requests: [18, 22, 9, 0, 0, 25, 31, 14, 0, 0, 0, 0, 0, 0] },
      { name: "ci-next", issuedDaysAgo: 7, requests: [0, 0, 0, 0, 0, 0, 0, 6, 27, 12, 0, 0, 29, 17] }
    ]
  },
  {
    name: "nightly-report",
    description: "Builds the nightly usage report",
    createdDaysAgo: 21,
    tokens: [{ name: "report-runner", issuedDaysAgo: 21, requests: [4, 4, 5, 4, 4, 4, 6, 4, 4, 5, 4, 4, 4, 3] }]
  },
  {
    name: "backup-sync",
    description: "Copies the nightly backups off site",
    createdDaysAgo: 10,
    tokens: [{ name: "sync", issuedDaysAgo: 10, requests: [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0] }]
  }
]

/** What the seed made: each token's id and the requests it recorded on each UTC day (`YYYY-MM-DD`). */
export interface Seeded {
  readonly accounts: ReadonlyArray<{
    readonly name: string
    readonly serviceAccountId: string
    readonly tokens: ReadonlyArray<{
      readonly name: string
      readonly tokenId: string
      readonly days: ReadonlyArray<{ readonly day: string; readonly requests: number }>
    }>
  }>
}

const dayOf = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

/** The clock of a command made `daysAgo` days ago (at this time of that day): the real one, set back. */
const daysBack = (daysAgo: number): Clock.Clock => {
  const real = Clock.make()
  const millis = () => real.unsafeCurrentTimeMillis() - daysAgo * DAY
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
}

/**
 * Seeds the organisation (Acme by default) as its administrator `alice`, unless it has accounts already (a store that
 * outlives the process keeps what an earlier run seeded): then `undefined`.
 */
export const seed = (organization: DemoOrganization = acme, accounts: ReadonlyArray<DemoAccount> = demoAccounts) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    const caller: CallerInput = {
      organization: { id: organization.id, plan: organization.plan, tenantUrl: organization.tenantUrl },
      actor: { userId: `alice@${organization.id}.example.com`, role: "administrator" }
    }
    if ((yield* service.list(caller)).accounts.length > 0) return undefined

    // The accounts and the tokens, in the order they were made (the sort keeps an account before its tokens).
    const made = [
      ...accounts.map((account) => ({ daysAgo: account.createdDaysAgo, account, token: undefined })),
      ...accounts.flatMap((account) =>
        account.tokens.map((token) => ({ daysAgo: token.issuedDaysAgo, account, token }))
      )
    ].sort((a, b) => b.daysAgo - a.daysAgo)
    const accountIds = new Map<DemoAccount, string>()
    const issued = new Map<DemoToken, { readonly tokenId: string; readonly value: Redacted.Redacted<string> }>()
    for (const { daysAgo, account, token } of made) {
      if (token === undefined) {
        const created = yield* Effect.withClock(
          service.create(caller, { name: account.name, description: account.description }),
          daysBack(daysAgo)
        )
        accountIds.set(account, created.serviceAccountId)
      } else {
        const serviceAccountId =
          accountIds.get(account) ?? (yield* Effect.dieMessage(`${token.name} is issued before its account is made`))
        const { tokenId, value } = yield* Effect.withClock(
          service.issueToken(caller, { serviceAccountId, name: token.name }),
          daysBack(daysAgo)
        )
        issued.set(token, { tokenId, value })
      }
    }

    // Their uses, day by day.
    const now = yield* Clock.currentTimeMillis
    const seeded: Array<Seeded["accounts"][number]> = []
    for (const account of accounts) {
      const tokens: Array<Seeded["accounts"][number]["tokens"][number]> = []
      for (const token of account.tokens) {
        const { tokenId, value } = issued.get(token) ?? (yield* Effect.dieMessage(`${token.name} was not issued`))
        const principal = yield* service.authenticate(value)
        const days: Array<{ readonly day: string; readonly requests: number }> = []
        for (const [index, requests] of token.requests.entries()) {
          const daysAgo = token.requests.length - 1 - index
          if (requests === 0) continue
          if (daysAgo === 0) {
            for (let i = 0; i < requests; i++) yield* service.authenticate(value, { record: true })
          } else {
            yield* service.recordUsage(principal, { requests, at: now - daysAgo * DAY })
          }
          days.push({ day: dayOf(now - daysAgo * DAY), requests })
        }
        tokens.push({ name: token.name, tokenId, days })
      }
      seeded.push({ name: account.name, serviceAccountId: accountIds.get(account) ?? "", tokens })
    }
    return { accounts: seeded } satisfies Seeded
  })
