/**
 * THE EXAMPLE'S STAND-IN FOR THE HOST'S LOGIN. Replace this module in a real server.
 *
 * It believes whatever the request headers say: `X-Demo-Org` (an organisation id from the configuration below),
 * `X-Demo-User` and `X-Demo-Role`. A real host takes the user from its own session (a cookie, an OIDC token…)
 * and the organisation's plan and tenant URL from its own records, then provides `HostLogin` the same way.
 * The library never authenticates people: it authorises the caller it is given.
 */
import { HttpServerRequest } from "@effect/platform"
import type { CallerInput } from "@service-accounts/domain"
import { Effect, Layer } from "effect"
import { HostLogin } from "./Api.js"
import { SignInRequired } from "./ApiErrors.js"

/** An organisation the demo login knows. */
export interface DemoOrganization {
  readonly id: string
  readonly name: string
  readonly plan: string
  readonly tenantUrl: string
}

/** Two Enterprise organisations (to show isolation) and one on a plan without service accounts. */
export const demoOrganizations: ReadonlyArray<DemoOrganization> = [
  { id: "acme", name: "Acme Corp", plan: "enterprise", tenantUrl: "https://acme.example.com" },
  { id: "globex", name: "Globex", plan: "enterprise", tenantUrl: "https://globex.example.com" },
  { id: "small-co", name: "Small Co", plan: "team", tenantUrl: "https://small-co.example.com" }
]

/** The request headers the demo login reads. */
export const headers = {
  organization: "x-demo-org",
  user: "x-demo-user",
  role: "x-demo-role",
  /** Not demo-specific: an idempotency key, passed to the library as the command id. */
  idempotencyKey: "idempotency-key"
} as const

const signInRequired = new SignInRequired({
  message: "sign in first: this example's stand-in login reads the X-Demo-Org and X-Demo-User headers"
})

/** `HostLogin` from request headers, for the given organisations. */
export const layer = (organizations: ReadonlyArray<DemoOrganization> = demoOrganizations): Layer.Layer<HostLogin> =>
  Layer.succeed(
    HostLogin,
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const organizationId = request.headers[headers.organization]
      const userId = request.headers[headers.user]
      const organization = organizations.find((o) => o.id === organizationId)
      if (organization === undefined || userId === undefined || userId === "") return yield* signInRequired
      const commandId = request.headers[headers.idempotencyKey]
      const caller: CallerInput = {
        organization: { id: organization.id, plan: organization.plan, tenantUrl: organization.tenantUrl },
        // No role means the least one; the library refuses anyone but an administrator.
        actor: { userId, role: request.headers[headers.role] ?? "member" },
        ...(commandId === undefined ? {} : { commandId })
      }
      return caller
    })
  )
