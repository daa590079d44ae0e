/**
 * The application service: runs commands (load → authorise → decide → append with expected revision →
 * retry on conflict → update read models) and answers queries and `authenticate`.
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
