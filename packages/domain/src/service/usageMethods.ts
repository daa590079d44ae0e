/**
 * The usage methods of the service: `recordUsage` (checked, then summed by the recorder), `usage` (reports from the
 * usage view and the directory view) and `unusedTokens`; `list` and `get` show each token's last use through
 * `withLastUse`; and usage streams older than the days kept are tombstoned.
 *
 * @internal
 */
import { Clock, DateTime, Effect, Either, Schedule, Schema } from "effect"
import * as Versioned from "../fast/versioned.js"
import type { Caller } from "../model/Caller.js"
import { InputIssue, InvalidInput, ServiceAccountNotFound, type AccessError } from "../model/Errors.js"
import { ServiceAccountId } from "../model/Ids.js"
import { eitherDecoder } from "../model/input.js"
import { UsageInput } from "../model/Usage.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import * as UsageView from "../readModels/UsageView.js"
import type { EventStoreShape } from "../store/EventStore.js"
import { usageStreamDay } from "../store/UsageStream.js"
import type { ReadModelsState } from "./liveReadModels.js"
import { PrincipalSchema, type ServiceAccountsShape } from "./ServiceAccountsShape.js"
import type { UsageRecorder } from "./usage.js"
import type { AccountUsageReport, DayUsage, TokenUsageReport, UnusedToken, UsageCounts } from "./UsageReports.js"

const DAY = 86_400_000
/** How far in the future a reported use may be (clocks differ a little between hosts). */
const FUTURE_MILLIS = 5 * 60_000

const decodePrincipal = eitherDecoder(PrincipalSchema, "principal")
const decodeUsage = eitherDecoder(UsageInput, "usage")

const refused = (field: string, message: string) =>
  new InvalidInput({ input: "usage", field, issues: [new InputIssue({ path: field, message })] })

const dayOf = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

const counts = (days: Iterable<UsageCounts>): UsageCounts => UsageView.total(days)

export interface UsageMethods {
  readonly recordUsage: ServiceAccountsShape["recordUsage"]
  readonly usage: (caller: Caller, query: unknown) => ReturnType<ServiceAccountsShape["usage"]>
  readonly unusedTokens: (caller: Caller, query: unknown) => ReturnType<ServiceAccountsShape["unusedTokens"]>
  /** An account view with each token's last use added. */
  readonly withLastUse: (account: DirectoryView.AccountView) => DirectoryView.AccountView
  /** Tombstones the usage streams of days no longer kept, every hour: to be forked in the scope. */
  readonly prune: Effect.Effect<never>
}

export const makeUsageMethods = (
  store: EventStoreShape,
  current: () => ReadModelsState,
  recorder: UsageRecorder,
  retentionDays: number
): UsageMethods => {
  const decodeQuery = eitherDecoder(
    Schema.Struct({
      serviceAccountId: Schema.optional(ServiceAccountId),
      days: Schema.optionalWith(
        Schema.Number.pipe(
          Schema.int(),
          Schema.between(1, retentionDays, { message: () => `must be a whole number of days, 1 to ${retentionDays}` })
        ),
        { default: () => 30 }
      )
    }),
    "usage query"
  )
  const decodeDays = eitherDecoder(
    Schema.Struct({
      days: Schema.Number.pipe(
        Schema.int(),
        Schema.between(1, retentionDays, { message: () => `must be a whole number of days, 1 to ${retentionDays}` })
      )
    }),
    "unused tokens query"
  )

  const recordUsage: ServiceAccountsShape["recordUsage"] = (principalInput, usageInput = {}) =>
    Effect.flatMap(Clock.currentTimeMillis, (now) =>
      Effect.suspend(() => {
        const principal = decodePrincipal(principalInput)
        if (Either.isLeft(principal)) return Effect.fail(principal.left)
        const usage = decodeUsage(usageInput)
        if (Either.isLeft(usage)) return Effect.fail(usage.left)
        const { organizationId, serviceAccountId, tokenId } = principal.right
        const entry = TokenIndex.byTokenId(current().tokens, tokenId)
        if (
          entry === undefined ||
          entry.organizationId !== organizationId ||
          entry.serviceAccountId !== serviceAccountId
        ) {
          return Effect.fail(
            refused("principal", "is not a principal authenticate gave (no such token of that account)")
          )
        }
        const at = usage.right.at?.getTime() ?? now
        if (at > now + FUTURE_MILLIS) return Effect.fail(refused("at", "must not be in the future"))
        if (at < now - retentionDays * DAY)
          return Effect.fail(refused("at", `must be within the last ${retentionDays} days`))
        // A time the host gives may be before the token existed; now cannot (short of clocks apart across processes,
        // which is why only a given time is checked: it costs a look at the directory).
        if (usage.right.at !== undefined && at < issuedAt(organizationId, serviceAccountId, tokenId))
          return Effect.fail(refused("at", "must not be before the token was issued"))
        recorder.add(organizationId, serviceAccountId, tokenId, usage.right.requests, usage.right.units, at)
        return Effect.void
      })
    )

  /** When the token was issued (milliseconds; 0 if the directory view does not have it, which refuses nothing). */
  const issuedAt = (
    organizationId: Caller["organization"]["id"],
    serviceAccountId: ServiceAccountId,
    tokenId: string
  ): number => {
    const account = DirectoryView.account(
      DirectoryView.directoryOf(current().directory, organizationId),
      serviceAccountId
    )
    const token = account._tag === "Some" ? account.value.tokens.find((t) => t.tokenId === tokenId) : undefined
    return token === undefined ? 0 : DateTime.toEpochMillis(token.issuedAt)
  }

  const withLastUse = (account: DirectoryView.AccountView): DirectoryView.AccountView => {
    const usage = current().usage
    return {
      ...account,
      tokens: account.tokens.map((token) => {
        const last = UsageView.lastUsedAt(usage, token.tokenId)
        return last === undefined ? token : { ...token, lastUsedAt: DateTime.unsafeMake(last) }
      })
    }
  }

  const tokenReport = (
    token: DirectoryView.TokenView,
    usage: UsageView.TokenUsage | undefined,
    since: string
  ): TokenUsageReport => {
    const days: Array<DayUsage> = usage === undefined ? [] : usage.days.filter((day) => day.day >= since)
    return {
      tokenId: token.tokenId,
      name: token.name,
      status: token.status,
      ...(usage === undefined ? {} : { lastUsedAt: usage.lastUsedAt }),
      window: counts(days),
      total: counts(usage?.days ?? []),
      days
    }
  }

  const latest = (times: Iterable<Date | undefined>): Date | undefined => {
    let last: Date | undefined
    for (const time of times) if (time !== undefined && (last === undefined || time > last)) last = time
    return last
  }

  const usage: UsageMethods["usage"] = (caller, queryInput) =>
    Effect.flatMap(Clock.currentTimeMillis, (now): ReturnType<ServiceAccountsShape["usage"]> => {
      const query = decodeQuery(queryInput ?? {})
      if (Either.isLeft(query)) return Effect.fail<AccessError>(query.left)
      const organizationId = caller.organization.id
      const state = current()
      const directory = DirectoryView.directoryOf(state.directory, organizationId)
      const live = DirectoryView.accounts(directory)
      const wanted = query.right.serviceAccountId
      const accounts = wanted === undefined ? live : live.filter((account) => account.serviceAccountId === wanted)
      if (wanted !== undefined && accounts.length === 0) {
        return Effect.fail(new ServiceAccountNotFound({ serviceAccountId: wanted }))
      }
      const since = dayOf(now - (query.right.days - 1) * DAY)
      const byToken = new Map(UsageView.tokens(state.usage, { organizationId }).map((usage) => [usage.tokenId, usage]))
      const reports = accounts.map((account): AccountUsageReport => {
        const tokens = account.tokens.map((token) => tokenReport(token, byToken.get(token.tokenId), since))
        const days = UsageView.sumDays(tokens)
        return {
          serviceAccountId: account.serviceAccountId,
          name: account.name,
          ...withTime(latest(tokens.map((token) => token.lastUsedAt))),
          window: counts(days),
          total: counts(tokens.map((token) => token.total)),
          days,
          tokens
        }
      })
      const days = UsageView.sumDays(reports)
      return Effect.succeed({
        organizationId,
        since,
        window: counts(days),
        total: counts(reports.map((account) => account.total)),
        days,
        accounts: reports
      })
    })

  const unusedTokens: UsageMethods["unusedTokens"] = (caller, queryInput) =>
    Effect.flatMap(Clock.currentTimeMillis, (now): ReturnType<ServiceAccountsShape["unusedTokens"]> => {
      const query = decodeDays(queryInput)
      if (Either.isLeft(query)) return Effect.fail<AccessError>(query.left)
      const state = current()
      const cutoff = now - query.right.days * DAY
      const out: Array<UnusedToken> = []
      for (const account of DirectoryView.accounts(
        DirectoryView.directoryOf(state.directory, caller.organization.id)
      )) {
        for (const token of account.tokens) {
          if (token.status !== "active") continue
          const last = UsageView.lastUsedAt(state.usage, token.tokenId)
          const since = last ?? DateTime.toEpochMillis(token.issuedAt)
          if (since >= cutoff) continue
          out.push({
            serviceAccountId: account.serviceAccountId,
            accountName: account.name,
            tokenId: token.tokenId,
            name: token.name,
            issuedAt: DateTime.toDate(token.issuedAt),
            ...withTime(last === undefined ? undefined : new Date(last))
          })
        }
      }
      return Effect.succeed(out)
    })

  const prune = Effect.gen(function* () {
    const now = yield* Clock.currentTimeMillis
    const oldest = dayOf(now - retentionDays * DAY)
    const streams = Array.from(Versioned.read(current().revisions)?.keys() ?? [])
    for (const streamId of streams) {
      const day = usageStreamDay(streamId)
      if (day !== undefined && day < oldest) yield* Effect.ignore(store.tombstone(streamId, "any"))
    }
  }).pipe(Effect.repeat(Schedule.spaced("1 hour")), Effect.zipRight(Effect.never))

  return { recordUsage, usage, unusedTokens, withLastUse, prune }
}

const withTime = (time: Date | undefined): { readonly lastUsedAt?: Date } =>
  time === undefined ? {} : { lastUsedAt: time }
