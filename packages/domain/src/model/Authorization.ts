/**
 * Authorisation: who may manage service accounts. It is checked before anything is looked up, so a refused
 * caller learns nothing about what exists.
 *
 * @example
 * ```ts
 * import { authorizationRefusal, authorize, Caller } from "@service-accounts/domain"
 * import { Effect, Schema } from "effect"
 *
 * const member = Schema.decodeUnknownSync(Caller)({
 *   organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
 *   actor: { userId: "bob", role: "member" }
 * })
 *
 * authorizationRefusal(member, "create service accounts")?.message
 * // 'only an administrator may create service accounts; the caller's role is "member"'
 *
 * // In a program of your own: fails with `NotAuthorized` before anything else runs.
 * const rotate = authorize(member, "rotate tokens").pipe(Effect.andThen(Effect.log("rotating")))
 * ```
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { ADMINISTRATOR, type Caller, ENTERPRISE } from "./Caller.js"
import { NotAuthorized, PlanNotEligible } from "./Errors.js"

/**
 * Why a caller may not manage service accounts, or `undefined` when it may: only an administrator of an
 * organisation on the enterprise plan may. The role is checked first: a non-administrator is refused without
 * learning anything about the organisation's plan.
 *
 * @since 0.2.0
 * @category authorisation
 */
export const authorizationRefusal = (caller: Caller, action: string): NotAuthorized | PlanNotEligible | undefined => {
  if (caller.actor.role !== ADMINISTRATOR) {
    return new NotAuthorized({ action, role: caller.actor.role })
  }
  if (caller.organization.plan !== ENTERPRISE) {
    return new PlanNotEligible({ organizationId: caller.organization.id, plan: caller.organization.plan })
  }
  return undefined
}

/**
 * Succeeds only for an administrator of an organisation on the enterprise plan (see `authorizationRefusal`).
 *
 * @since 0.1.0
 * @category authorisation
 */
export const authorize = (caller: Caller, action: string): Effect.Effect<void, NotAuthorized | PlanNotEligible> => {
  const refusal = authorizationRefusal(caller, action)
  return refusal === undefined ? Effect.void : Effect.fail(refusal)
}
