/**
 * The authorisation matrix: every command and query × role (administrator, member, a role the library does not
 * know) × plan (enterprise, another) × organisation (the caller's own, or another's — the caller is an
 * administrator of globex aiming at acme's accounts and tokens). Only an enterprise administrator acts, and only
 * on their own organisation: another organisation's accounts and tokens are simply not found, its listings and
 * audit trail are not shown, and a token does not authenticate for another organisation. A refusal appends
 * nothing, anywhere.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Cause, Effect, Exit, Layer, Logger, Stream } from "effect"

const OWN = "acme"
const FOREIGN = "globex"
const owner = administrator(OWN)

type Command = "create" | "issueToken" | "revokeToken" | "delete" | "list" | "get" | "auditTrail"
const COMMANDS: ReadonlyArray<Command> = ["create", "issueToken", "revokeToken", "delete", "list", "get", "auditTrail"]
const ROLES = ["administrator", "member", "auditor"] as const
const PLANS = ["enterprise", "team"] as const
const ORGANIZATIONS = ["own", "foreign"] as const

type Role = (typeof ROLES)[number]
type Plan = (typeof PLANS)[number]
type Organization = (typeof ORGANIZATIONS)[number]

const callerFor = (role: Role, plan: Plan, organization: Organization): CallerInput => {
  const id = organization === "own" ? OWN : FOREIGN
  return {
    organization: { id, plan, tenantUrl: `https://${id}.example.com` },
    actor: { userId: `${role}-of-${id}`, role }
  }
}

/** What the cell must answer. */
const expected = (command: Command, role: Role, plan: Plan, organization: Organization): string => {
  if (role !== "administrator") return "NotAuthorized"
  if (plan !== "enterprise") return "PlanNotEligible"
  if (organization === "own") return "success"
  // Another organisation's administrator: creates only in their own organisation; sees only their own.
  return command === "create" || command === "list" || command === "auditTrail" ? "success" : "ServiceAccountNotFound"
}

const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const failure = Cause.failureOption(exit.cause)
  const error: unknown = failure._tag === "Some" ? failure.value : undefined
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
}

const services = ServiceAccounts.layer.pipe(
  Layer.provideMerge(memoryStore),
  Layer.provide(SecureRandom.layerSeeded("authorization")),
  Layer.provide(Logger.remove(Logger.defaultLogger))
)

const short: Record<string, string> = {
  success: "ok",
  NotAuthorized: "not-authorized",
  PlanNotEligible: "plan",
  ServiceAccountNotFound: "not-found",
  AuthenticationFailed: "auth-failed"
}

describe("authorisation matrix", () => {
  it.layer(services, { timeout: 120_000 })((it) => {
    it.effect("command × role × plan × organisation", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const store = yield* EventStore
        const streamLength = (organizationId: string) =>
          Stream.runCount(store.readStream(`serviceAccountDirectory-${organizationId}`))
        /** Outcome per "role/plan/organisation", per command. */
        const table = new Map<string, Array<string>>()
        const mismatches: Array<string> = []
        let cells = 0
        let n = 0

        const run = (
          s: ServiceAccountsShape,
          caller: CallerInput,
          command: Command,
          target: Target
        ): Effect.Effect<unknown, unknown> => {
          switch (command) {
            case "create":
              return s.create(caller, { name: `created-${n}` })
            case "issueToken":
              return s.issueToken(caller, { serviceAccountId: target.account, name: `issued-${n}` })
            case "revokeToken":
              return s.revokeToken(caller, { serviceAccountId: target.account, tokenId: target.token })
            case "delete":
              return s.delete(caller, { serviceAccountId: target.account })
            case "list":
              return s.list(caller)
            case "get":
              return s.get(caller, target.account)
            case "auditTrail":
              return s.auditTrail(caller)
          }
        }

        interface Target {
          readonly account: string
          readonly token: string
        }

        for (const command of COMMANDS) {
          for (const role of ROLES) {
            for (const plan of PLANS) {
              for (const organization of ORGANIZATIONS) {
                n++
                cells++
                // A fresh account with a token in acme for every cell, so each acts on something that exists.
                const account = yield* service.create(owner, { name: `target-${n}` })
                const issued = yield* service.issueToken(owner, {
                  serviceAccountId: account.serviceAccountId,
                  name: "target-token"
                })
                const target = { account: account.serviceAccountId, token: issued.tokenId }
                const ownBefore = yield* streamLength(OWN)
                const foreignBefore = yield* streamLength(FOREIGN)
                const caller = callerFor(role, plan, organization)
                const exit = yield* Effect.exit(run(service, caller, command, target))
                const outcome = tagOf(exit)
                const want = expected(command, role, plan, organization)
                const label = `${command} by ${role} on ${plan}, ${organization} organisation`
                if (outcome !== want) mismatches.push(`${label}: ${outcome}, expected ${want}`)
                const ownAppended = (yield* streamLength(OWN)) - ownBefore
                const foreignAppended = (yield* streamLength(FOREIGN)) - foreignBefore
                const mutating = command === "create" || command === "issueToken" || command === "revokeToken"
                const wantOwn = want === "success" && organization === "own" && (mutating || command === "delete")
                const ownExpected = wantOwn ? (command === "delete" ? 2 : 1) : 0
                const foreignExpected = want === "success" && organization === "foreign" && command === "create" ? 1 : 0
                if (ownAppended !== ownExpected) mismatches.push(`${label}: acme got ${ownAppended} event(s)`)
                if (foreignAppended !== foreignExpected)
                  mismatches.push(`${label}: globex got ${foreignAppended} event(s)`)
                // What another organisation's administrator is shown holds nothing of acme's.
                if (organization === "foreign" && Exit.isSuccess(exit)) {
                  const shown = JSON.stringify(exit.value, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))
                  if (shown.includes(target.account) || shown.includes(target.token) || shown.includes(`"${OWN}"`)) {
                    mismatches.push(`${label}: shows acme's data`)
                  }
                }
                const key = `${role}/${plan}/${organization}`
                table.set(key, [...(table.get(key) ?? []), short[outcome] ?? outcome])
              }
            }
          }
        }

        // authenticate(value, { organizationId }): a token is its own organisation's only.
        const account = yield* service.create(owner, { name: "authenticating" })
        const issued = yield* service.issueToken(owner, { serviceAccountId: account.serviceAccountId, name: "t" })
        const authRows: Array<readonly [string, string, string]> = []
        for (const [label, options, want] of [
          ["no organisation given", undefined, "success"],
          ["its own organisation", { organizationId: OWN }, "success"],
          ["another organisation", { organizationId: FOREIGN }, "AuthenticationFailed"],
          ["an unknown organisation", { organizationId: "nobody" }, "AuthenticationFailed"]
        ] as const) {
          cells++
          const outcome = tagOf(yield* Effect.exit(service.authenticate(issued.value, options)))
          if (outcome !== want) mismatches.push(`authenticate for ${label}: ${outcome}, expected ${want}`)
          authRows.push([label, short[outcome] ?? outcome, short[want] ?? want])
        }

        const width = 15
        console.log(
          [
            "[reliability] authorisation matrix (caller role/plan/organisation × command; foreign = an administrator of globex aiming at acme's accounts and tokens)",
            ["caller".padEnd(34), ...COMMANDS.map((c) => c.padEnd(width))].join(""),
            ...[...table].map(([caller, outcomes]) =>
              [caller.padEnd(34), ...outcomes.map((o) => o.padEnd(width))].join("")
            ),
            "authenticate(value, { organizationId }) with an active token of acme:",
            ...authRows.map(([label, outcome, want]) => `  for ${label.padEnd(24)} ${outcome} (expected ${want})`),
            `  cells checked ${cells}, mismatches ${mismatches.length}`
          ].join("\n")
        )
        expect(mismatches).toEqual([])
      })
    )
  })
})
