/**
 * Commands over EventStoreDB (issue 16): `issueToken` through an adapter (`store-eventstoredb`, or `store-kurrentdb`
 * with `adapter: "kurrentdb"`) against the same client's own `appendToStream`, on the same test server (a process of
 * its own), each side in a process of its own.
 *
 * - the library: `ServiceAccounts.issueToken` on an organisation of its own, one command after the other (each
 *   appends one `TokenIssued` with the expected revision, then updates the read models);
 * - the raw client: `appendToStream` of one event of the same size as the library's `TokenIssued` (data and
 *   metadata, measured from the store in the same run), one after the other, with the expected revision.
 *
 * Each first runs `warmup` untimed operations (the connection, the JIT), then `count` timed ones.
 */
import { randomUUID } from "node:crypto"
import { ServiceAccounts } from "@service-accounts/domain"
import { Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import { adapterSide, type EsdbAdapter } from "../esdb/clients.js"
import type { EventSize } from "../esdb/events.js"
import { ADMIN, streamOf } from "../history.js"

export interface EsdbCommandsParams {
  readonly connectionString: string
  readonly count: number
  readonly warmup: number
  /** Default: `eventstoredb`. */
  readonly adapter?: EsdbAdapter
}

export interface EsdbRate {
  readonly count: number
  readonly seconds: number
  readonly perSecond: number
  /** CPU time (user and system) of this process per operation, in milliseconds: what a busy machine makes wait. */
  readonly cpuMsPerOp: number
}

const cpuMs = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1000
}

export interface EsdbCommandsResult extends EsdbRate {
  /** The size of the last `TokenIssued` the library stored: what the raw side appends. */
  readonly eventSize: EventSize
}

/** `issueToken` through the adapter: returns the rate, and the size of the events it stored. */
export const libraryCommands = async (params: EsdbCommandsParams): Promise<EsdbCommandsResult> => {
  const organizationId = `org-esdb-${randomUUID()}`
  const caller = {
    organization: { id: organizationId, plan: "enterprise", tenantUrl: "https://bench.example.com" },
    actor: ADMIN
  }
  const side = await adapterSide(params.adapter ?? "eventstoredb", params.connectionString)
  const runtime = ManagedRuntime.make(
    ServiceAccounts.layer.pipe(Layer.provide(side.layer), Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)))
  )
  const client = side.raw()
  try {
    const service = await runtime.runPromise(ServiceAccounts)
    const account = await runtime.runPromise(service.create(caller, { name: "bench" }))
    const issue = (name: string) =>
      runtime.runPromise(service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name }))
    for (let i = 0; i < params.warmup; i++) await issue(`warm-${i}`)
    const started = performance.now()
    const cpu = cpuMs()
    for (let i = 0; i < params.count; i++) await issue(`token-${i}`)
    const cpuMsPerOp = (cpuMs() - cpu) / params.count
    const seconds = (performance.now() - started) / 1000
    const eventSize = await client.lastEventSize(streamOf(organizationId))
    return { count: params.count, seconds, perSecond: params.count / seconds, cpuMsPerOp, eventSize }
  } finally {
    await client.dispose()
    await runtime.dispose()
  }
}

/** The raw client's `appendToStream`, one event of `size` at a time with the expected revision: its rate. */
export const rawAppends = async (params: EsdbCommandsParams & { readonly size: EventSize }): Promise<EsdbRate> => {
  const side = await adapterSide(params.adapter ?? "eventstoredb", params.connectionString)
  const client = side.raw()
  const stream = `raw-esdb-${randomUUID()}`
  try {
    let expected: bigint | "no_stream" = "no_stream"
    const append = async (n: number) => {
      expected = await client.append(stream, n, params.size, expected)
    }
    for (let i = 0; i < params.warmup; i++) await append(i)
    const started = performance.now()
    const cpu = cpuMs()
    for (let i = 0; i < params.count; i++) await append(params.warmup + i)
    const cpuMsPerOp = (cpuMs() - cpu) / params.count
    const seconds = (performance.now() - started) / 1000
    return { count: params.count, seconds, perSecond: params.count / seconds, cpuMsPerOp }
  } finally {
    await client.dispose()
  }
}
