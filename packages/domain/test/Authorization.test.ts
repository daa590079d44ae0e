/**
 * Authorisation on its own: only an administrator (exactly that role) of an organisation on the enterprise plan
 * (exactly that plan) may manage service accounts; the role is checked first, so a refused non-administrator
 * learns nothing about the plan; and a refusal never carries a token value, whatever the caller holds.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, FastCheck as fc } from "effect"
import {
  ADMINISTRATOR,
  authorizationRefusal,
  authorize,
  type Caller,
  ENTERPRISE,
  NotAuthorized,
  OrganizationId,
  PlanNotEligible,
  Token,
  UserId
} from "../src/index.js"

/** A caller as the type allows it, not necessarily one the service would have decoded. */
const caller = (role: string, plan: string): Caller => ({
  organization: { id: OrganizationId.make("acme"), plan, tenantUrl: "https://acme.example.com" },
  actor: { userId: UserId.make("alice"), role }
})

const texts = (error: NotAuthorized | PlanNotEligible): ReadonlyArray<string> => [
  error.message,
  String(error),
  JSON.stringify(error),
  String(error.stack)
]

describe("authorisation", () => {
  it("admits exactly an administrator on the enterprise plan", () => {
    expect(authorizationRefusal(caller(ADMINISTRATOR, ENTERPRISE), "create service accounts")).toBeUndefined()
    expect(Exit.isSuccess(Effect.runSyncExit(authorize(caller("administrator", "enterprise"), "x")))).toBe(true)
  })

  it("refuses any other role, near misses included, naming the action and the role", () => {
    for (const role of ["member", "owner", "Administrator", "ADMINISTRATOR", " administrator", "administrator ", ""]) {
      const refusal = authorizationRefusal(caller(role, ENTERPRISE), "issue tokens")
      expect(refusal, role).toEqual(new NotAuthorized({ action: "issue tokens", role }))
      expect(refusal?.message).toBe(
        `only an administrator may issue tokens; the caller's role is ${JSON.stringify(role)}`
      )
    }
  })

  it("refuses an administrator on any other plan, naming the organisation and the plan", () => {
    for (const plan of ["team", "free", "Enterprise", "ENTERPRISE", "enterprise ", ""]) {
      const refusal = authorizationRefusal(caller(ADMINISTRATOR, plan), "delete service accounts")
      expect(refusal, plan).toEqual(new PlanNotEligible({ organizationId: "acme", plan }))
      expect(refusal?.message).toBe(
        `service accounts need the enterprise plan; organisation acme is on ${JSON.stringify(plan)}`
      )
    }
  })

  it("checks the role first: a non-administrator on another plan learns nothing about the plan", () => {
    const refusal = authorizationRefusal(caller("member", "team"), "list service accounts")
    expect(refusal?._tag).toBe("NotAuthorized")
    expect(refusal?.message).not.toContain("team")
    expect(refusal?.message).not.toContain("plan")
  })

  it("fails the effect with the same refusal", () => {
    const exit = Effect.runSyncExit(authorize(caller("member", ENTERPRISE), "revoke tokens"))
    expect(exit).toEqual(Exit.fail(new NotAuthorized({ action: "revoke tokens", role: "member" })))
    const plan = Effect.runSyncExit(authorize(caller(ADMINISTRATOR, "team"), "revoke tokens"))
    expect(plan).toEqual(Exit.fail(new PlanNotEligible({ organizationId: "acme", plan: "team" })))
  })

  it("never repeats a token value held in the role or the plan, and escapes control characters", () => {
    const secret = Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))
    const refusals = [
      authorizationRefusal(caller(secret, ENTERPRISE), "x"),
      authorizationRefusal(caller(`my token is ${secret}`, "team"), "x"),
      authorizationRefusal(caller(ADMINISTRATOR, secret), "x"),
      authorizationRefusal(caller(ADMINISTRATOR, `${secret}!`), "x")
    ]
    for (const refusal of refusals) {
      if (refusal === undefined) throw new Error("a caller holding a token value was admitted")
      for (const text of texts(refusal)) expect(Token.findTokens(text)).toEqual([])
    }
    expect(refusals[0]?.message).toBe(`only an administrator may x; the caller's role is "[REDACTED]"`)
    expect(authorizationRefusal(caller('a\nb\u0000"\u202e', ENTERPRISE), "x")?.message).toBe(
      `only an administrator may x; the caller's role is "a\\u000ab\\u0000\\"\\u202e"`
    )
  })

  it("refuses exactly when the role or the plan is not the one required (property)", () => {
    const text = fc.oneof(fc.constantFrom(ADMINISTRATOR, ENTERPRISE, "member", "team"), fc.string({ maxLength: 16 }))
    fc.assert(
      fc.property(text, text, (role, plan) => {
        const refusal = authorizationRefusal(caller(role, plan), "act")
        const expected = role !== ADMINISTRATOR ? "NotAuthorized" : plan !== ENTERPRISE ? "PlanNotEligible" : undefined
        expect(refusal?._tag).toBe(expected)
      })
    )
  })
})
