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
  /** The library recording each call as a use of its token. */
  recorded: Numbers,
  /** The raw baseline with values never issued (each call a miss). */
  rawRefused: Numbers,
  /** The library refusing values never issued, each call through `Effect.either`. */
  refused: Numbers,
  /** The usage appends the store received over the recording calls. */
  usage: Schema.Struct({
    appends: Schema.Number,
    organizations: Schema.Number,
    mostInAnInterval: Schema.Number,
    intervalMs: Schema.Number
  }),
  setupMs: Schema.Struct({ raw: Schema.Number, ours: Schema.Number }),
  problems: Schema.Array(Schema.String)
})
export type AuthenticateResult = typeof AuthenticateResult.Type

export const LoadResult = Schema.Struct({ events: Schema.Number, seconds: Schema.Number })

export const StartResult = Schema.Struct({
  readyMs: Schema.Number,
  maxRssKb: Schema.Number,
  fromSnapshot: Schema.Boolean,
  accounts: Schema.Number,
  activeTokens: Schema.Number,
  revokedTokens: Schema.Number,
  snapshotChunks: Schema.Number
})
export type StartResult = typeof StartResult.Type

const EventSize = Schema.Struct({ data: Schema.Number, metadata: Schema.Number })

export const EsdbRate = Schema.Struct({
  count: Schema.Number,
  seconds: Schema.Number,
  perSecond: Schema.Number,
  cpuMsPerOp: Schema.Number
})
export type EsdbRate = typeof EsdbRate.Type

export const EsdbCommandsResult = Schema.Struct({ ...EsdbRate.fields, eventSize: EventSize })
export type EsdbCommandsResult = typeof EsdbCommandsResult.Type

/** Which adapter a commands job over EventStoreDB measures (and whose client is its raw baseline). */
const EsdbAdapter = Schema.optionalWith(Schema.Literal("eventstoredb", "kurrentdb"), { default: () => "eventstoredb" })

/** The parameters of the jobs over EventStoreDB, decoded by the worker. */
export const EsdbJobParams = Schema.Union(
  Schema.Struct({ job: Schema.Literal("esdb-load"), connectionString: Schema.String, events: Schema.Number }),
  Schema.Struct({
    job: Schema.Literal("startup"),
    connectionString: Schema.String,
    events: Schema.Number,
    writeSnapshot: Schema.Boolean
  }),
  Schema.Struct({
    job: Schema.Literal("esdb-library"),
    connectionString: Schema.String,
    count: Schema.Number,
    warmup: Schema.Number,
    adapter: EsdbAdapter
  }),
  Schema.Struct({
    job: Schema.Literal("esdb-raw"),
    connectionString: Schema.String,
    count: Schema.Number,
    warmup: Schema.Number,
    size: EventSize,
    adapter: EsdbAdapter
  })
)
export type EsdbJobParams = typeof EsdbJobParams.Type
