/**
 * The conformance suite every `EventStore` adapter must pass: ours (memory, EventStoreDB) and any a user writes.
 *
 * Each case works on streams of its own, named with a random suffix, and every read or subscription of the whole
 * store keeps only the case's own streams, so the suite also runs against a shared server that holds system
 * events and other tests' events.
 *
 * @since 0.1.0
 */
import { describe, layer as withLayer } from "@effect/vitest"
import type { EventStore } from "@service-accounts/domain"
import { Duration } from "effect"
import type { Effect, Layer } from "effect"
import { dataCases } from "./internal/conformance/dataCases.js"
import { readCases } from "./internal/conformance/readCases.js"
import { subscriptionCases } from "./internal/conformance/subscriptionCases.js"
import { takerCases } from "./internal/conformance/takerCases.js"
import { unreadableCases } from "./internal/conformance/unreadableCases.js"
import { makeFollowers } from "./internal/conformance/support.js"
import { writeCases } from "./internal/conformance/writeCases.js"

/**
 * How the suite runs.
 *
 * @since 0.1.0
 * @category models
 */
export interface EventStoreConformanceOptions {
  /** Reports every case as skipped instead of running it; a string says why (for example "no server configured"). */
  readonly skip?: boolean | string
  /** Milliseconds one case may take, and building the layer may take. Defaults to 20 000. */
  readonly timeout?: number
  /** Milliseconds to wait for a subscription message that must arrive. Defaults to 5 000. */
  readonly receiveTimeout?: number
  /** Milliseconds to watch a subscription for a message that must not arrive. Defaults to 150. */
  readonly quietPeriod?: number
  /**
   * Writes, by a way of the adapter's own, one event to `streamId` that the store cannot hand out as a
   * `RecordedEvent` (for EventStoreDB: data that is not JSON). With it, the suite checks what reads and subscriptions
   * do with such an event; without it, those cases are reported as skipped (a store that holds only what it can read
   * back, like the memory store, has nothing to plant).
   */
  readonly plantUnreadable?: (streamId: string) => Effect.Effect<void, unknown>
}

/**
 * Defines a vitest `describe` block that checks an `EventStore` layer against the port's whole contract: revisions
 * and positions, every kind of expected revision, atomicity, idempotent re-appends, reads of a stream and of the
 * whole store in both directions, tombstones, catch-up subscriptions to a stream and to the whole store (including
 * races between writers and subscribers; and, for a store that offers one, a subscription's synchronous taker), JSON round trips of data and metadata, and — when the adapter's tests can
 * plant one — what reads and subscriptions do with an event the store cannot read.
 *
 * The layer is built once for the block and the cases share the store, each on streams of its own with random
 * names. Reads and subscriptions of the whole store start from a position the case wrote where they can, and keep
 * only the case's streams, so system events and other tests' events do not matter. One case subscribes to the whole
 * store from its start: against a large store, raise `receiveTimeout`. With `skip`, every case is reported as skipped.
 *
 * @example
 * ```ts
 * import { eventStoreConformance } from "@service-accounts/testing"
 * import { layer } from "@service-accounts/store-memory"
 *
 * eventStoreConformance("memory", layer)
 * ```
 *
 * @since 0.1.0
 * @category conformance
 */
export const eventStoreConformance = (
  name: string,
  layer: Layer.Layer<EventStore, unknown>,
  options: EventStoreConformanceOptions = {}
): void => {
  const skip = options.skip ?? false
  const timeout = options.timeout ?? 20_000
  const receiveTimeout = Duration.millis(options.receiveTimeout ?? 5_000)
  const quietPeriod = Duration.millis(options.quietPeriod ?? 150)
  const title = `EventStore conformance: ${name}`
  const suite = skip === false ? describe : describe.skip

  const context = { receiveTimeout, quietPeriod, ...makeFollowers(receiveTimeout, quietPeriod) }

  suite(typeof skip === "string" ? `${title} (skipped: ${skip})` : title, { timeout }, () => {
    withLayer(layer, { excludeTestServices: true, timeout: Duration.millis(timeout) })((it) => {
      writeCases(it, context)
      readCases(it, context)
      subscriptionCases(it, context)
      takerCases(it, context)
      dataCases(it, context)
      unreadableCases(it, context, options.plantUnreadable)
    })
  })
}
