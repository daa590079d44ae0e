// A plain Node CommonJS consumer of the built packages.
const { ServiceAccounts, Token } = require("@service-accounts/domain")
const { layer } = require("@service-accounts/store-memory")
const { Effect, Layer, Logger, LogLevel, Redacted } = require("effect")

const caller = {
  organization: { id: "cjs-org", plan: "enterprise", tenantUrl: "https://cjs.example.com" },
  actor: { userId: "admin", role: "administrator" }
}
const program = Effect.gen(function* () {
  const service = yield* ServiceAccounts
  const account = yield* service.create(caller, { name: "cjs" })
  const issued = yield* service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: "t" })
  const principal = yield* service.authenticate(issued.value)
  return {
    wellFormed: Token.isWellFormed(Redacted.value(issued.value)),
    account: principal.serviceAccountId === account.serviceAccountId
  }
})
Effect.runPromise(
  program.pipe(
    Effect.provide(ServiceAccounts.layer.pipe(Layer.provide(layer))),
    Logger.withMinimumLogLevel(LogLevel.None)
  )
).then((result) => console.log(JSON.stringify({ format: "cjs", ...result })))
