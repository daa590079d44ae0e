/**
 * Commands: `issueToken` on one organisation whose stream already holds H events.
 *
 * Every implementation gets the same history and the same commands:
 * 1. set-up (not timed): the organisation's stream is filled with the H generated events, appended straight to
 *    the store in batches of 1,000; the library's service layer is built (its read models catch up with them);
 * 2. one warm-up command (not timed) creates the account the tokens are issued for. For the library this is the
 *    cold start: its state cache is empty, so this command reads and folds all H events. After it the cache is
 *    warm;
 * 3. a round: `commands` `issueToken` commands, one after the other, timed together (steady state, warm cache).
 *    A subject can run several rounds; each adds its commands to the history.
 */
import { randomUUID } from "node:crypto"
import { EventStore, OrganizationId, ServiceAccounts, directoryStream } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Context, Effect, Exit, Layer, LogLevel, Logger, Scope, Stream } from "effect"
import * as Emmett from "../emmett.js"
import { ADMIN, type EventJson, METADATA, historyArray, streamOf } from "../history.js"
import { type Probe, noProbe } from "../probe.js"
import { type PlainContext, type PlainDirectory, decideCreate, decideIssue, emptyDirectory, evolve } from "../plain.js"

export const BENCH_ORGANIZATION = "org-bench"
/** The organisation `prime` runs its commands on. */
export const PRIME_ORGANIZATION = "org-bench-prime"
export const TENANT_URL = "https://bench.example.com"
const BATCH = 1000

/** The caller of every command: an administrator of an enterprise organisation. */
export const CALLER = {
  organization: { id: BENCH_ORGANIZATION, plan: "enterprise", tenantUrl: TENANT_URL },
  actor: ADMIN
} as const

const PRIME_CALLER = { ...CALLER, organization: { ...CALLER.organization, id: PRIME_ORGANIZATION } } as const

const PLAIN_CONTEXT: PlainContext = { organizationId: BENCH_ORGANIZATION, actor: ADMIN, tenantUrl: TENANT_URL }
const PRIME_CONTEXT: PlainContext = { ...PLAIN_CONTEXT, organizationId: PRIME_ORGANIZATION }

/** Runs `step(i)` until `budgetMs` have passed or `limit` steps ran; returns the steps run. */
const primeLoop = async (budgetMs: number, limit: number, step: (i: number) => Promise<void>): Promise<number> => {
  const start = performance.now()
  let i = 0
  while (i < limit && performance.now() - start < budgetMs) await step(i++)
  return i
}

export interface CommandsMeasurement {
  /** Commands timed. */
  readonly commands: number
  readonly seconds: number
  readonly perSecond: number
}

/** One implementation, set up on a history and warmed up, ready to run rounds of commands. */
export interface CommandsSubject {
  /** Building the history (and, for the library, the service and its read models). */
  readonly setupMs: number
  /** The warm-up command (for the library: the cold start that folds the whole history). */
  readonly warmupMs: number
  /** Times up to `commands` `issueToken` commands; `round` keeps token names unique across rounds. */
  readonly run: (commands: number, round: number, probe?: Probe) => Promise<CommandsMeasurement>
  /**
   * Untimed: runs `issueToken` commands on another organisation of the same instance (an account of its own there)
   * for `budgetMs` or `limit` commands, whichever comes first, so the measured organisation's history is untouched.
   * What a service that has been serving other organisations looks like; returns the commands run.
   */
  readonly prime: (budgetMs: number, limit: number) => Promise<number>
  /** Events in the organisation's stream. */
  readonly streamLength: () => Promise<number>
  readonly close: () => Promise<void>
}

/** The history of the benchmark organisation: `events` generated events (rotations, a few deletions). */
export const benchHistory = (events: number, seed = 7): ReadonlyArray<EventJson> =>
  historyArray({ events, organizations: [BENCH_ORGANIZATION], seed }).map(({ event }) => event)

const batches = <A>(items: ReadonlyArray<A>, size: number): Array<ReadonlyArray<A>> => {
  const out: Array<ReadonlyArray<A>> = []
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size))
  return out
}

const measurement = (commands: number, start: number, end: number): CommandsMeasurement => {
  const seconds = (end - start) / 1000
  return { commands, seconds, perSecond: commands / seconds }
}

const tokenName = (round: number, i: number): string => `bench-token-${round}-${i}`

// ---------------------------------------------------------------------------------------------------------------
// The library: ServiceAccounts on @service-accounts/store-memory.

const quiet = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.runPromise)

/** The workload through `ServiceAccounts` on the in-memory store. Info logs are filtered (level Warning). */
export const oursSubject = async (history: ReadonlyArray<EventJson>): Promise<CommandsSubject> => {
  const t0 = performance.now()
  const scope = Effect.runSync(Scope.make())
  const streamId = directoryStream(OrganizationId.make(BENCH_ORGANIZATION))
  const { store, service } = await quiet(
    Effect.gen(function* () {
      const store = yield* makeMemoryStore
      let revision: bigint | undefined
      for (const batch of batches(history, BATCH)) {
        const proposed = batch.map((event) => ({
          eventId: randomUUID(),
          type: event._tag,
          data: event,
          metadata: METADATA
        }))
        revision = (yield* store.append(streamId, proposed, revision ?? "no_stream")).nextExpectedRevision
      }
      const context = yield* Layer.buildWithScope(
        ServiceAccounts.layer.pipe(Layer.provide(Layer.succeed(EventStore, store))),
        scope
      )
      return { store, service: Context.get(context, ServiceAccounts) }
    })
  )
  const t1 = performance.now()
  const account = await quiet(service.create(CALLER, { name: "bench-account" }))
  const t2 = performance.now()
  let primeAccount: string | undefined
  return {
    setupMs: t1 - t0,
    warmupMs: t2 - t1,
    prime: async (budgetMs, limit) => {
      const serviceAccountId =
        primeAccount ?? (await quiet(service.create(PRIME_CALLER, { name: "prime-account" }))).serviceAccountId
      primeAccount = serviceAccountId
      // In batches of 100 commands per Effect run, like a round.
      let done = 0
      await primeLoop(budgetMs, Math.ceil(limit / 100), async () => {
        await quiet(
          Effect.gen(function* () {
            for (let i = 0; i < 100; i++) {
              yield* service.issueToken(PRIME_CALLER, { serviceAccountId, name: `prime-${done}` })
              done++
            }
          })
        )
      })
      return done
    },
    run: async (commands, round, probe = noProbe) => {
      await probe.start()
      const result = await quiet(
        Effect.gen(function* () {
          const start = performance.now()
          for (let i = 0; i < commands; i++) {
            yield* service.issueToken(CALLER, { serviceAccountId: account.serviceAccountId, name: tokenName(round, i) })
          }
          return measurement(commands, start, performance.now())
        })
      )
      await probe.stop()
      return result
    },
    streamLength: () => Effect.runPromise(Stream.runCount(store.readStream(streamId))),
    close: () => Effect.runPromise(Scope.close(scope, Exit.void))
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The raw baseline: an array store of JSON strings and a state cache, hand-written.

/** Streams of JSON texts; an append checks the expected revision (`-1`: the stream must not exist). */
export class ArrayStore {
  private readonly streams = new Map<string, Array<string>>()

  read(streamId: string, from: number): ReadonlyArray<string> {
    const stream = this.streams.get(streamId)
    return stream === undefined || from >= stream.length ? [] : stream.slice(from)
  }

  append(streamId: string, events: ReadonlyArray<string>, expected: number): number {
    let stream = this.streams.get(streamId)
    if (stream === undefined) {
      stream = []
      this.streams.set(streamId, stream)
    }
    if (stream.length - 1 !== expected) throw new Error(`conflict on ${streamId}`)
    for (const event of events) stream.push(event)
    return stream.length - 1
  }

  length(streamId: string): number {
    return this.streams.get(streamId)?.length ?? 0
  }
}

interface Cached {
  revision: number
  readonly state: PlainDirectory
}

/** The raw command path: load (cache + tail), decide, append with the expected revision, update the cache. */
export class RawService {
  private readonly cache = new Map<string, Cached>()

  constructor(readonly store: ArrayStore) {}

  private load(streamId: string): Cached {
    let cached = this.cache.get(streamId)
    if (cached === undefined) {
      cached = { revision: -1, state: emptyDirectory() }
      this.cache.set(streamId, cached)
    }
    for (const text of this.store.read(streamId, cached.revision + 1)) {
      const event: EventJson = JSON.parse(text)
      evolve(cached.state, event)
      cached.revision++
    }
    return cached
  }

  private commit(streamId: string, cached: Cached, event: EventJson): void {
    cached.revision = this.store.append(streamId, [JSON.stringify(event)], cached.revision)
    evolve(cached.state, event)
  }

  create(name: string, context: PlainContext = PLAIN_CONTEXT): string {
    const streamId = streamOf(context.organizationId)
    const cached = this.load(streamId)
    const event = decideCreate(cached.state, context, name)
    this.commit(streamId, cached, event)
    return event.serviceAccountId
  }

  issueToken(
    serviceAccountId: string,
    name: string,
    context: PlainContext = PLAIN_CONTEXT
  ): { readonly tokenId: string; readonly sessionJson: string } {
    const streamId = streamOf(context.organizationId)
    const cached = this.load(streamId)
    const issued = decideIssue(cached.state, context, serviceAccountId, name)
    this.commit(streamId, cached, issued.event)
    return { tokenId: issued.event.tokenId, sessionJson: issued.sessionJson }
  }
}

export const rawSubject = async (history: ReadonlyArray<EventJson>): Promise<CommandsSubject> => {
  const t0 = performance.now()
  const store = new ArrayStore()
  const streamId = streamOf(BENCH_ORGANIZATION)
  for (const batch of batches(history, BATCH)) {
    store.append(
      streamId,
      batch.map((event) => JSON.stringify(event)),
      store.length(streamId) - 1
    )
  }
  const service = new RawService(store)
  const t1 = performance.now()
  const accountId = service.create("bench-account")
  const t2 = performance.now()
  let primeAccount: string | undefined
  return {
    setupMs: t1 - t0,
    warmupMs: t2 - t1,
    prime: (budgetMs, limit) => {
      const serviceAccountId = primeAccount ?? service.create("prime-account", PRIME_CONTEXT)
      primeAccount = serviceAccountId
      let done = 0
      return primeLoop(budgetMs, Math.ceil(limit / 100), () => {
        for (let i = 0; i < 100; i++) service.issueToken(serviceAccountId, `prime-${done++}`, PRIME_CONTEXT)
        return Promise.resolve()
      }).then(() => done)
    },
    run: async (commands, round, probe = noProbe) => {
      await probe.start()
      const start = performance.now()
      for (let i = 0; i < commands; i++) service.issueToken(accountId, tokenName(round, i))
      const end = performance.now()
      await probe.stop()
      return measurement(commands, start, end)
    },
    streamLength: () => Promise.resolve(store.length(streamId)),
    close: () => Promise.resolve()
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The peer: Emmett's CommandHandler on Emmett's in-memory store.

/**
 * Emmett folds its whole stream for every command, so each command of a round makes the next dearer: a round runs
 * at most `EMMETT_MAX_COMMANDS` (at H = 0 a round of 1,000 would measure Emmett on 500 events on average, not on an
 * empty stream), and at long histories fewer — as many as fit in `budgetMs` judging by the warm-up command, at
 * least 3.
 */
export const EMMETT_MAX_COMMANDS = 200

export const emmettSubject = async (history: ReadonlyArray<EventJson>, budgetMs: number): Promise<CommandsSubject> => {
  const t0 = performance.now()
  const store = Emmett.makeStore()
  const streamId = streamOf(BENCH_ORGANIZATION)
  for (const batch of batches(history, BATCH)) await Emmett.appendHistory(store, streamId, batch)
  const t1 = performance.now()
  let accountId = ""
  await Emmett.handle(store, streamId, (state) => {
    const event = decideCreate(state, PLAIN_CONTEXT, "bench-account")
    accountId = event.serviceAccountId
    return Emmett.toEmmett(event)
  })
  const t2 = performance.now()
  const warmupMs = t2 - t1
  const primeStream = streamOf(PRIME_ORGANIZATION)
  let primeAccount: string | undefined
  return {
    setupMs: t1 - t0,
    warmupMs,
    prime: async (budgetMs, limit) => {
      if (primeAccount === undefined) {
        await Emmett.handle(store, primeStream, (state) => {
          const event = decideCreate(state, PRIME_CONTEXT, "prime-account")
          primeAccount = event.serviceAccountId
          return Emmett.toEmmett(event)
        })
      }
      const serviceAccountId = primeAccount ?? ""
      // Emmett folds the whole stream per command: the priming stream stays short.
      let done = 0
      await primeLoop(budgetMs, Math.min(limit, 200), async () => {
        await Emmett.handle(store, primeStream, (state) =>
          Emmett.toEmmett(decideIssue(state, PRIME_CONTEXT, serviceAccountId, `prime-${done++}`).event)
        )
      })
      return done
    },
    run: async (commands, round, probe = noProbe) => {
      const count = Math.max(
        3,
        Math.min(commands, EMMETT_MAX_COMMANDS, Math.floor(budgetMs / Math.max(warmupMs, 0.001)))
      )
      await probe.start()
      const start = performance.now()
      for (let i = 0; i < count; i++) {
        await Emmett.handle(store, streamId, (state) =>
          Emmett.toEmmett(decideIssue(state, PLAIN_CONTEXT, accountId, tokenName(round, i)).event)
        )
      }
      const end = performance.now()
      await probe.stop()
      return measurement(count, start, end)
    },
    streamLength: () => Emmett.streamLength(store, streamId),
    close: () => Promise.resolve()
  }
}
