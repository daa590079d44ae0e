/**
 * Recording usage (ADR 0011): uses are summed in memory per UTC day and token and flushed in batches, every `flushInterval`, when `maxPending` tokens have sums, and when the layer closes. A
 * flush appends one `UsageRecorded` event (per 2,000 tokens) to this process's stream of the day, with the expected
 * revision: this process alone writes it. An append that fails — before the store committed it, or after — is tried
 * again at the next flush with the very same event and expectation, so the store recognises it if it was written and
 * nothing is counted twice; uses recorded meanwhile go into the next event. A crash loses what was not flushed yet.
 *
 * `authenticate`'s requests (`tally`) are counted on the token index slot the check has just read — no look-up of
 * their own — and move into the sums at the flush; a host's reports (`add`) go into the sums at once, a `Map`
 * look-up and two additions.
 *
 * @internal
 */
import { Clock, Deferred, type Duration, Effect, Exit, FiberId, Metric } from "effect"
import { utcAt } from "../fast/compact.js"
import type { AppendError } from "../model/Errors.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import { UsageDay, UsageRecorded } from "../model/Usage.js"
import type { EventStoreShape, ExpectedRevision, ProposedEvent } from "../store/EventStore.js"
import { toProposedUsage, usageStreamDay } from "../store/UsageStream.js"

/** Tokens per event: each entry is about 170 bytes of JSON, so an event stays well under any store's largest append. */
const ENTRIES_PER_EVENT = 2000

const usageAppends = Metric.counter("service_accounts_usage_appends", {
  description: "usage events appended, by outcome"
})

/** One token's sum for one day. Mutable: only this module holds it, and only until it is flushed. */
interface Sum {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  requests: number
  units: number
  lastUsedAt: number
}

/** What `tally` counts on: a token index slot's identity and its tally fields (see `tokenSlots.ts`). */
export interface Tallied {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  tallyRound: number
  tallyRequests: number
  tallyLastUsedAt: number
}

/** Recorders' rounds are numbered across the process, so no two recorders ever count in the same round. */
let rounds = 0

/** An event waiting to be appended, with the expectation it must be appended with (kept when it is tried again). */
interface Pending {
  readonly streamId: string
  readonly event: ProposedEvent
  readonly expected: ExpectedRevision
}

export interface UsageRecorderOptions {
  readonly flushInterval: Duration.Duration
  readonly maxPending: number
}

export interface UsageRecorder {
  /** Adds one use, already checked. Synchronous: it never waits for the store. */
  readonly add: (
    organizationId: OrganizationId,
    serviceAccountId: ServiceAccountId,
    tokenId: TokenId,
    requests: number,
    units: number,
    at: number
  ) => void
  /**
   * Adds one request, with no units, of a token `authenticate` has just found, at `at`: counted on the token's slot,
   * and added to the sums at the next flush (once per token, however many requests). Synchronous and allocates
   * nothing but the first time a token is used in a round.
   */
  readonly tally: (token: Tallied, at: number) => void
  /** Appends what was summed (and what failed before). Never fails: a failed append waits for the next flush. */
  readonly flush: Effect.Effect<void>
  /** Flushes every `flushInterval`, and sooner when `maxPending` tokens have sums: to be forked in the scope. */
  readonly run: Effect.Effect<never>
  /** Tokens with sums not flushed yet. */
  readonly pending: () => number
  /** Usage appends made that the store accepted. */
  readonly appends: () => number
}

const DAY = 86_400_000
const ISO_DAY = 10

export const makeRecorder = (
  store: EventStoreShape,
  recorder: string,
  options: UsageRecorderOptions
): UsageRecorder => {
  /** The sums of each day, by token. */
  let sums = new Map<UsageDay, Map<TokenId, Sum>>()
  let size = 0
  let sequence = 0
  let appended = 0
  /** Events not appended yet, in the order they must be; tried first at every flush. */
  const queue: Array<Pending> = []
  /** The revision of this recorder's stream of each day (it is the only writer). */
  const revisions = new Map<string, ExpectedRevision>()
  /** Completed when `maxPending` is reached, so the run loop flushes at once; replaced after each flush. */
  let full = Deferred.unsafeMake<void>(FiberId.none)

  // The day of a time: made once per day, not per use.
  let dayStart = 0
  let dayEnd = 0
  let currentDay = UsageDay.make("1970-01-01", true)
  const dayOf = (at: number): UsageDay => {
    if (at >= dayStart && at < dayEnd) return currentDay
    const start = Math.floor(at / DAY) * DAY
    const day = UsageDay.make(new Date(start).toISOString().slice(0, ISO_DAY), true)
    if (at >= dayEnd) {
      dayStart = start
      dayEnd = start + DAY
      currentDay = day
    }
    return day
  }

  /** The slots counted on in this round, and the day all their requests are of. */
  let tallied: Array<Tallied> = []
  let round = ++rounds
  let tallyStart = 0
  let tallyEnd = 0

  /** The tallies of this round into the sums; a new round starts. */
  const settle = (): void => {
    const taken = tallied
    tallied = []
    round = ++rounds
    for (const token of taken) {
      add(token.organizationId, token.serviceAccountId, token.tokenId, token.tallyRequests, 0, token.tallyLastUsedAt)
    }
  }

  const tally: UsageRecorder["tally"] = (token, at) => {
    if (at < tallyStart || at >= tallyEnd) {
      // Another day: what was counted so far is of the day before (or of none, the first time).
      settle()
      tallyStart = Math.floor(at / DAY) * DAY
      tallyEnd = tallyStart + DAY
    }
    if (token.tallyRound === round) {
      token.tallyRequests++
      if (at > token.tallyLastUsedAt) token.tallyLastUsedAt = at
      return
    }
    token.tallyRound = round
    token.tallyRequests = 1
    token.tallyLastUsedAt = at
    tallied.push(token)
    if (size + tallied.length >= options.maxPending) Deferred.unsafeDone(full, Exit.void)
  }

  const add: UsageRecorder["add"] = (organizationId, serviceAccountId, tokenId, requests, units, at) => {
    const day = dayOf(at)
    let ofDay = sums.get(day)
    if (ofDay === undefined) {
      ofDay = new Map()
      sums.set(day, ofDay)
    }
    const sum = ofDay.get(tokenId)
    if (sum === undefined) {
      ofDay.set(tokenId, { organizationId, serviceAccountId, tokenId, requests, units, lastUsedAt: at })
      size++
      if (size >= options.maxPending) Deferred.unsafeDone(full, Exit.void)
      return
    }
    sum.requests += requests
    sum.units += units
    if (at > sum.lastUsedAt) sum.lastUsedAt = at
  }

  /** The sums so far, as events in the queue (each with the next expectation of its day's stream). */
  const enqueue = (): void => {
    const taken = sums
    sums = new Map()
    size = 0
    for (const [day, ofDay] of taken) {
      const all = Array.from(ofDay.values())
      for (let from = 0; from < all.length; from += ENTRIES_PER_EVENT) {
        const entries = all.slice(from, from + ENTRIES_PER_EVENT).map((sum) => ({
          organizationId: sum.organizationId,
          serviceAccountId: sum.serviceAccountId,
          tokenId: sum.tokenId,
          requests: sum.requests,
          units: sum.units,
          lastUsedAt: utcAt(sum.lastUsedAt)
        }))
        const { streamId, event } = toProposedUsage(
          UsageRecorded.make({ day, recorder, sequence: sequence++, entries }, true)
        )
        const expected = revisions.get(streamId) ?? "no_stream"
        queue.push({ streamId, event, expected })
        // The next event of the stream expects this one to be there.
        revisions.set(streamId, expected === "no_stream" ? 0n : typeof expected === "bigint" ? expected + 1n : expected)
      }
    }
  }

  const dropped = (pending: Pending, error: AppendError) =>
    Effect.logError("a usage event could not be appended and is dropped").pipe(
      Effect.annotateLogs({ streamId: pending.streamId, day: usageStreamDay(pending.streamId), error: error.message }),
      Effect.zipRight(Metric.increment(Metric.tagged(usageAppends, "outcome", "dropped")))
    )

  /** Appends the queue in order; stops at the first failure that may pass, to try it again at the next flush. */
  const drain: Effect.Effect<void> = Effect.suspend(() => {
    const next = queue[0]
    if (next === undefined) return Effect.void
    return store.append(next.streamId, [next.event], next.expected).pipe(
      Effect.matchEffect({
        onSuccess: () =>
          Effect.suspend(() => {
            queue.shift()
            appended++
            return Effect.zipRight(Metric.increment(Metric.tagged(usageAppends, "outcome", "appended")), drain)
          }),
        onFailure: (error) =>
          error._tag === "EventStoreUnavailable"
            ? Effect.logWarning("usage could not be appended now; it is sent again at the next flush").pipe(
                Effect.annotateLogs({ streamId: next.streamId, error: error.message }),
                Effect.zipRight(Metric.increment(Metric.tagged(usageAppends, "outcome", "retried")))
              )
            : // Only this process writes the stream: a conflict or a deleted stream cannot be mended by trying again.
              Effect.suspend(() => {
                queue.shift()
                return Effect.zipRight(dropped(next, error), drain)
              })
      })
    )
  })

  const flush = Effect.suspend(() => {
    if (tallied.length > 0) settle()
    if (size > 0) enqueue()
    return drain
  })

  const run = Effect.forever(
    // Suspended: each round waits on the signal of its own round.
    Effect.suspend(() => Effect.raceFirst(Effect.sleep(options.flushInterval), Deferred.await(full))).pipe(
      Effect.zipRight(
        Effect.sync(() => {
          // A fresh signal for the next round; the flush below takes every sum made so far.
          full = Deferred.unsafeMake<void>(FiberId.none)
        })
      ),
      Effect.zipRight(flush)
    )
  )

  return { add, tally, flush, run, pending: () => size + tallied.length + queue.length, appends: () => appended }
}

/** Now, by the fiber's clock: what a use without a time is recorded at. */
export const now = Clock.currentTimeMillis
