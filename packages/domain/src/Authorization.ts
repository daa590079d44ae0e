/**
 * Authorisation: who may manage service accounts. It is checked before anything is looked up, so a refused
 * caller learns nothing about what exists.
 *
 * @since 0.1.0
 */
import { Effect } from "effect"
import { ADMINISTRATOR, type Caller, ENTERPRISE } from "./Caller.js"
import { NotAuthorized, PlanNotEligible } from "./Errors.js"

/**
 * Succeeds only for an administrator of an organisation on the enterprise plan. The role is checked first:
 * a non-administrator is refused without learning anything about the organisation's plan.
 *
 * @since 0.1.0
 * @category authorisation
 */
export const authorize = (caller: Caller, action: string): Effect.Effect<void, NotAuthorized | PlanNotEligible> => {
  if (caller.actor.role !== ADMINISTRATOR) {
    return Effect.fail(new NotAuthorized({ action, role: caller.actor.role }))
  }
  if (caller.organization.plan !== ENTERPRISE) {
    return Effect.fail(new PlanNotEligible({ organizationId: caller.organization.id, plan: caller.organization.plan }))
  }
  return Effect.void
}
