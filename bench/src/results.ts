/**
 * What a worker reports, as schemas: the runner decodes each worker's JSON line with them, so a malformed
 * report is an error, not a wrong number in the table.
 */
import { Schema } from "effect"

const Numbers = Schema.Array(Schema.Number)

export const CommandsSeries = Schema.Struct({
  perSecond: Numbers,
  commands: Numbers,
  setupMs: Numbers,
  warmupMs: Numbers
})
export type CommandsSeries = typeof CommandsSeries.Type

export const CommandsResult = Schema.Struct({
  history: Schema.Number,
  raw: CommandsSeries,
  ours: CommandsSeries,
  emmett: CommandsSeries,
  problems: Schema.Array(Schema.String)
})
export type CommandsResult = typeof CommandsResult.Type

export const ReplayResult = Schema.Struct({
  events: Schema.Number,
  seconds: Schema.Number,
  eventsPerSecond: Schema.Number,
  organizations: Schema.Number,
  liveAccounts: Schema.Number,
  activeTokens: Schema.Number,
  indexedTokens: Schema.Number,
  auditEntries: Schema.Number,
  liveHeapMb: Schema.Number,
  maxRssKb: Schema.Number
})
export type ReplayResult = typeof ReplayResult.Type

export const AuthenticateResult = Schema.Struct({
  tokens: Schema.Number,
  raw: Numbers,
  ours: Numbers,
  /** The library called through `Effect.map` (the run loop), reported without a target. */
  composed: Numbers,
  setupMs: Schema.Struct({ raw: Schema.Number, ours: Schema.Number }),
  problems: Schema.Array(Schema.String)
})
export type AuthenticateResult = typeof AuthenticateResult.Type
