import { describe, expect, it } from "@effect/vitest"
import { SecureRandom, ServiceAccounts, Token } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Effect, Exit, Layer, Metric, Redacted } from "effect"

// The counter the service increments for each refusal, tagged by cause (same name and description: same metric).
const failures = (cause: string) =>
  Metric.counter("service_accounts_authentication_failures", {
    description: "authentications refused, by cause"
  }).pipe(Metric.tagged("cause", cause))

const services = ServiceAccounts.layer.pipe(
  Layer.provideMerge(memoryStore),
  Layer.provide(SecureRandom.layerSeeded("authenticate-causes"))
)

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
