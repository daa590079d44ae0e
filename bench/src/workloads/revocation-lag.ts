/**
 * Revocation lag across processes (issue 16): from the start of process A's `revokeToken` to process B's
 * `authenticate` refusing the token, next to the raw client's own delay from the start of an `appendToStream` in one
 * process to a `subscribeToAll` in another receiving the event — same test server, same run, one revocation and one
 * raw append in turn.
 *
 * Four roles, each in a process of its own in `pnpm bench` (`../esdb/instance.ts`), or all in one process in the
 * smoke test:
 * - the library's watcher (B): a service that issued the tokens (so it holds their values); armed for token k, it
 *   calls `authenticate` at every turn of its event loop until it refuses, and notes the time;
 * - the library's writer (A): another service, which revokes token k by its id, noting when the call started;
 * - the raw watcher: a `subscribeToAll` (system events filtered out, as the adapter does); armed for event k, it
 *   turns its event loop the same way and notes when the subscription delivers the event;
 * - the raw writer: `appendToStream` of event k, of the size of the library's `TokenRevoked`, noting when the call
 *   started.
 * Times come from the machine's monotonic clock, shared by its processes (`../esdb/clock.ts`).
 */
import { randomUUID } from "node:crypto"
import { END, EventStoreDBClient, excludeSystemEvents, jsonEvent } from "@eventstore/db-client"
import { ServiceAccounts } from "@service-accounts/domain"
import { layer as eventStoreDb } from "@service-accounts/store-eventstoredb"
import { Exit, Layer, Logger, LogLevel, ManagedRuntime, type Redacted } from "effect"
import { millisBetween, now } from "../esdb/clock.js"
import { type EventSize, rawEvent, sizeOf } from "../esdb/events.js"
import { ADMIN, streamOf } from "../history.js"

/** Watches for item k: `watch` resolves once armed, with the time the item is seen to come. */
export interface Watcher {
  readonly watch: (k: number) => Promise<{ readonly seen: Promise<bigint> }>
  readonly close: () => Promise<void>
}

/** Writes item k (revokes token k, appends event k) and returns the time the call started. */
export interface Writer {
  readonly write: (k: number) => Promise<bigint>
  readonly close: () => Promise<void>
}

/** The tokens the library's watcher issued, for the writer to revoke. */
export interface LagTokens {
  readonly organizationId: string
  readonly serviceAccountId: string
  readonly tokenIds: ReadonlyArray<string>
}

/** No watch may go on for ever: a broken run fails instead of spinning. */
const LIMIT_MS = 120_000

/** Turns the event loop (I/O is handled between turns) until `seen()` says yes; rejects past the limit. */
const spin = (seen: () => boolean): Promise<void> =>
  new Promise((resolve, reject) => {
    const started = performance.now()
    const turn = () => {
      if (seen()) return resolve()
      if (performance.now() - started > LIMIT_MS) return reject(new Error("the watched item never came"))
      setImmediate(turn)
    }
    turn()
  })

const serviceRuntime = (connectionString: string) =>
  ManagedRuntime.make(
    ServiceAccounts.layer.pipe(
      Layer.provide(eventStoreDb({ connectionString })),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  )

const callerOf = (organizationId: string) => ({
  organization: { id: organizationId, plan: "enterprise", tenantUrl: "https://bench.example.com" },
  actor: ADMIN
})

/** The library's watcher (B): issues `count` tokens on an organisation of its own, then watches them. */
export const libraryWatcher = async (
  connectionString: string,
  count: number
): Promise<{ readonly watcher: Watcher; readonly tokens: LagTokens }> => {
  const runtime = serviceRuntime(connectionString)
  const service = await runtime.runPromise(ServiceAccounts)
  const organizationId = `org-lag-${randomUUID()}`
  const caller = callerOf(organizationId)
  const account = await runtime.runPromise(service.create(caller, { name: "lag" }))
  const values: Array<Redacted.Redacted<string>> = []
  const tokenIds: Array<string> = []
  for (let i = 0; i < count; i++) {
    const issued = await runtime.runPromise(
      service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: `lag-${i}` })
    )
    values.push(issued.value)
    tokenIds.push(issued.tokenId)
  }
  const refused = (value: Redacted.Redacted<string>) => Exit.isFailure(runtime.runSyncExit(service.authenticate(value)))
  return {
    tokens: { organizationId, serviceAccountId: account.serviceAccountId, tokenIds },
    watcher: {
      watch: async (k) => {
        const value = values[k]
        if (value === undefined || refused(value)) throw new Error(`token ${k} is not there to be revoked`)
        let at: bigint | undefined
        const seen = spin(() => {
          if (!refused(value)) return false
          at = now()
          return true
        }).then(() => at ?? now())
        return { seen }
      },
      close: () => runtime.dispose()
    }
  }
}

/** The library's writer (A): revokes the watcher's token k. */
export const libraryWriter = async (connectionString: string, tokens: LagTokens): Promise<Writer> => {
  const runtime = serviceRuntime(connectionString)
  const service = await runtime.runPromise(ServiceAccounts)
  const caller = callerOf(tokens.organizationId)
  return {
    write: async (k) => {
      const tokenId = tokens.tokenIds[k]
      if (tokenId === undefined) throw new Error(`no token ${k}`)
      const started = now()
      await runtime.runPromise(service.revokeToken(caller, { serviceAccountId: tokens.serviceAccountId, tokenId }))
      return started
    },
    close: () => runtime.dispose()
  }
}

/** The size of the last event of the watcher's organisation (a `TokenRevoked`, once a revocation has been made). */
export const lastEventSize = async (connectionString: string, organizationId: string): Promise<EventSize> => {
  const client = EventStoreDBClient.connectionString(connectionString)
  try {
    for await (const resolved of client.readStream(streamOf(organizationId), {
      direction: "backwards",
      fromRevision: "end",
      maxCount: 1
    })) {
      if (resolved.event !== undefined) return sizeOf(resolved.event.data, resolved.event.metadata)
    }
    throw new Error("the organisation's stream is empty")
  } finally {
    await client.dispose()
  }
}

/** The raw watcher: a subscription to the whole store, watching the raw writer's stream. */
export const rawWatcher = async (connectionString: string, stream: string): Promise<Watcher> => {
  const client = EventStoreDBClient.connectionString(connectionString)
  const arrived = new Map<number, bigint>()
  const subscription = client.subscribeToAll({ fromPosition: END, filter: excludeSystemEvents() })
  subscription.on("data", (resolved) => {
    const event = resolved.event
    if (event === undefined || event.streamId !== stream) return
    const data: unknown = event.data
    const n = typeof data === "object" && data !== null ? Reflect.get(data, "n") : undefined
    if (typeof n === "number") arrived.set(n, now())
  })
  await new Promise<void>((resolve, reject) => {
    subscription.once("confirmation", () => resolve())
    subscription.once("error", reject)
  })
  return {
    watch: async (k) => ({
      seen: spin(() => arrived.has(k)).then(() => arrived.get(k) ?? now())
    }),
    close: async () => {
      await subscription.unsubscribe()
      await client.dispose()
    }
  }
}

/** The raw writer: appends event k, of `size`, to `stream`, with the expected revision. */
export const rawWriter = (connectionString: string, stream: string, size: EventSize): Writer => {
  const client = EventStoreDBClient.connectionString(connectionString)
  let expectedRevision: bigint | "no_stream" = "no_stream"
  return {
    write: async (k) => {
      const started = now()
      const result = await client.appendToStream(stream, jsonEvent(rawEvent(k, size)), { expectedRevision })
      expectedRevision = result.nextExpectedRevision
      return started
    },
    close: () => client.dispose()
  }
}

/** One measurement: arms the watcher for item k, has the writer write it, and returns the delay in milliseconds. */
export const lagOf = async (watcher: Watcher, writer: Writer, k: number): Promise<number> => {
  const { seen } = await watcher.watch(k)
  const started = await writer.write(k)
  return millisBetween(started, await seen)
}
