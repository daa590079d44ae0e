/**
 * Projections: pure folds of domain events into read models, each with a name and a version (bump the
 * version when the fold changes, so persisted read models are rebuilt).
 *
 * @since 0.1.0
 */
import type { DomainEvent } from "./StoredEvent.js"

/**
 * @since 0.1.0
 * @category models
 */
export interface Projection<S> {
  readonly name: string
  readonly version: number
  readonly initialState: S
  readonly apply: (state: S, event: DomainEvent) => S
}

/**
 * Folds events into a projection's state.
 *
 * @since 0.1.0
 * @category utils
 */
export const foldProjection = <S>(
  projection: Projection<S>,
  events: Iterable<DomainEvent>,
  from: S = projection.initialState
): S => {
  let state = from
  for (const event of events) state = projection.apply(state, event)
  return state
}
