/**
 * THE EXAMPLE'S STAND-IN FOR THE HOST'S LOGIN. Replace this module in a real server.
 *
 * It believes whatever the request headers say: `X-Demo-Org` (an organisation id from the configuration below),
 * `X-Demo-User` and `X-Demo-Role`. A real host takes the user from its own session (a cookie, an OIDC token…)
 * and the organisation's plan and tenant URL from its own records, then provides `Security.HostLogin` the same way.
 * The library never authenticates people: it authorises the caller it is given.
 */
import { HttpApiBuilder, HttpServerRequest, HttpServerResponse } from "@effect/platform"
import type { CallerInput } from "@service-accounts/domain"
import { ApiErrors, Security } from "@service-accounts/http"
import { Effect, Layer } from "effect"

/** An organisation the demo login knows. */
export interface DemoOrganization {
  readonly id: string
  readonly name: string
  readonly plan: string
  readonly tenantUrl: string
}

/** The organisation the page signs in to first (and the demo data's). */
export const acme: DemoOrganization = {
  id: "acme",
  name: "Acme Corp",
  plan: "enterprise",
  tenantUrl: "https://acme.example.com"
}

/** Two Enterprise organisations (to show isolation) and one on a plan without service accounts. */
export const demoOrganizations: ReadonlyArray<DemoOrganization> = [
  acme,
  { id: "globex", name: "Globex", plan: "enterprise", tenantUrl: "https://globex.example.com" },
  { id: "small-co", name: "Small Co", plan: "team", tenantUrl: "https://small-co.example.com" }
]

/** The request headers the demo login reads (as Node gives them: lower case). */
export const headers = {
  organization: "x-demo-org",
  user: "x-demo-user",
  role: "x-demo-role",
  /** Not demo-specific: an idempotency key, passed to the library as the command id. */
  idempotencyKey: "idempotency-key"
} as const

const signInRequired = new ApiErrors.SignInRequired({
  message:
    "sign in first: this example's stand-in login reads the X-Demo-Org, X-Demo-User and X-Demo-Role headers " +
    "(an organisation of the demo, a user id and a role)"
})

// Without a role the login cannot say who is asking; guessing one (the least, say) would hide a broken client.
const roleMissing = new ApiErrors.InvalidInput({
  message: "the X-Demo-Role header is missing: the stand-in login needs the user's role (administrator or member)",
  field: "X-Demo-Role",
  issues: [{ path: "X-Demo-Role", message: "the header is missing or empty" }]
})

/** `HostLogin` from request headers, for the given organisations. */
export const layer = (
  organizations: ReadonlyArray<DemoOrganization> = demoOrganizations
): Layer.Layer<Security.HostLogin> =>
  Layer.succeed(
    Security.HostLogin,
    Effect.gen(function* () {
      const request = yield* HttpServerRequest.HttpServerRequest
      const organizationId = request.headers[headers.organization]
      const userId = request.headers[headers.user]
      const organization = organizations.find((o) => o.id === organizationId)
      if (organization === undefined || userId === undefined || userId === "") return yield* signInRequired
      const role = request.headers[headers.role]
      if (role === undefined || role.trim() === "") return yield* roleMissing
      const commandId = request.headers[headers.idempotencyKey]
      const caller: CallerInput = {
        organization: { id: organization.id, plan: organization.plan, tenantUrl: organization.tenantUrl },
        actor: { userId, role },
        ...(commandId === undefined ? {} : { commandId })
      }
      return caller
    })
  )

/**
 * `GET /api/demo/organizations`: which organisations the demo sign-in offers. A route beside the API, not part of it
 * (nor of its OpenAPI document): a real host has no such thing.
 */
export const organizationsRoute = (organizations: ReadonlyArray<DemoOrganization> = demoOrganizations) =>
  HttpApiBuilder.Router.use((router) =>
    router.get(
      "/api/demo/organizations",
      Effect.succeed(
        HttpServerResponse.unsafeJson(
          organizations.map(({ id, name, plan, tenantUrl }) => ({ id, name, plan, tenantUrl })),
          { headers: { "cache-control": "no-store" } }
        )
      )
    )
  )
