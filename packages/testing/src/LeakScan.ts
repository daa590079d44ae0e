/**
 * The secret-leak scan: every token value a run was given is searched for in every place a secret must never
 * be — every stored byte (stream ids, event ids, types, data and metadata), every log line, every error and every
 * read model — and so is any well-formed token value at all, issued by the run or not. A report names where a
 * leak was found, never the value.
 *
 * @example
 * ```ts
 * import { EventStore, ServiceAccounts } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import {
 *   administrator,
 *   captureLogs,
 *   readModelHaystacks,
 *   scanForSecrets,
 *   storedHaystacks
 * } from "@service-accounts/testing"
 * import { Effect, Layer } from "effect"
 * import { expect, it } from "vitest"
 *
 * it("a token value is never stored, logged or listed", async () => {
 *   const logs = captureLogs()
 *   const caller = administrator("acme")
 *   const report = await Effect.gen(function* () {
 *     const accounts = yield* ServiceAccounts
 *     const bot = yield* accounts.create(caller, { name: "deploy-bot" })
 *     const token = yield* accounts.issueToken(caller, { serviceAccountId: bot.serviceAccountId, name: "ci" })
 *     const stored = yield* storedHaystacks(yield* EventStore)
 *     const listed = yield* readModelHaystacks(accounts, [caller])
 *     return scanForSecrets([token.value], [...stored, ...listed, ...logs.haystacks()])
 *   }).pipe(
 *     Effect.provide(Layer.merge(ServiceAccounts.layer.pipe(Layer.provideMerge(memoryStore)), logs.layer)),
 *     Effect.runPromise
 *   )
 *   expect(report.leaks).toEqual([]) // a leak would name where it was found, never the value
 * })
 * ```
 *
 * @since 0.1.0
 */
import {
  type CallerInput,
  type EventStoreShape,
  type ReadError,
  type ServiceAccountsShape,
  Token
} from "@service-accounts/domain"
import { Cause, Chunk, Effect, Layer, Logger, LogLevel, Redacted, Stream } from "effect"

/**
 * One text to search, and where it comes from.
 *
 * @since 0.1.0
 * @category models
 */
export interface Haystack {
  readonly where: string
  readonly text: string
}

/**
 * One leak: where, and whether it was a value the run was given or some other well-formed token value.
 *
 * @since 0.1.0
 * @category models
 */
export interface Leak {
  readonly where: string
  readonly kind: "issued-value" | "token-shaped"
}

/**
 * @since 0.1.0
 * @category models
 */
export interface LeakScanReport {
  readonly secrets: number
  readonly haystacks: number
  readonly charactersScanned: number
  readonly leaks: ReadonlyArray<Leak>
}

const json = (value: unknown): string => {
  try {
    return (
      JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? item.toString() : item)) ??
      String(value)
    )
  } catch {
    return String(value)
  }
}

/**
 * Searches every haystack for every secret, and for any well-formed token value.
 *
 * @since 0.1.0
 * @category scans
 */
export const scanForSecrets = (
  secrets: Iterable<string | Redacted.Redacted<string>>,
  haystacks: Iterable<Haystack>
): LeakScanReport => {
  const values = new Set<string>()
  for (const secret of secrets) values.add(typeof secret === "string" ? secret : Redacted.value(secret))
  const leaks: Array<Leak> = []
  let count = 0
  let characters = 0
  for (const haystack of haystacks) {
    count++
    characters += haystack.text.length
    for (const value of values) {
      if (haystack.text.includes(value)) leaks.push({ where: haystack.where, kind: "issued-value" })
    }
    for (const found of Token.findTokens(haystack.text)) {
      if (!values.has(found)) leaks.push({ where: haystack.where, kind: "token-shaped" })
    }
  }
  return { secrets: values.size, haystacks: count, charactersScanned: characters, leaks }
}

/**
 * Every stored byte of a store, one haystack per event: stream id, event id, type, data and metadata.
 *
 * @since 0.1.0
 * @category scans
 */
export const storedHaystacks = (store: EventStoreShape): Effect.Effect<ReadonlyArray<Haystack>, ReadError> =>
  store.readAll().pipe(
    Stream.map(
      (event): Haystack => ({
        where: `stored event ${event.streamId}@${event.revision}`,
        text: `${event.streamId}\n${event.eventId}\n${event.type}\n${json(event.data)}\n${json(event.metadata)}`
      })
    ),
    Stream.runCollect,
    Effect.map(Chunk.toReadonlyArray)
  )

/**
 * Every read model a caller can see: the listing, each listed account through `get`, the audit trail, the usage
 * report and the unused tokens. A refusal is scanned too (its message and fields).
 *
 * @since 0.1.0
 * @category scans
 */
export const readModelHaystacks = (
  service: ServiceAccountsShape,
  callers: Iterable<CallerInput>
): Effect.Effect<ReadonlyArray<Haystack>> =>
  Effect.gen(function* () {
    const out: Array<Haystack> = []
    for (const caller of callers) {
      const who = `${caller.organization.id}/${caller.actor.userId}`
      const listing = yield* Effect.either(service.list(caller))
      out.push({ where: `list (${who})`, text: json(listing) })
      if (listing._tag === "Right") {
        for (const account of listing.right.accounts) {
          const got = yield* Effect.either(service.get(caller, account.serviceAccountId))
          out.push({ where: `get ${account.serviceAccountId} (${who})`, text: json(got) })
        }
      }
      out.push({ where: `auditTrail (${who})`, text: json(yield* Effect.either(service.auditTrail(caller))) })
      out.push({ where: `usage (${who})`, text: json(yield* Effect.either(service.usage(caller))) })
      out.push({
        where: `unusedTokens (${who})`,
        text: json(yield* Effect.either(service.unusedTokens(caller, { days: 1 })))
      })
    }
    return out
  })

/**
 * An error as text: its message, its fields, and, for a defect, the whole cause.
 *
 * @since 0.1.0
 * @category scans
 */
export const errorText = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}\n${json(error)}\n${String(error)}` : json(error)

/**
 * The failures and defects of a cause, as text.
 *
 * @since 0.1.0
 * @category scans
 */
export const causeText = (cause: Cause.Cause<unknown>): string =>
  [...Chunk.toReadonlyArray(Cause.failures(cause)).map(errorText), Cause.pretty(cause)].join("\n")

/**
 * A logger that keeps every line (logfmt, annotations and spans included) at every level, for the scan.
 *
 * @since 0.1.0
 * @category models
 */
export interface LogCapture {
  /** Replaces the default logger and lowers the minimum level to `All`. */
  readonly layer: Layer.Layer<never>
  readonly lines: ReadonlyArray<string>
  /** The lines as haystacks. */
  readonly haystacks: () => ReadonlyArray<Haystack>
}

/**
 * Captures log lines instead of printing them.
 *
 * @since 0.1.0
 * @category constructors
 */
export const captureLogs = (): LogCapture => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => {
    lines.push(line)
  })
  return {
    layer: Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All)),
    lines,
    haystacks: () => lines.map((text, i) => ({ where: `log line ${i + 1}`, text }))
  }
}
