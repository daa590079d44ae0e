/**
 * The in-memory `EventStore`: the embedded default, for tests, examples and single-process deployments that can
 * afford to lose their history when the process stops.
 *
 * It keeps one append-only log of every event, plus, per stream, the log index of each revision. Appends are
 * atomic, revisions are gapless from 0, positions are the log indexes (from 0, strictly increasing). Stored data
 * and metadata are deep-frozen copies, exactly what printing them as JSON text and parsing it back would give (made
 * directly when the value is plain JSON data), so the store behaves like one that keeps bytes.
 * Subscriptions read the log through their own cursor and wait for the next append when they reach its end: no
 * subscriber has a buffer that a slow consumer could grow.
 *
 * @since 0.1.0
 */
import { EventStore, type EventStoreShape } from "@service-accounts/domain"
import { Effect, Layer } from "effect"
import { makeStore } from "./internal/store.js"

/**
 * Creates a new, empty in-memory store. Each run of the effect gives an independent store.
 *
 * @example
 * ```ts
 * import { make } from "@service-accounts/store-memory"
 * import { Effect } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* make
 *   const result = yield* store.append(
 *     "directory-org-1",
 *     [{ eventId: crypto.randomUUID(), type: "Hello", data: { hello: "world" }, metadata: {} }],
 *     "no_stream"
 *   )
 *   return result.nextExpectedRevision // 0n
 * })
 * ```
 *
 * @since 0.1.0
 * @category constructors
 */
export const make: Effect.Effect<EventStoreShape> = Effect.sync(makeStore)

/**
 * Provides `EventStore` with a new, empty in-memory store. Each build of the layer is an independent store; as with
 * any layer, providing the same layer value once to a program shares one store across it.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * import { layer } from "@service-accounts/store-memory"
 * import { Effect, Stream } from "effect"
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   return yield* Stream.runCollect(store.readAll())
 * })
 *
 * Effect.runPromise(Effect.provide(program, layer))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layer: Layer.Layer<EventStore> = Layer.effect(EventStore, make)
