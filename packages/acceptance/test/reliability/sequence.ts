/**
 * A deterministic caller for the reliability tests: it runs a sequence of model steps (from
 * `@service-accounts/testing`'s `modelStep`) against a `ServiceAccounts` service, gives every command its own
 * command id, and — as a well-behaved client does — resolves an `EventStoreUnavailable` by sending the very same
 * command with the same command id again, never by deciding anything itself. It records what each step ended in,
 * every token value it was given, and every error text, for the comparisons and the leak scan.
 */
import {
  type CallerInput,
  EventStore,
  isUsageStream,
  type RecordedEvent,
  type ServiceAccountsShape,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsOptions
} from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import {
  administrator,
  captureLogs,
  causeText,
  type FaultCounts,
  type FaultOptions,
  type Haystack,
  makeFaultInjector,
  type ModelStep,
  modelStep,
  readModelHaystacks
} from "@service-accounts/testing"
import { Cause, Chunk, Effect, Exit, FastCheck as fc, Layer, Redacted, Schedule, Stream } from "effect"

export const ORGS = ["org-a", "org-b"] as const
const UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"

/** The outcome recorded for a `Get` or `List` step that did not die (see `runSteps`). */
const QUERY = "query"

/** The outcome of an `Authenticate` step aimed at a token whose value the caller never received. */
export const VALUE_WITHHELD = "value-withheld"

/** Outcomes compared step by step; a step the faulty run could not take (`VALUE_WITHHELD`) matches anything. */
export const sameOutcomes = (faulty: ReadonlyArray<string>, clean: ReadonlyArray<string>): ReadonlyArray<string> =>
  faulty.length !== clean.length
    ? [`${faulty.length} outcomes against ${clean.length}`]
    : faulty.flatMap((outcome, i) =>
        outcome === clean[i] || outcome === VALUE_WITHHELD ? [] : [`step ${i}: ${outcome}, without faults ${clean[i]}`]
      )

/** A sequence of steps, the same for every run with the same seed. */
export const generateSteps = (seed: number, length: number): ReadonlyArray<ModelStep> =>
  fc.sample(fc.array(modelStep, { minLength: length, maxLength: length }), { seed, numRuns: 1 })[0] ?? []

interface KnownToken {
  readonly id: string
  readonly value: Redacted.Redacted<string> | undefined
}

interface KnownAccount {
  readonly id: string
  readonly tokens: Array<KnownToken>
}

export interface SequenceResult {
  /** What each step ended in: `success` or the error's tag. */
  readonly outcomes: ReadonlyArray<string>
  /** Every token value the caller was given. */
  readonly values: ReadonlyArray<Redacted.Redacted<string>>
  /** Commands the caller sent again, with the same command id, after an `EventStoreUnavailable`. */
  readonly callerRetries: number
  /** `issueToken` commands whose first reply was lost after the write: the repeat names the token, not its value. */
  readonly valuesWithheld: number
  readonly errors: ReadonlyArray<Haystack>
  readonly defects: ReadonlyArray<string>
}

const pick = <A>(items: ReadonlyArray<A>, i: number): A | undefined =>
  items.length === 0 ? undefined : items[i % items.length]

const errorOf = (exit: Exit.Exit<unknown, unknown>): unknown => {
  if (Exit.isSuccess(exit)) return undefined
  const failure = Cause.failureOption(exit.cause)
  return failure._tag === "Some" ? failure.value : undefined
}

export const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = errorOf(exit)
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
}

const isUnavailable = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "EventStoreUnavailable"

/** Deliberately ill-typed input, as a hostile or buggy caller sends it. */
const hostile = <T>(input: Record<string, unknown>): T => input as T

const tamper = (value: string): string => {
  const i = value.length - 10
  return value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1)
}

/** Runs the steps in order; never fails: every outcome is recorded. */
export const runSteps = (
  service: ServiceAccountsShape,
  steps: ReadonlyArray<ModelStep>,
  options: { readonly maxCallerRetries?: number } = {}
): Effect.Effect<SequenceResult> =>
  Effect.gen(function* () {
    const maxRetries = options.maxCallerRetries ?? 20
    const accounts = new Map<string, Array<KnownAccount>>(ORGS.map((o) => [o, []]))
    const tokens: Array<KnownToken> = []
    const outcomes: Array<string> = []
    const values: Array<Redacted.Redacted<string>> = []
    const errors: Array<Haystack> = []
    const defects: Array<string> = []
    let callerRetries = 0
    let valuesWithheld = 0

    /** Sends a command; after an `EventStoreUnavailable` sends it again, same command id, up to `maxRetries` times. */
    const send = <A>(effect: Effect.Effect<A, unknown>) =>
      Effect.gen(function* () {
        let exit = yield* Effect.exit(effect)
        let retried = false
        for (let n = 0; n < maxRetries && isUnavailable(errorOf(exit)); n++) {
          callerRetries++
          retried = true
          exit = yield* Effect.exit(effect)
        }
        return { exit, retried }
      })

    for (const [n, step] of steps.entries()) {
      const orgId = "org" in step ? (ORGS[step.org] ?? "org-a") : "org-a"
      const caller: CallerInput = { ...administrator(orgId), commandId: `step-${n}` }
      const known = accounts.get(orgId) ?? []
      const account = "account" in step ? pick(known, step.account) : undefined
      const accountId = account?.id ?? UNKNOWN_ID
      let outcome: { readonly exit: Exit.Exit<unknown, unknown>; readonly retried: boolean }

      switch (step._tag) {
        case "Create": {
          const sent = yield* send(
            service.create(caller, {
              name: step.name,
              ...(step.description === undefined ? {} : { description: step.description })
            })
          )
          if (Exit.isSuccess(sent.exit)) known.push({ id: sent.exit.value.serviceAccountId, tokens: [] })
          outcome = sent
          break
        }
        case "Issue": {
          const sent = yield* send(
            service.issueToken(caller, {
              serviceAccountId: accountId,
              name: step.name,
              ...(step.scopes === undefined ? {} : { scopes: step.scopes })
            })
          )
          const error = errorOf(sent.exit)
          if (Exit.isSuccess(sent.exit)) {
            const token = { id: sent.exit.value.tokenId, value: sent.exit.value.value }
            values.push(sent.exit.value.value)
            account?.tokens.push(token)
            tokens.push(token)
          } else if (
            sent.retried &&
            typeof error === "object" &&
            error !== null &&
            "_tag" in error &&
            error._tag === "TokenAlreadyIssued" &&
            "tokenId" in error
          ) {
            // The first attempt was written but its reply lost: the token exists, its value went to nobody.
            valuesWithheld++
            const token = { id: String(error.tokenId), value: undefined }
            account?.tokens.push(token)
            tokens.push(token)
            outcomes.push("success")
            continue
          }
          outcome = sent
          break
        }
        case "Revoke": {
          const token = account === undefined ? undefined : pick(account.tokens, step.token)
          outcome = yield* send(
            service.revokeToken(caller, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
          )
          break
        }
        case "Delete":
          outcome = yield* send(service.delete(caller, { serviceAccountId: accountId }))
          break
        case "Invalid": {
          const [command, field] = step.field.split(".") as [string, string]
          outcome = yield* send<unknown>(
            command === "create"
              ? service.create(caller, hostile({ name: "valid-name", [field]: step.value }))
              : command === "issue"
                ? service.issueToken(
                    caller,
                    hostile({ serviceAccountId: accountId, name: "valid-token", [field]: step.value })
                  )
                : service.revokeToken(caller, hostile({ serviceAccountId: accountId, [field]: step.value }))
          )
          break
        }
        case "Refused": {
          const refused: CallerInput = { ...step.caller, commandId: `step-${n}` }
          const token = pick(account?.tokens ?? [], 0)
          outcome = yield* send<unknown>(
            step.command === "create"
              ? service.create(refused, { name: "refused" })
              : step.command === "issue"
                ? service.issueToken(refused, { serviceAccountId: accountId, name: "refused" })
                : step.command === "revoke"
                  ? service.revokeToken(refused, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
                  : service.delete(refused, { serviceAccountId: accountId })
          )
          break
        }
        case "Foreign": {
          const other: CallerInput = {
            ...administrator(ORGS[(step.org + 1) % ORGS.length] ?? "org-b", "foreign-admin"),
            commandId: `step-${n}`
          }
          const token = pick(account?.tokens ?? [], step.token)
          outcome = yield* send<unknown>(
            step.command === "issue"
              ? service.issueToken(other, { serviceAccountId: accountId, name: "intruder" })
              : step.command === "revoke"
                ? service.revokeToken(other, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
                : service.delete(other, { serviceAccountId: accountId })
          )
          break
        }
        case "Get":
        case "List": {
          // Read-only, and answered from the read models, which may lag behind a write whose catch-up a fault broke
          // (the subscription brings them up to date later): so they are run — their errors go to the leak scan, a
          // defect is one — but their outcome is not compared between runs.
          const asker = administrator(ORGS[step.org] ?? "org-a", "reader")
          const exit: Exit.Exit<unknown, unknown> =
            step._tag === "Get"
              ? yield* Effect.exit(service.get(asker, accountId))
              : yield* Effect.exit(service.list(asker))
          const tag = tagOf(exit)
          outcomes.push(tag === "defect" ? tag : QUERY)
          if (Exit.isFailure(exit)) {
            errors.push({ where: `step ${n} (${step._tag})`, text: causeText(exit.cause) })
            if (tag === "defect") defects.push(`step ${n} ${step._tag}: ${Cause.pretty(exit.cause)}`)
          }
          continue
        }
        case "Authenticate": {
          const token = pick(tokens, step.token)
          if (token !== undefined && token.value === undefined) {
            // The value went to nobody (see `valuesWithheld`): there is nothing to authenticate with.
            outcomes.push(VALUE_WITHHELD)
            continue
          }
          const value = token?.value === undefined ? "sat_not-a-token" : Redacted.value(token.value)
          outcome = {
            // Recorded, so that usage events and the usage view are in what the leak scan reads.
            exit: yield* Effect.exit(service.authenticate(step.tamper ? tamper(value) : value, { record: true })),
            retried: false
          }
          break
        }
      }
      const tag = tagOf(outcome.exit)
      outcomes.push(tag)
      if (Exit.isFailure(outcome.exit)) {
        const text = causeText(outcome.exit.cause)
        errors.push({ where: `step ${n} (${step._tag})`, text })
        if (tag === "defect") defects.push(`step ${n} ${step._tag}: ${Cause.pretty(outcome.exit.cause)}`)
      }
    }
    return { outcomes, values, callerRetries, valuesWithheld, errors, defects }
  })

/**
 * The history with what differs between equivalent runs — generated ids, digests, times, positions — normalised. The
 * usage streams are left out: how recorded uses fall into flushes depends on timing, and their recorder's id is
 * random (that their totals come out exact under faults is usage.test.ts's).
 */
export const normaliseHistory = (history: ReadonlyArray<RecordedEvent>): ReadonlyArray<string> => {
  const ids = new Map<string, string>()
  const hashes = new Map<string, string>()
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/
  const idOf = (value: string) => {
    const known = ids.get(value)
    if (known !== undefined) return known
    const next = `id#${ids.size + 1}`
    ids.set(value, next)
    return next
  }
  const walk = (value: unknown, key: string): unknown => {
    if (key === "occurredAt") return "<time>"
    if (key === "secretHash") return "<digest>"
    if (key === "hint") return "<hint>"
    if (key === "integrity") return "<integrity>"
    if (key === "commandHash" && typeof value === "string") {
      const known = hashes.get(value) ?? `hash#${hashes.size + 1}`
      hashes.set(value, known)
      return known
    }
    if (typeof value === "string") return uuid.test(value) ? idOf(value) : value
    if (Array.isArray(value)) return value.map((item) => walk(item, ""))
    if (typeof value === "object" && value !== null) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v, k)]))
    }
    return value
  }
  return history
    .filter((event) => !isUsageStream(event.streamId))
    .map((event) =>
      JSON.stringify({
        streamId: event.streamId,
        revision: String(event.revision),
        type: event.type,
        data: walk(event.data, ""),
        metadata: walk(event.metadata, "")
      })
    )
}

export interface RunResult extends SequenceResult {
  readonly history: ReadonlyArray<RecordedEvent>
  readonly readModels: ReadonlyArray<Haystack>
  readonly logs: ReadonlyArray<Haystack>
  readonly faults: FaultCounts | undefined
}

/**
 * Runs the steps against a fresh memory store — wrapped with faults when `faults` is given — with seeded
 * randomness, capturing logs, and returns the outcomes, the history, the read models and the fault counts.
 */
export const runOnMemoryStore = (
  steps: ReadonlyArray<ModelStep>,
  options: {
    readonly randomSeed: number
    readonly service: ServiceAccountsOptions
    readonly faults?: FaultOptions
  }
): Effect.Effect<RunResult, unknown> => {
  const logs = captureLogs()
  const injector = options.faults === undefined ? undefined : makeFaultInjector(options.faults)
  const store =
    injector === undefined
      ? memoryStore
      : Layer.effect(
          EventStore,
          Effect.map(EventStore, (inner) => injector.wrap(inner))
        ).pipe(Layer.provide(memoryStore))
  const layer = ServiceAccounts.layerWith({ usage: { flushInterval: "10 millis" }, ...options.service }).pipe(
    Layer.provideMerge(store),
    Layer.provide(SecureRandom.layerSeeded(options.randomSeed)),
    Layer.provide(logs.layer)
  )
  return Effect.gen(function* () {
    const service = yield* ServiceAccounts
    const storeShape = yield* EventStore
    const result = yield* runSteps(service, steps)
    // Read the history and the read models with the faults switched off: they are what is checked, not exercised.
    if (injector !== undefined) yield* injector.setEnabled(false)
    // Every recorded use flushed to the store (the recorder's interval is short here: see the layer).
    yield* Effect.repeat(service.readiness, {
      until: (readiness) => readiness.usagePending === 0,
      schedule: Schedule.spaced("5 millis")
    })
    const history = Chunk.toReadonlyArray(yield* Stream.runCollect(storeShape.readAll()))
    const readModels = yield* readModelHaystacks(
      service,
      ORGS.map((o) => administrator(o))
    )
    const faults = injector === undefined ? undefined : yield* injector.counts
    return { ...result, history, readModels, logs: logs.haystacks(), faults }
  }).pipe(Effect.provide(layer), Effect.scoped)
}
