/**
 * A login for the tests: the caller from request headers. The package has none of its own (a host brings its
 * login); this one trusts `x-test-org`, `x-test-user` and `x-test-role`, and refuses a request without them.
 */
import { HttpServerRequest } from "@effect/platform"
import type { CallerInput } from "@service-accounts/domain"
import { ApiErrors, Security } from "@service-accounts/http"
import { Effect, Layer } from "effect"

const organizations: Record<string, CallerInput["organization"]> = {
  acme: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
  globex: { id: "globex", plan: "enterprise", tenantUrl: "https://globex.example.com" },
  "small-co": { id: "small-co", plan: "team", tenantUrl: "https://small-co.example.com" }
}

export const headerLogin: Layer.Layer<Security.HostLogin> = Layer.succeed(
  Security.HostLogin,
  Effect.gen(function* () {
    const { headers } = yield* HttpServerRequest.HttpServerRequest
    const organization = organizations[headers["x-test-org"] ?? ""]
    const userId = headers["x-test-user"]
    const role = headers["x-test-role"]
    if (organization === undefined || userId === undefined || role === undefined)
      return yield* new ApiErrors.SignInRequired({ message: "the tests' login found no x-test-* headers" })
    const commandId = headers["idempotency-key"]
    const caller: CallerInput = {
      organization,
      actor: { userId, role },
      ...(commandId === undefined ? {} : { commandId })
    }
    return caller
  })
)

/** Who calls: the headers of the tests' login. */
export type As = "admin" | "member" | "globexAdmin" | "teamAdmin" | "nobody"

export const callers: Record<As, Record<string, string>> = {
  admin: { "x-test-org": "acme", "x-test-user": "alice@acme.example.com", "x-test-role": "administrator" },
  member: { "x-test-org": "acme", "x-test-user": "bob@acme.example.com", "x-test-role": "member" },
  globexAdmin: { "x-test-org": "globex", "x-test-user": "gina@globex.example.com", "x-test-role": "administrator" },
  teamAdmin: { "x-test-org": "small-co", "x-test-user": "carol@small-co.example.com", "x-test-role": "administrator" },
  nobody: {}
}
