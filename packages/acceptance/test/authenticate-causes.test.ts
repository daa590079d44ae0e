import { describe, expect, it } from "@effect/vitest"
import { ServiceAccounts, Token } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Effect, Exit, Metric, Redacted } from "effect"
import { authenticationFailures as failures, servicesOnMemory } from "./support.js"

const services = servicesOnMemory("authenticate-causes")

const acme = administrator("acme")

describe("authenticate: every refusal is AuthenticationFailed, and its cause is counted", () => {
  it.effect("names malformed, unknown and revoked values apart, and accepts the issued one", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "ci" })
      const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" })
      const value = Redacted.value(issued.value)
      const principal = yield* service.authenticate(issued.value)
      expect(principal.tokenId).toBe(issued.tokenId)

      const changed = (i: number) => value.slice(0, i) + (value[i] === "a" ? "b" : "a") + value.slice(i + 1)
      const unknown = Token.fromEntropy(new Uint8Array(32).fill(3))
      const cases: ReadonlyArray<readonly [string, unknown]> = [
        ["not-a-string", 42],
        ["wrong-length", value.slice(1)],
        ["wrong-prefix", `xat_${value.slice(4)}`],
        ["bad-characters", `${value.slice(0, 10)}-${value.slice(11)}`],
        ["bad-checksum", changed(20)],
        ["unknown", unknown]
      ]
      for (const [cause, input] of cases) {
        const before = (yield* Metric.value(failures(cause))).count
        // A careless caller may pass anything: the type says string or Redacted, the check must not rely on it.
        const exit = yield* Effect.exit(service.authenticate(input as string))
        expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("AuthenticationFailed")
        expect((yield* Metric.value(failures(cause))).count, cause).toBe(before + 1)
      }

      yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: issued.tokenId })
      const revokedBefore = (yield* Metric.value(failures("revoked"))).count
      expect(Exit.isFailure(yield* Effect.exit(service.authenticate(issued.value)))).toBe(true)
      expect((yield* Metric.value(failures("revoked"))).count).toBe(revokedBefore + 1)
    }).pipe(Effect.provide(services))
  )
})
