/**
 * The application service: runs commands (load → authorise → decide → append with expected revision →
 * retry on conflict → update read models) and answers queries and `authenticate`.
 *
 * @example
 * ```ts
 * import { ServiceAccounts } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Effect, Layer } from "effect"
 *
 * const caller = {
 *   organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
 *   actor: { userId: "alice", role: "administrator" }
 * }
 *
 * const program = Effect.gen(function* () {
 *   const accounts = yield* ServiceAccounts
 *   const bot = yield* accounts.create(caller, { name: "deploy-bot" })
 *   const token = yield* accounts.issueToken(caller, {
 *     serviceAccountId: bot.serviceAccountId,
 *     name: "ci",
 *     scopes: ["read"]
 *   })
 *   // Hand `token.value` (Redacted) to the automation once; the service keeps only its digest.
 *   const principal = yield* accounts.authenticate(token.value)
 *   return principal.scopes // ["read"]
 * })
 *
 * Effect.runPromise(program.pipe(Effect.provide(ServiceAccounts.layer.pipe(Layer.provide(memoryStore)))))
 * ```
 *
 * @since 0.1.0
 */
import { Context, Layer } from "effect"
import type { ReadError } from "../model/Errors.js"
import type { EventStore } from "../store/EventStore.js"
import { make } from "./make.js"
import type { ServiceAccountsOptions, ServiceAccountsShape } from "./ServiceAccountsShape.js"

/**
 * The application service.
 *
 * - `ServiceAccounts.layer`: needs an `EventStore`; uses `SecureRandom` when one is provided, the operating
 *   system's CSPRNG otherwise. Building it catches the read models up with the store's history; they then
 *   follow the store live until the layer's scope closes.
 * - `ServiceAccounts.layerWith(options)`: the same with options.
 *
 * @since 0.1.0
 * @category tags
 */
export class ServiceAccounts extends Context.Tag("@service-accounts/domain/ServiceAccounts")<
  ServiceAccounts,
  ServiceAccountsShape
>() {
  static readonly layerWith = (
    options: ServiceAccountsOptions = {}
  ): Layer.Layer<ServiceAccounts, ReadError, EventStore> => Layer.scoped(ServiceAccounts, make(options))

  static readonly layer: Layer.Layer<ServiceAccounts, ReadError, EventStore> = ServiceAccounts.layerWith()
}
