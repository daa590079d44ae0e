/**
 * Near-misses of the one role and the one plan that are allowed: they must not be read as the real ones.
 */
import type { HostileCase } from "./case.js"
import { admin, caller, organization } from "./build.js"

/** The administrator role and the Enterprise plan, spelt almost right. */
export const privilegeSpelling: ReadonlyArray<HostileCase> = [
  caller(
    "role-capitalised",
    "privilege spelling",
    { organization, actor: { ...admin, role: "Administrator" } },
    "NotAuthorized"
  ),
  caller(
    "role-upper-case",
    "privilege spelling",
    { organization, actor: { ...admin, role: "ADMINISTRATOR" } },
    "NotAuthorized"
  ),
  caller(
    "role-trailing-space",
    "privilege spelling",
    { organization, actor: { ...admin, role: "administrator " } },
    "NotAuthorized"
  ),
  caller(
    "role-fullwidth",
    "privilege spelling",
    { organization, actor: { ...admin, role: "ａｄｍｉｎｉｓｔｒａｔｏｒ" } },
    "NotAuthorized"
  ),
  caller("role-admin", "privilege spelling", { organization, actor: { ...admin, role: "admin" } }, "NotAuthorized"),
  caller("role-root", "privilege spelling", { organization, actor: { ...admin, role: "root" } }, "NotAuthorized"),
  caller(
    "plan-capitalised",
    "privilege spelling",
    { organization: { ...organization, plan: "Enterprise" }, actor: admin },
    "PlanNotEligible"
  ),
  caller(
    "plan-trailing-space",
    "privilege spelling",
    { organization: { ...organization, plan: "enterprise " }, actor: admin },
    "PlanNotEligible"
  ),
  caller(
    "plan-empty",
    "privilege spelling",
    { organization: { ...organization, plan: "" }, actor: admin },
    "PlanNotEligible"
  )
]
