// A plain Node ESM consumer of the built packages (no TypeScript, no source condition).
import { ServiceAccounts, SecureRandom, Token } from "@service-accounts/domain"
import { layer } from "@service-accounts/store-memory"
import { Effect, Layer, Logger, LogLevel, Redacted } from "effect"

const caller = {
  organization: { id: "esm-org", plan: "enterprise", tenantUrl: "https://esm.example.com" },
  actor: { userId: "admin", role: "administrator" }
}
const program = Effect.gen(function* () {
  const service = yield* ServiceAccounts
  const account = yield* service.create(caller, { name: "esm" })
  const issued = yield* service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: "t" })
  const principal = yield* service.authenticate(issued.value)
  return {
    wellFormed: Token.isWellFormed(Redacted.value(issued.value)),
    account: principal.serviceAccountId === account.serviceAccountId
  }
})
const result = await Effect.runPromise(
  program.pipe(
    Effect.provide(ServiceAccounts.layer.pipe(Layer.provide(layer), Layer.provide(SecureRandom.layer))),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
)
console.log(JSON.stringify({ format: "esm", ...result }))
