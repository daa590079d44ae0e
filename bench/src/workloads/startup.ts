/**
 * Start-up over EventStoreDB (issue 16): a generated history of N events over 1,000 organisations is appended to
 * the test server (running in a process of its own), then a service process starts on it, by a full replay or from a
 * snapshot taken at the end, each in a fresh process so that its peak RSS is its own.
 *
 * - `loadHistory`: the same generated history as the replay workload (same organisations, same seed), appended with
 *   the raw client, each organisation's events in order, up to 500 events an append (not timed);
 * - `startService`: builds `ServiceAccounts` over `store-eventstoredb` and times it to ready — building the layer,
 *   which returns once the read models have caught up with the store (from the newest snapshot and the events after
 *   it, or from the whole history); peak RSS is read at that moment. Then (not timed) it counts what the read
 *   models hold through `list`, so the two ways of starting can be checked to agree, and writes a snapshot if asked.
 */
import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client"
import { ServiceAccounts } from "@service-accounts/domain"
import { layer as eventStoreDb } from "@service-accounts/store-eventstoredb"
import { Layer, Logger, LogLevel, ManagedRuntime } from "effect"
import { ADMIN, generateHistory, METADATA, streamOf } from "../history.js"
import { replayOrganizations } from "./replay.js"

const APPEND_SIZE = 500
const SEED = 2024

export interface LoadResult {
  readonly events: number
  readonly seconds: number
}

/** Appends the generated history of `events` events to the store at `connectionString`. */
export const loadHistory = async (connectionString: string, events: number): Promise<LoadResult> => {
  const started = performance.now()
  const client = EventStoreDBClient.connectionString(connectionString)
  try {
    const pending = new Map<string, Array<ReturnType<typeof jsonEvent>>>()
    let written = 0
    const flush = async (stream: string) => {
      const batch = pending.get(stream)
      if (batch === undefined || batch.length === 0) return
      pending.set(stream, [])
      await client.appendToStream(stream, batch)
      written += batch.length
    }
    for (const append of generateHistory({ events, organizations: replayOrganizations(events), seed: SEED })) {
      for (const { organizationId, event } of append) {
        const stream = streamOf(organizationId)
        const batch = pending.get(stream) ?? []
        batch.push(jsonEvent({ type: event._tag, data: event, metadata: METADATA }))
        pending.set(stream, batch)
        if (batch.length >= APPEND_SIZE) await flush(stream)
      }
    }
    for (const stream of [...pending.keys()]) await flush(stream)
    return { events: written, seconds: (performance.now() - started) / 1000 }
  } finally {
    await client.dispose()
  }
}

export interface StartParams {
  readonly connectionString: string
  /** The history's size, to know its organisations. */
  readonly events: number
  /** Write a snapshot once measured (the next starts can start from it). */
  readonly writeSnapshot: boolean
}

export interface StartResult {
  /** From the start of the layer's build to the service ready. */
  readonly readyMs: number
  /** Peak RSS of the process when the service was ready, in KiB. */
  readonly maxRssKb: number
  readonly fromSnapshot: boolean
  /** Live accounts, active and revoked tokens of live accounts, over every organisation (through `list`). */
  readonly accounts: number
  readonly activeTokens: number
  readonly revokedTokens: number
  /** Chunks of the snapshot written, if one was. */
  readonly snapshotChunks: number
}

/** Starts a service on the store and times it to ready (see the module's description). */
export const startService = async (params: StartParams): Promise<StartResult> => {
  const started = performance.now()
  const runtime = ManagedRuntime.make(
    ServiceAccounts.layer.pipe(
      Layer.provide(eventStoreDb({ connectionString: params.connectionString })),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  )
  try {
    const service = await runtime.runPromise(ServiceAccounts)
    const readyMs = performance.now() - started
    const maxRssKb = process.resourceUsage().maxRSS
    const readiness = await runtime.runPromise(service.readiness)
    if (!readiness.caughtUp) throw new Error("the service's layer was built before its read models caught up")
    let accounts = 0
    let activeTokens = 0
    let revokedTokens = 0
    for (const organizationId of replayOrganizations(params.events)) {
      const caller = {
        organization: { id: organizationId, plan: "enterprise", tenantUrl: "https://bench.example.com" },
        actor: ADMIN
      }
      const listing = await runtime.runPromise(service.list(caller))
      for (const account of listing.accounts) {
        accounts++
        for (const token of account.tokens) {
          if (token.status === "active") activeTokens++
          else revokedTokens++
        }
      }
    }
    const snapshot = params.writeSnapshot ? await runtime.runPromise(service.snapshot) : undefined
    if (params.writeSnapshot && snapshot === undefined) throw new Error("no snapshot was written")
    return {
      readyMs,
      maxRssKb,
      fromSnapshot: readiness.startedFrom !== undefined,
      accounts,
      activeTokens,
      revokedTokens,
      snapshotChunks: snapshot?.chunks ?? 0
    }
  } finally {
    await runtime.dispose()
  }
}
