/**
 * One model-based sequence: the service on a fresh store, each step compared with a small reference model.
 *
 * @internal
 */
import {
  type EventStore,
  EventStore as EventStoreTag,
  nameKey,
  SecureRandom,
  ServiceAccounts
} from "@service-accounts/domain"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, Redacted, Stream } from "effect"
import { administrator } from "../../Arbitraries.js"
import { checkInvariants } from "../../Invariants.js"
import { type QueryOutcome, runGet, runList } from "./queries.js"
import { type ModelAccount, type ModelToken, pick } from "./state.js"
import { type ModelStep, ORGS, UNKNOWN_ID } from "./steps.js"

const tamper = (value: string): string => {
  const i = value.length - 10
  return value.slice(0, i) + (value[i] === "A" ? "B" : "A") + value.slice(i + 1)
}

const failureTag = <E>(exit: Exit.Exit<unknown, E>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  if (failure._tag === "Some") {
    const error = failure.value
    return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "unknown-failure"
  }
  return `defect: ${Cause.pretty(exit.cause)}`
}

class ModelMismatch extends Error {}

/** Deliberately ill-typed input, as a hostile or buggy caller would send it. */
const hostile = <T>(input: Record<string, unknown>): T => input as T

/** Runs any call and keeps its exit, whatever its success and error types. */
const attempt = (effect: Effect.Effect<unknown, unknown>) => Effect.exit(effect)

const expectThat = (condition: boolean, message: string) => {
  if (!condition) throw new ModelMismatch(message)
}

/** Runs one sequence; returns the figures of that sequence, or throws on the first mismatch with the model. */
export const runSequence = (
  steps: ReadonlyArray<ModelStep>,
  storeLayer: Layer.Layer<EventStore, unknown>,
  seed: number
) => {
  const logLines: Array<string> = []
  const errorMessages: Array<string> = []
  const outcomes: Record<string, number> = {}
  let authentications = 0
  let invariantChecks = 0

  const capture = Logger.replace(
    Logger.defaultLogger,
    Logger.map(Logger.logfmtLogger, (line) => {
      logLines.push(line)
    })
  )
  const layer = ServiceAccounts.layer.pipe(
    Layer.provideMerge(storeLayer),
    Layer.provide(SecureRandom.layerSeeded(seed)),
    Layer.provide(capture),
    Layer.provide(Logger.minimumLogLevel(LogLevel.All))
  )

  const program = Effect.gen(function* () {
    const service = yield* ServiceAccounts
    const store = yield* EventStoreTag
    const accounts = new Map<string, Array<ModelAccount>>(ORGS.map((o) => [o, []]))
    const tokens: Array<ModelToken> = []

    const record = (step: string, exit: Exit.Exit<unknown, unknown>) => {
      const tag = failureTag(exit)
      outcomes[tag] = (outcomes[tag] ?? 0) + 1
      if (Exit.isFailure(exit)) {
        const failure = Cause.failureOption(exit.cause)
        if (failure._tag === "Some" && failure.value instanceof Error) errorMessages.push(failure.value.message)
      }
      expectThat(!tag.startsWith("defect"), `${step} died: ${tag}`)
      return tag
    }

    const expectOutcome = (step: string, exit: Exit.Exit<unknown, unknown>, expected: string) => {
      const tag = record(step, exit)
      expectThat(tag === expected, `${step}: expected ${expected}, got ${tag}`)
    }

    for (const [n, step] of steps.entries()) {
      const label = `step ${n} ${JSON.stringify(step)}`
      const orgId = "org" in step ? (ORGS[step.org] ?? "org-a") : "org-a"
      const caller = administrator(orgId)
      const known = accounts.get(orgId) ?? []
      const account = "account" in step ? pick(known, step.account) : undefined
      const accountId = account?.id ?? UNKNOWN_ID
      const before = yield* store.readAll().pipe(Stream.runCount)

      switch (step._tag) {
        case "Create": {
          const exit = yield* Effect.exit(
            service.create(caller, {
              name: step.name,
              ...(step.description === undefined ? {} : { description: step.description })
            })
          )
          const key = nameKey(step.name)
          const taken = known.some((a) => a.live && a.nameKey === key)
          expectOutcome(label, exit, taken ? "DuplicateServiceAccountName" : "success")
          if (Exit.isSuccess(exit))
            known.push({
              id: exit.value.serviceAccountId,
              name: step.name.trim(),
              nameKey: key,
              description: step.description?.trim(),
              live: true,
              tokens: []
            })
          break
        }
        case "Issue": {
          const exit = yield* Effect.exit(
            service.issueToken(caller, {
              serviceAccountId: accountId,
              name: step.name,
              ...(step.scopes === undefined ? {} : { scopes: step.scopes })
            })
          )
          const key = nameKey(step.name)
          const expected =
            account === undefined || !account.live
              ? "ServiceAccountNotFound"
              : account.tokens.some((t) => t.active && t.nameKey === key)
                ? "DuplicateTokenName"
                : "success"
          expectOutcome(label, exit, expected)
          if (Exit.isSuccess(exit) && account !== undefined) {
            const issued = exit.value
            const session = JSON.parse(Redacted.value(issued.sessionJson)) as {
              accessToken: unknown
              tenantURL: unknown
              scopes: unknown
            }
            expectThat(session.accessToken === Redacted.value(issued.value), "session.json carries the token value")
            expectThat(session.tenantURL === caller.organization.tenantUrl, "session.json carries the tenant URL")
            expectThat(String(issued.value) === "<redacted>", "the value prints as <redacted>")
            const token: ModelToken = {
              id: issued.tokenId,
              org: orgId,
              accountId: account.id,
              name: step.name.trim(),
              nameKey: key,
              scopes: step.scopes ?? ["read", "write"],
              value: issued.value,
              active: true
            }
            account.tokens.push(token)
            tokens.push(token)
          }
          break
        }
        case "Revoke": {
          const token = account === undefined ? undefined : pick(account.tokens, step.token)
          const exit = yield* Effect.exit(
            service.revokeToken(caller, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
          )
          const expected =
            account === undefined || !account.live
              ? "ServiceAccountNotFound"
              : token === undefined
                ? "TokenNotFound"
                : !token.active
                  ? "TokenAlreadyRevoked"
                  : "success"
          expectOutcome(label, exit, expected)
          if (Exit.isSuccess(exit) && token !== undefined) token.active = false
          break
        }
        case "Delete": {
          const exit = yield* Effect.exit(service.delete(caller, { serviceAccountId: accountId }))
          expectOutcome(label, exit, account === undefined || !account.live ? "ServiceAccountNotFound" : "success")
          if (Exit.isSuccess(exit) && account !== undefined) {
            const cascaded = account.tokens.filter((t) => t.active).map((t) => t.id)
            expectThat(
              JSON.stringify(exit.value.revokedTokenIds) === JSON.stringify(cascaded),
              `the cascade revoked ${JSON.stringify(exit.value.revokedTokenIds)}, the model expected ${JSON.stringify(cascaded)}`
            )
            account.live = false
            for (const t of account.tokens) t.active = false
          }
          break
        }
        case "Invalid": {
          const [command, field] = step.field.split(".") as [string, string]
          const liveId = account?.id ?? UNKNOWN_ID
          const exit = yield* attempt(
            command === "create"
              ? service.create(caller, hostile({ name: "valid-name", [field]: step.value }))
              : command === "issue"
                ? service.issueToken(
                    caller,
                    hostile({ serviceAccountId: liveId, name: "valid-token", [field]: step.value })
                  )
                : service.revokeToken(caller, hostile({ serviceAccountId: liveId, [field]: step.value }))
          )
          expectOutcome(label, exit, "InvalidInput")
          if (Exit.isFailure(exit)) {
            const failure = Cause.failureOption(exit.cause)
            const error = failure._tag === "Some" ? failure.value : undefined
            const named = typeof error === "object" && error !== null && "field" in error ? String(error.field) : ""
            expectThat(named === field, `${label}: InvalidInput names "${named}", expected "${field}"`)
          }
          break
        }
        case "Refused": {
          const token = pick(account?.tokens ?? [], 0)
          const exit = yield* attempt(
            step.command === "create"
              ? service.create(step.caller, { name: "refused" })
              : step.command === "issue"
                ? service.issueToken(step.caller, { serviceAccountId: accountId, name: "refused" })
                : step.command === "revoke"
                  ? service.revokeToken(step.caller, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
                  : service.delete(step.caller, { serviceAccountId: accountId })
          )
          expectOutcome(label, exit, step.caller.actor.role === "administrator" ? "PlanNotEligible" : "NotAuthorized")
          break
        }
        case "Foreign": {
          // An administrator of the other organisation aims at this organisation's account and tokens.
          const other = administrator(ORGS[(step.org + 1) % ORGS.length] ?? "org-b", "foreign-admin")
          const token = pick(account?.tokens ?? [], step.token)
          const exit = yield* attempt(
            step.command === "issue"
              ? service.issueToken(other, { serviceAccountId: accountId, name: "intruder" })
              : step.command === "revoke"
                ? service.revokeToken(other, { serviceAccountId: accountId, tokenId: token?.id ?? UNKNOWN_ID })
                : service.delete(other, { serviceAccountId: accountId })
          )
          expectOutcome(label, exit, "ServiceAccountNotFound")
          break
        }
        case "Get":
        case "List": {
          const query: QueryOutcome =
            step._tag === "Get" ? yield* runGet(service, step, accounts) : yield* runList(service, step, accounts)
          expectOutcome(label, query.exit, query.expected)
          expectThat(query.problem === undefined, `${label}: ${query.problem}`)
          break
        }
        case "Authenticate": {
          const token = pick(tokens, step.token)
          if (token === undefined) {
            const exit = yield* Effect.exit(service.authenticate("sat_not-a-token"))
            expectOutcome(label, exit, "AuthenticationFailed")
          } else if (step.tamper) {
            const exit = yield* Effect.exit(service.authenticate(tamper(Redacted.value(token.value))))
            expectOutcome(label, exit, "AuthenticationFailed")
          } else {
            const exit = yield* Effect.exit(
              service.authenticate(token.value, { organizationId: ORGS.find((o) => o !== token.org) ?? "org-b" })
            )
            expectOutcome(`${label} (from the other organisation)`, exit, "AuthenticationFailed")
          }
          break
        }
      }

      const history = yield* store.readAll().pipe(Stream.runCollect)
      const events = [...history]
      const mutating =
        step._tag === "Create" || step._tag === "Issue" || step._tag === "Revoke" || step._tag === "Delete"
      const violations = checkInvariants(events)
      invariantChecks++
      expectThat(
        violations.length === 0,
        `${label}: invariants violated: ${JSON.stringify(violations, (_k, v) => (typeof v === "bigint" ? String(v) : v))}`
      )
      // I7: a refused, invalid or read-only step appends nothing.
      if (!mutating)
        expectThat(
          events.length === before,
          `${label}: a refused or read-only step appended ${events.length - before} event(s)`
        )

      // Every token authenticates exactly when the model says it is active.
      for (const token of tokens) {
        const exit = yield* Effect.exit(service.authenticate(token.value))
        authentications++
        if (token.active) {
          expectThat(
            Exit.isSuccess(exit) &&
              exit.value.tokenId === token.id &&
              exit.value.serviceAccountId === token.accountId &&
              exit.value.organizationId === token.org,
            `${label}: active token ${token.id} does not authenticate as itself (${failureTag(exit)})`
          )
        } else {
          expectThat(
            failureTag(exit) === "AuthenticationFailed",
            `${label}: revoked token ${token.id} still authenticates`
          )
        }
      }
      // The directory lists what the model lists.
      for (const o of ORGS) {
        const listing = yield* service.list(administrator(o))
        const listed = listing.accounts.map(
          (a) => `${a.serviceAccountId}:${a.tokens.filter((t) => t.status === "active").length}`
        )
        const modelled = (accounts.get(o) ?? [])
          .filter((a) => a.live)
          .map((a) => `${a.id}:${a.tokens.filter((t) => t.active).length}`)
        expectThat(
          JSON.stringify(listed) === JSON.stringify(modelled),
          `${label}: ${o} lists ${JSON.stringify(listed)}, the model ${JSON.stringify(modelled)}`
        )
      }
    }

    // The leak scan: no token value in any stored byte, read model, log line or error message.
    const stored = yield* store.readAll().pipe(Stream.runCollect)
    const haystacks: Array<string> = [...stored].map((e) => JSON.stringify(e.data) + JSON.stringify(e.metadata))
    for (const o of ORGS) {
      const caller = administrator(o)
      haystacks.push(JSON.stringify(yield* service.list(caller)))
      haystacks.push(
        JSON.stringify(yield* service.auditTrail(caller), (_k, v) => (typeof v === "bigint" ? String(v) : v))
      )
    }
    haystacks.push(...logLines, ...errorMessages)
    let leaks = 0
    for (const token of tokens) {
      const value = Redacted.value(token.value)
      for (const text of haystacks) if (text.includes(value)) leaks++
    }
    expectThat(leaks === 0, `${leaks} token value(s) found outside the issue result`)
    return { commands: steps.length, tokensIssued: tokens.length, leaks }
  })

  return Effect.runPromise(Effect.scoped(Effect.provide(program, layer))).then((result) => ({
    ...result,
    outcomes,
    authentications,
    invariantChecks
  }))
}
