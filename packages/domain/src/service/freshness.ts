/**
 * How far behind the store the read models are, and the gate `authenticate` reads.
 *
 * The read models are *confirmed* up to date as of a time T when every event the store held at T has been applied.
 * Two things confirm them: a subscription reporting `CaughtUp` (as of the moment it was opened), and a probe that
 * reads the position of the store's last event at T and then sees the follower reach that position. A probe finds
 * a store that nobody writes to up to date even when no subscription is live — nothing can have been missed — and a
 * store that others write to behind, when the follower does not keep up or has lost its subscription. (ADR 0008.)
 *
 * Past `maxStaleness` without a confirmation the gate closes: `authenticate` refuses every token, since a token
 * revoked by another process in the meantime would otherwise be accepted. A confirmation opens it again.
 */
import { Clock, Duration, Effect, Option } from "effect"
import type { EventStoreShape } from "../store/EventStore.js"
import { lastPosition } from "./catchUp.js"
import type { ReadModelsFreshness, ServiceAccountsOptions } from "./ServiceAccountsShape.js"

/** The gate `authenticate` reads on every call: one property, no call. */
export interface FreshnessGate {
  stale: boolean
}

export interface FreshnessOptions {
  /** `undefined`: stale answers are accepted (the gate never closes). */
  readonly maxStaleness: Duration.Duration | undefined
  readonly checkInterval: Duration.Duration
}

const DEFAULT_MAX_STALENESS = Duration.seconds(10)
const LONGEST_CHECK_INTERVAL = Duration.millis(2500)

/** The options as the service takes them, with their defaults. */
export const freshnessOptions = (options: ServiceAccountsOptions): FreshnessOptions => {
  const maxStaleness =
    options.maxStaleness === "unbounded"
      ? undefined
      : options.maxStaleness === undefined
        ? DEFAULT_MAX_STALENESS
        : Duration.decode(options.maxStaleness)
  const bound = maxStaleness ?? DEFAULT_MAX_STALENESS
  // At least two checks fit in the bound, so one slow answer does not close the gate.
  const checkInterval = Duration.min(
    options.freshnessCheckInterval === undefined
      ? Duration.min(Duration.unsafeDivide(bound, 4), LONGEST_CHECK_INTERVAL)
      : Duration.decode(options.freshnessCheckInterval),
    Duration.unsafeDivide(bound, 2)
  )
  return { maxStaleness, checkInterval }
}

/** How many unanswered probes are remembered; later ones are not taken while this many wait. */
const MAX_PENDING_PROBES = 32

export interface Freshness {
  /** Closed (`stale`) until the read models have caught up with the store once, and whenever past the bound. */
  readonly gate: FreshnessGate
  /** The read models have caught up with the store, as of `at` (when the subscription that did it was opened). */
  readonly caughtUp: (at: number) => Effect.Effect<void>
  /** Whether they ever have. */
  readonly hasCaughtUp: () => boolean
  /** Everything up to `position` has been handled by the follower. */
  readonly reached: (position: bigint) => Effect.Effect<void>
  /**
   * `reached`, in the same synchronous step when that is all it takes: `false` (and nothing done) when reaching
   * `position` confirms a probe, which `reached` must then do.
   */
  readonly reachedAtOnce: (position: bigint) => boolean
  /** Everything the store held at `at` (a `Clock` time in milliseconds) has been applied. */
  readonly confirm: (at: number) => Effect.Effect<void>
  readonly status: (quarantined: ReadonlyArray<string>) => Effect.Effect<ReadModelsFreshness>
  /** Probes the store and watches the bound, forever: to be forked in the service's scope. */
  readonly watch: Effect.Effect<never>
}

export const makeFreshness = (store: EventStoreShape, options: FreshnessOptions): Effect.Effect<Freshness> =>
  Effect.gen(function* () {
    const gate: FreshnessGate = { stale: true }
    let caughtUp = false
    /** Whether the gate closed after the read models had caught up (a reopening is worth a log line then). */
    let closedLate = false
    const bound = options.maxStaleness === undefined ? undefined : Duration.toMillis(options.maxStaleness)
    let confirmedAt = yield* Clock.currentTimeMillis
    let position: bigint | undefined
    /** Probes whose head the follower has not reached yet: oldest first, heads and times increasing. */
    const pending: Array<{ readonly head: bigint; readonly at: number }> = []

    const review = (now: number) =>
      Effect.suspend(() => {
        const stale = !caughtUp || (bound !== undefined && now - confirmedAt > bound)
        if (stale === gate.stale) return Effect.void
        gate.stale = stale
        if (!stale) {
          const reopened = closedLate
          closedLate = false
          return reopened
            ? Effect.logWarning("the read models are up to date again: authenticate answers again")
            : Effect.void
        }
        closedLate = true
        return Effect.logError(
          "the read models are behind the event store past the bound: authenticate refuses every token"
        ).pipe(Effect.annotateLogs({ behindMillis: now - confirmedAt, maxStalenessMillis: bound }))
      })

    const confirm = (at: number) =>
      Effect.suspend(() => {
        if (at > confirmedAt) confirmedAt = at
        return gate.stale ? Effect.flatMap(Clock.currentTimeMillis, review) : Effect.void
      })

    const markCaughtUp = (at: number) =>
      Effect.suspend(() => {
        caughtUp = true
        return confirm(at)
      })

    const reached = (handled: bigint) =>
      Effect.suspend(() => {
        position = handled
        let confirmed: number | undefined
        while (pending.length > 0 && (pending[0]?.head ?? handled) <= handled) confirmed = pending.shift()?.at
        return confirmed === undefined ? Effect.void : confirm(confirmed)
      })

    const reachedAtOnce = (handled: bigint): boolean => {
      const oldest = pending[0]
      if (oldest !== undefined && oldest.head <= handled) return false
      position = handled
      return true
    }

    /** The position of the store's last event, as a reader of the whole store sees it (`none`: empty). */
    const head = lastPosition(store)

    const probe = Effect.gen(function* () {
      const at = yield* Clock.currentTimeMillis
      const last = yield* head.pipe(Effect.timeout(options.checkInterval), Effect.option)
      // No answer confirms nothing: the bound will say when that has gone on too long.
      if (Option.isNone(last)) return
      const known = last.value
      if (Option.isNone(known) || (position !== undefined && known.value <= position)) {
        yield* confirm(at)
      } else if (pending.length < MAX_PENDING_PROBES) {
        pending.push({ head: known.value, at })
      }
    })

    const watch = Effect.forever(
      Effect.sleep(options.checkInterval).pipe(
        Effect.zipRight(Effect.flatMap(Clock.currentTimeMillis, review)),
        Effect.zipRight(probe)
      )
    )

    const status = (quarantined: ReadonlyArray<string>) =>
      Effect.map(
        Clock.currentTimeMillis,
        (now): ReadModelsFreshness => ({
          confirmedAt: new Date(confirmedAt),
          behindMillis: Math.max(0, now - confirmedAt),
          maxStalenessMillis: bound,
          stale: gate.stale,
          position,
          quarantined
        })
      )

    return {
      gate,
      caughtUp: markCaughtUp,
      hasCaughtUp: () => caughtUp,
      reached,
      reachedAtOnce,
      confirm,
      status,
      watch
    }
  })
