/**
 * Usage of tokens: what a host reports (a request, with the units it charges for it) and the event in which a
 * process records what it summed (ADR 0011). Usage is kept apart from the directory: its events live in streams of
 * their own — one per UTC day and recording process — and never in a directory stream, whose decision state, cache
 * and tamper chain must not grow with traffic.
 *
 * @example
 * ```ts
 * import { UsageInput, UsageRecorded } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * // What a host may report for one authenticated request: 1 request (the default), 3.5 credits.
 * const use = Schema.decodeUnknownSync(UsageInput)({ units: 3.5 })
 * console.log(use.requests, use.units) // 1 3.5
 * console.log(UsageRecorded.fields.entries !== undefined) // true
 * ```
 *
 * @since 0.3.0
 */
import { Schema } from "effect"
import { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"

/** The largest count one report or one day may hold: far above any real traffic, well below 2^53. */
export const MAX_USAGE = 1e12

const Requests = Schema.Number.pipe(
  Schema.int({ message: () => "must be a whole number of requests" }),
  Schema.between(0, MAX_USAGE, { message: () => `must be between 0 and ${MAX_USAGE}` })
)

const Units = Schema.Number.pipe(
  Schema.finite({ message: () => "must be a finite number" }),
  Schema.between(0, MAX_USAGE, { message: () => `must be between 0 and ${MAX_USAGE}` })
)

/**
 * A UTC day, `YYYY-MM-DD`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const UsageDay = Schema.String.pipe(
  Schema.pattern(/^\d{4}-\d{2}-\d{2}$/, { message: () => "must be a UTC day, YYYY-MM-DD" }),
  Schema.brand("UsageDay")
)
/**
 * @since 0.3.0
 * @category models
 */
export type UsageDay = typeof UsageDay.Type

/**
 * What a host reports for a use of a token: how many requests (a whole number, default 1), how many units it
 * charges for them (credits, or whatever the host counts; default 0), and when (default: now), as an ISO-8601 time or
 * epoch milliseconds.
 *
 * @since 0.3.0
 * @category schemas
 */
export const UsageInput = Schema.Struct({
  requests: Schema.optionalWith(Requests, { default: () => 1 }),
  units: Schema.optionalWith(Units, { default: () => 0 }),
  at: Schema.optional(
    Schema.Union(Schema.Date, Schema.DateFromNumber.pipe(Schema.validDate())).annotations({
      message: () => "must be an ISO-8601 time or epoch milliseconds"
    })
  )
})
/**
 * @since 0.3.0
 * @category models
 */
export type UsageInput = typeof UsageInput.Type

/**
 * One token's use in a recorded batch: its requests and units, and the time of its last use in the batch.
 *
 * @since 0.3.0
 * @category schemas
 */
export const UsageEntry = Schema.Struct({
  organizationId: OrganizationId,
  serviceAccountId: ServiceAccountId,
  tokenId: TokenId,
  requests: Requests,
  units: Units,
  lastUsedAt: Schema.DateTimeUtc
})
/**
 * @since 0.3.0
 * @category models
 */
export type UsageEntry = typeof UsageEntry.Type

/**
 * A process recorded uses it summed, all of one UTC day, since its previous flush. `recorder` names the process (a
 * fresh id each time a service starts), which alone writes the stream of its day, with an expected revision: a flush
 * re-sent after a failure is recognised by the store and counted once. `sequence` numbers the recorder's events.
 *
 * @since 0.3.0
 * @category events
 */
export const UsageRecorded = Schema.TaggedStruct("UsageRecorded", {
  day: UsageDay,
  recorder: Schema.UUID,
  sequence: Schema.Number.pipe(Schema.int(), Schema.nonNegative()),
  entries: Schema.Array(UsageEntry)
})
/**
 * @since 0.3.0
 * @category events
 */
export type UsageRecorded = typeof UsageRecorded.Type
