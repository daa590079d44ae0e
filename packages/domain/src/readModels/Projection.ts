/**
 * Projections: pure folds of domain events into read models, each with a name and a version (bump the
 * version when the fold changes, so persisted read models are rebuilt).
 *
 * @example
 * ```ts
 * import { decode, EventStore, foldProjection, isDirectoryEvent, type Projection } from "@service-accounts/domain"
 * import { Effect, Stream } from "effect"
 *
 * // A read model of your own: how many tokens each organisation was issued.
 * const tokensIssued: Projection<ReadonlyMap<string, number>> = {
 *   name: "tokens-issued",
 *   version: 1, // bump it when `apply` changes, so a persisted state is rebuilt
 *   initialState: new Map(),
 *   apply: (counts, { event }) =>
 *     event._tag === "TokenIssued"
 *       ? new Map(counts).set(event.organizationId, (counts.get(event.organizationId) ?? 0) + 1)
 *       : counts
 * }
 *
 * // Folded over the store's history once (`ProjectionRunner.start` keeps one following the store instead).
 * const counts = Effect.flatMap(EventStore, (store) =>
 *   store.readAll().pipe(
 *     Stream.filter(isDirectoryEvent),
 *     Stream.mapEffect(decode),
 *     Stream.runCollect,
 *     Effect.map((events) => foldProjection(tokensIssued, events))
 *   )
 * )
 * ```
 *
 * @since 0.1.0
 */
import type { DomainEvent } from "../store/StoredEvent.js"

/**
 * A projection of stored events of type `E`: the domain's events, unless said otherwise (the usage view folds
 * usage events).
 *
 * @since 0.1.0
 * @category models
 */
export interface Projection<S, E = DomainEvent> {
  readonly name: string
  readonly version: number
  readonly initialState: S
  readonly apply: (state: S, event: E) => S
  /**
   * Folds many events at once: the same result as `apply` event by event, made without the intermediate states
   * (which nobody can see). Optional; `applyEvents` falls back to `apply`.
   */
  readonly applyAll?: (state: S, events: Iterable<E>) => S
}

/**
 * Folds events into a state of a projection, with its `applyAll` when it has one.
 *
 * @since 0.2.0
 * @category utils
 */
export const applyEvents = <S, E>(projection: Projection<S, E>, state: S, events: Iterable<E>): S => {
  if (projection.applyAll !== undefined) return projection.applyAll(state, events)
  let current = state
  for (const event of events) current = projection.apply(current, event)
  return current
}

/**
 * Folds events into a projection's state (from its initial state unless told otherwise).
 *
 * @since 0.1.0
 * @category utils
 */
export const foldProjection = <S, E>(
  projection: Projection<S, E>,
  events: Iterable<E>,
  from: S = projection.initialState
): S => applyEvents(projection, from, events)
