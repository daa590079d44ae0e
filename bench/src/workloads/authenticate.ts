/**
 * `authenticate`: a token value in, the principal out, over an index of many active tokens.
 *
 * The tokens are issued in a generated history (100 organisations, 10 accounts each, tokens spread over them);
 * the history is appended straight to the store, and the service's read models (the token index among them)
 * catch up with it when the service layer is built. The timed loop authenticates every token value in a shuffled
 * order, as many calls as asked (cycling through the values).
 *
 * - the library: `yield* ServiceAccounts.authenticate(value)` in one `Effect.gen` loop, the usual way to call it
 *   (checks the length, computes the SHA-256 digest, looks it up in the token index, checks revocation and
 *   quarantine); and, reported beside it without a target, the same calls composed —
 *   `yield* Effect.map(authenticate(value), f)` — which take the fiber's run loop (see ADR 0005); and the calls
 *   recording each request as a use of its token (`authenticate(value, { record: true })`, issue 17), whose
 *   usage appends to the store are counted; and the calls refused — well-formed values never issued, each
 *   `yield* Effect.either(authenticate(value))` — which pay for the refusal (its counter, and its error);
 * - the raw baseline: `crypto.hash("sha256", value, "hex")` (or `createHash` before Node 20.12) and `Map.get`,
 *   refusing revoked entries, over the same values.
 */
import { randomUUID } from "node:crypto"
import { EventStore, isUsageStream, OrganizationId, ServiceAccounts, directoryStream } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Context, Effect, Either, Layer, LogLevel, Logger, Scope, Exit } from "effect"
import { type EventJson, METADATA, generateHistory } from "../history.js"
import { newToken, prng, sha256Hex } from "../tokens.js"
import { type Probe, noProbe } from "../probe.js"

export interface AuthenticateFixture {
  /** The history, by organisation, in order. */
  readonly streams: ReadonlyMap<string, ReadonlyArray<EventJson>>
  /** Every issued token value, shuffled. */
  readonly values: ReadonlyArray<string>
  /** The organisation of each value, at the same index. */
  readonly organizations: ReadonlyArray<string>
  /** Well-formed values that were never issued: every call with one is refused. */
  readonly unknown: ReadonlyArray<string>
}

/** How many never-issued values the refusals cycle through. */
const UNKNOWN_VALUES = 10_000

const ORGANIZATIONS = 100
const ACCOUNTS = 10

/** A history in which `tokens` tokens are issued (none revoked) over 100 organisations of 10 accounts each. */
export const authenticateFixture = (tokens: number, seed = 99): AuthenticateFixture => {
  const organizations = Array.from(
    { length: Math.min(ORGANIZATIONS, Math.max(1, Math.floor(tokens / 100))) },
    (_, i) => `auth-org-${i}`
  )
  const issued: Array<{ readonly value: string; readonly organizationId: string }> = []
  const streams = new Map<string, Array<EventJson>>()
  const history = generateHistory({
    events: tokens + organizations.length * ACCOUNTS,
    organizations,
    accountsPerOrganization: ACCOUNTS,
    activeTokensPerAccount: Number.POSITIVE_INFINITY,
    deleteRate: 0,
    seed,
    secret: (organizationId) => {
      const value = newToken()
      issued.push({ value, organizationId })
      return { secretHash: sha256Hex(value), hint: value.slice(-4) }
    }
  })
  for (const append of history) {
    for (const { organizationId, event } of append) {
      let stream = streams.get(organizationId)
      if (stream === undefined) {
        stream = []
        streams.set(organizationId, stream)
      }
      stream.push(event)
    }
  }
  const random = prng(seed)
  for (let i = issued.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1))
    const a = issued[i]
    const b = issued[j]
    if (a !== undefined && b !== undefined) {
      issued[i] = b
      issued[j] = a
    }
  }
  return {
    streams,
    values: issued.map((token) => token.value),
    organizations: issued.map((token) => token.organizationId),
    unknown: Array.from({ length: Math.min(UNKNOWN_VALUES, Math.max(1, issued.length)) }, newToken)
  }
}

export interface AuthenticateMeasurement {
  readonly calls: number
  readonly seconds: number
  readonly perSecond: number
  /**
   * Calls answered as expected (all of them, or something is wrong): the token's own organisation found, or — for
   * the refusals — the value refused.
   */
  readonly accepted: number
}

/**
 * How the library is called: `yield* authenticate(value)`, composed with `Effect.map` first, recording, or with
 * values never issued (`refused`, through `Effect.either`). The raw baseline knows `yield` (its lookup) and `refused`.
 */
export type CallPath = "yield" | "composed" | "recorded" | "refused"

/** How often the library flushes recorded usage in this workload. */
export const USAGE_FLUSH_MS = 1000

export interface AuthenticateSubject {
  readonly setupMs: number
  readonly run: (calls: number, probe?: Probe, path?: CallPath) => Promise<AuthenticateMeasurement>
  readonly close: () => Promise<void>
  /** When the store received each append of usage (`performance.now()`; the library only; after `close`, the last flush included). */
  readonly usageAppends: () => ReadonlyArray<number>
}

const measurement = (calls: number, start: number, end: number, accepted: number): AuthenticateMeasurement => {
  const seconds = (end - start) / 1000
  return { calls, seconds, perSecond: calls / seconds, accepted }
}

/** The library: the service on the in-memory store, its read models caught up with the history. */
export const oursSubject = async (fixture: AuthenticateFixture): Promise<AuthenticateSubject> => {
  const t0 = performance.now()
  const scope = Effect.runSync(Scope.make())
  const usageAppends: Array<number> = []
  const service = await Effect.gen(function* () {
    const memory = yield* makeMemoryStore
    // The same store, counting the appends of usage it receives.
    const store: typeof memory = {
      ...memory,
      append: (streamId, events, expected) => {
        if (isUsageStream(streamId)) usageAppends.push(performance.now())
        return memory.append(streamId, events, expected)
      }
    }
    for (const [organizationId, events] of fixture.streams) {
      const streamId = directoryStream(OrganizationId.make(organizationId))
      let revision: bigint | undefined
      for (let i = 0; i < events.length; i += 1000) {
        const proposed = events
          .slice(i, i + 1000)
          .map((event) => ({ eventId: randomUUID(), type: event._tag, data: event, metadata: METADATA }))
        revision = (yield* store.append(streamId, proposed, revision ?? "no_stream")).nextExpectedRevision
      }
    }
    const context = yield* Layer.buildWithScope(
      ServiceAccounts.layerWith({ usage: { flushInterval: `${USAGE_FLUSH_MS} millis` } }).pipe(
        Layer.provide(Layer.succeed(EventStore, store))
      ),
      scope
    )
    return Context.get(context, ServiceAccounts)
  }).pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.runPromise)
  const setupMs = performance.now() - t0
  const { values, organizations, unknown } = fixture
  return {
    setupMs,
    run: async (calls, probe = noProbe, path = "yield") => {
      await probe.start()
      const same = <A>(a: A): A => a
      const result = await Effect.gen(function* () {
        let accepted = 0
        const start = performance.now()
        if (path === "yield") {
          for (let i = 0; i < calls; i++) {
            const principal = yield* service.authenticate(values[i % values.length] ?? "")
            if (principal.organizationId === organizations[i % values.length]) accepted++
          }
        } else if (path === "composed") {
          for (let i = 0; i < calls; i++) {
            const principal = yield* Effect.map(service.authenticate(values[i % values.length] ?? ""), same)
            if (principal.organizationId === organizations[i % values.length]) accepted++
          }
        } else if (path === "recorded") {
          for (let i = 0; i < calls; i++) {
            const principal = yield* service.authenticate(values[i % values.length] ?? "", RECORD)
            if (principal.organizationId === organizations[i % values.length]) accepted++
          }
        } else {
          for (let i = 0; i < calls; i++) {
            const outcome = yield* Effect.either(service.authenticate(unknown[i % unknown.length] ?? ""))
            if (Either.isLeft(outcome)) accepted++
          }
        }
        return measurement(calls, start, performance.now(), accepted)
      }).pipe(Logger.withMinimumLogLevel(LogLevel.Warning), Effect.runPromise)
      await probe.stop()
      return result
    },
    close: () => Effect.runPromise(Scope.close(scope, Exit.void)),
    usageAppends: () => usageAppends
  }
}

const RECORD = { record: true } as const

interface RawEntry {
  readonly organizationId: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly scopes: ReadonlyArray<string>
  revoked: boolean
}

/** The raw baseline: a `Map` from digest to principal, folded from the same history. */
export const rawSubject = async (fixture: AuthenticateFixture): Promise<AuthenticateSubject> => {
  const t0 = performance.now()
  const index = new Map<string, RawEntry>()
  const byToken = new Map<string, RawEntry>()
  for (const events of fixture.streams.values()) {
    for (const event of events) {
      if (event._tag === "TokenIssued") {
        const entry = {
          organizationId: event.organizationId,
          serviceAccountId: event.serviceAccountId,
          tokenId: event.tokenId,
          scopes: event.scopes,
          revoked: false
        }
        index.set(event.secretHash, entry)
        byToken.set(event.tokenId, entry)
      } else if (event._tag === "TokenRevoked") {
        const entry = byToken.get(event.tokenId)
        if (entry !== undefined) entry.revoked = true
      }
    }
  }
  const setupMs = performance.now() - t0
  const { values, organizations, unknown } = fixture
  const authenticate = (value: string): RawEntry | undefined => {
    const entry = index.get(sha256Hex(value))
    return entry === undefined || entry.revoked ? undefined : entry
  }
  return {
    setupMs,
    run: async (calls, probe = noProbe, path = "yield") => {
      await probe.start()
      let accepted = 0
      const start = performance.now()
      if (path === "refused") {
        for (let i = 0; i < calls; i++) if (authenticate(unknown[i % unknown.length] ?? "") === undefined) accepted++
      } else {
        for (let i = 0; i < calls; i++) {
          const principal = authenticate(values[i % values.length] ?? "")
          if (principal !== undefined && principal.organizationId === organizations[i % values.length]) accepted++
        }
      }
      const end = performance.now()
      await probe.stop()
      return measurement(calls, start, end, accepted)
    },
    close: () => Promise.resolve(),
    usageAppends: () => []
  }
}
