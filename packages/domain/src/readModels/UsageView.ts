/**
 * The usage view: per token, when it was last used and its requests and units per UTC day; per account and per
 * organisation, the same summed. It folds the `UsageRecorded` events every recording process wrote, so several
 * processes' sums add up; days older than the retention (default 400) are let go as newer ones arrive.
 *
 * The state is a pure value from the outside but is kept in native `Map`s updated in place while a fold moves
 * forward, like the other read models (see `docs/architecture.md`, "Read models").
 *
 * @example
 * ```ts
 * import { foldProjection, UsageView } from "@service-accounts/domain"
 *
 * // Folded from the stored usage events (the service keeps one following the store).
 * const view = foldProjection(UsageView.projection, [])
 * console.log(UsageView.tokens(view).length) // 0
 * ```
 *
 * @since 0.3.0
 */
import { Schema } from "effect"
import * as Versioned from "../fast/versioned.js"
import { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import type { Projection } from "./Projection.js"
import type { StoredUsage } from "../store/UsageStream.js"

/**
 * Requests and units.
 *
 * @since 0.3.0
 * @category models
 */
export interface Counts {
  readonly requests: number
  readonly units: number
}

/**
 * One day's counts.
 *
 * @since 0.3.0
 * @category models
 */
export interface DayCounts extends Counts {
  /** `YYYY-MM-DD`, UTC. */
  readonly day: string
}

/**
 * One token's usage.
 *
 * @since 0.3.0
 * @category models
 */
export interface TokenUsage {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  /** The last use recorded (to the precision of the recorders' flushes). */
  readonly lastUsedAt: Date
  /** Oldest first. */
  readonly days: ReadonlyArray<DayCounts>
}

class TokenRecord {
  constructor(
    readonly organizationId: OrganizationId,
    readonly serviceAccountId: ServiceAccountId,
    readonly lastUsedAt: number,
    /** Part of the world: written through `Versioned`. */
    readonly days: Map<string, Counts>
  ) {}
}

interface World {
  readonly tokens: Map<TokenId, TokenRecord>
  /** Each organisation's tokens with usage (a token's organisation never changes). */
  readonly byOrganization: Map<OrganizationId, Map<TokenId, true>>
}

/**
 * @since 0.3.0
 * @category models
 */
export interface UsageViewState extends Versioned.Version<World> {}

/** The days the view keeps, by default: a day older than this before the newest day seen is let go. */
export const DEFAULT_RETENTION_DAYS = 400

const DAY = 86_400_000

const start = (): World => ({ tokens: new Map(), byOrganization: new Map() })

const dayNumber = (day: string): number => Math.floor(Date.parse(`${day}T00:00:00.000Z`) / DAY)

const applyTo =
  (retentionDays: number) =>
  (world: World, { event }: StoredUsage): void => {
    const oldest = dayNumber(event.day) - retentionDays
    for (const entry of event.entries) {
      const used = entry.lastUsedAt.epochMillis
      let token = world.tokens.get(entry.tokenId)
      if (token === undefined) {
        token = new TokenRecord(entry.organizationId, entry.serviceAccountId, used, new Map())
        Versioned.set(world.tokens, entry.tokenId, token)
        let organization = world.byOrganization.get(entry.organizationId)
        if (organization === undefined) {
          organization = new Map()
          Versioned.set(world.byOrganization, entry.organizationId, organization)
        }
        Versioned.set(organization, entry.tokenId, true)
      } else if (used > token.lastUsedAt) {
        token = new TokenRecord(token.organizationId, token.serviceAccountId, used, token.days)
        Versioned.set(world.tokens, entry.tokenId, token)
      }
      if (dayNumber(event.day) < oldest) continue
      const before = token.days.get(event.day)
      Versioned.set(token.days, event.day, {
        requests: (before?.requests ?? 0) + entry.requests,
        units: (before?.units ?? 0) + entry.units
      })
      // Retention: days too old for this one are let go (a token's days are few; most have none to let go).
      if (token.days.size > retentionDays) {
        for (const day of token.days.keys()) if (dayNumber(day) < oldest) Versioned.remove(token.days, day)
      }
    }
  }

/**
 * The usage view, keeping `retentionDays` days before the newest day of each token.
 *
 * @since 0.3.0
 * @category projections
 */
export const projectionKeeping = (retentionDays: number): Projection<UsageViewState, StoredUsage> =>
  Versioned.projection({ name: "usage-view", version: 1, start, applyOne: applyTo(retentionDays) })

/**
 * The usage view, keeping `DEFAULT_RETENTION_DAYS` days.
 *
 * @since 0.3.0
 * @category projections
 */
export const projection: Projection<UsageViewState, StoredUsage> = projectionKeeping(DEFAULT_RETENTION_DAYS)

const sortedDays = (days: Map<string, Counts>, since: string | undefined): Array<DayCounts> =>
  Array.from(days, ([day, counts]) => ({ day, requests: counts.requests, units: counts.units }))
    .filter((day) => since === undefined || day.day >= since)
    .sort((a, b) => (a.day < b.day ? -1 : a.day > b.day ? 1 : 0))

const usageOf = (tokenId: TokenId, token: TokenRecord, since: string | undefined): TokenUsage => ({
  organizationId: token.organizationId,
  serviceAccountId: token.serviceAccountId,
  tokenId,
  lastUsedAt: new Date(token.lastUsedAt),
  days: sortedDays(token.days, since)
})

/**
 * One token's usage, from `since` (a `YYYY-MM-DD` day, inclusive) when given.
 *
 * @since 0.3.0
 * @category getters
 */
export const token = (state: UsageViewState, tokenId: TokenId, since?: string): TokenUsage | undefined => {
  const found = Versioned.read(state)?.tokens.get(tokenId)
  return found === undefined ? undefined : usageOf(tokenId, found, since)
}

/**
 * When a token was last used, in epoch milliseconds (`undefined`: never, as far as the view knows).
 *
 * @since 0.3.0
 * @category getters
 */
export const lastUsedAt = (state: UsageViewState, tokenId: TokenId): number | undefined =>
  Versioned.read(state)?.tokens.get(tokenId)?.lastUsedAt

/**
 * Every token with usage, or an organisation's, from `since` when given.
 *
 * @since 0.3.0
 * @category getters
 */
export const tokens = (
  state: UsageViewState,
  options: { readonly organizationId?: OrganizationId; readonly since?: string } = {}
): ReadonlyArray<TokenUsage> => {
  const world = Versioned.read(state)
  if (world === undefined) return []
  const ids =
    options.organizationId === undefined
      ? world.tokens.keys()
      : (world.byOrganization.get(options.organizationId)?.keys() ?? [])
  const out: Array<TokenUsage> = []
  for (const tokenId of ids) {
    const found = world.tokens.get(tokenId)
    if (found !== undefined) out.push(usageOf(tokenId, found, options.since))
  }
  return out
}

/**
 * Day counts summed over several tokens' usage (or accounts'), oldest day first.
 *
 * @since 0.3.0
 * @category utils
 */
export const sumDays = (usages: Iterable<{ readonly days: ReadonlyArray<DayCounts> }>): ReadonlyArray<DayCounts> => {
  const byDay = new Map<string, { requests: number; units: number }>()
  for (const usage of usages) {
    for (const day of usage.days) {
      const sum = byDay.get(day.day) ?? { requests: 0, units: 0 }
      sum.requests += day.requests
      sum.units += day.units
      byDay.set(day.day, sum)
    }
  }
  return Array.from(byDay, ([day, sum]) => ({ day, ...sum })).sort((a, b) => (a.day < b.day ? -1 : 1))
}

/**
 * The total of day counts.
 *
 * @since 0.3.0
 * @category utils
 */
export const total = (days: Iterable<Counts>): Counts => {
  let requests = 0
  let units = 0
  for (const day of days) {
    requests += day.requests
    units += day.units
  }
  return { requests, units }
}

const TokenUsageTuple = Schema.Tuple(
  TokenId,
  OrganizationId,
  ServiceAccountId,
  Schema.Number,
  Schema.Array(Schema.Tuple(Schema.String, Schema.Number, Schema.Number))
)

/**
 * One token's usage as plain JSON, `[tokenId, organizationId, serviceAccountId, lastUsedAt, [[day, requests,
 * units], …]]` (`lastUsedAt` in epoch milliseconds): what a snapshot keeps.
 *
 * @since 0.3.0
 * @category models
 */
export type TokenUsageJson = typeof TokenUsageTuple.Type

/**
 * The schema of `TokenUsageJson`: decode a snapshot's usage with it before `fromJson`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const TokenUsageJsonSchema: Schema.Schema<TokenUsageJson, typeof TokenUsageTuple.Encoded> = TokenUsageTuple

/**
 * The view as plain JSON, one entry per token, in the view's order. `fromJson` gives the same view back.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const toJson = (state: UsageViewState): Array<TokenUsageJson> => {
  const world = Versioned.read(state)
  const out: Array<TokenUsageJson> = []
  if (world === undefined) return out
  for (const [tokenId, token] of world.tokens) {
    out.push([
      tokenId,
      token.organizationId,
      token.serviceAccountId,
      token.lastUsedAt,
      Array.from(token.days, ([day, counts]) => [day, counts.requests, counts.units] as const)
    ])
  }
  return out
}

/**
 * Builds a view from JSON tokens given one at a time (a snapshot read chunk by chunk), then hands it over.
 *
 * @since 0.3.0
 * @category snapshots
 */
export interface UsageBuilder {
  readonly add: (token: TokenUsageJson) => void
  readonly build: () => UsageViewState
}

/**
 * A builder of a view from JSON tokens: the same view the fold of the usage events would have made.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const builder = (): UsageBuilder => {
  const world = start()
  return {
    add: ([tokenId, organizationId, serviceAccountId, lastUsed, days]) => {
      const record = new TokenRecord(
        organizationId,
        serviceAccountId,
        lastUsed,
        new Map(days.map(([day, requests, units]) => [day, { requests, units }] as const))
      )
      world.tokens.set(tokenId, record)
      let organization = world.byOrganization.get(organizationId)
      if (organization === undefined) {
        organization = new Map()
        world.byOrganization.set(organizationId, organization)
      }
      organization.set(tokenId, true)
    },
    build: () => Versioned.of(world)
  }
}

/**
 * The view these JSON tokens stand for (as `toJson` gave them).
 *
 * @since 0.3.0
 * @category snapshots
 */
export const fromJson = (tokens: Iterable<TokenUsageJson>): UsageViewState => {
  const built = builder()
  for (const token of tokens) built.add(token)
  return built.build()
}
