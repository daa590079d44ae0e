/**
 * The decider: the smallest building block of an event-sourced model. `decide` turns a command and the
 * current state into events (or a typed refusal); `evolve` folds one event into the state.
 *
 * `decide` returns an `Effect` so it can use services (the clock, randomness) and still be deterministic
 * under test services.
 *
 * @since 0.1.0
 */
import type { Effect } from "effect"

/**
 * What a decision produced: the events to append, and what the caller gets back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decision<Event, Output> {
  readonly events: ReadonlyArray<Event>
  readonly output: Output
}

/**
 * @since 0.1.0
 * @category models
 */
export interface Decider<Command, Event, State, Output, E, R> {
  readonly initialState: State
  readonly decide: (command: Command, state: State) => Effect.Effect<Decision<Event, Output>, E, R>
  readonly evolve: (state: State, event: Event) => State
}

/**
 * Folds events into a state, starting from the decider's initial state.
 *
 * @since 0.1.0
 * @category utils
 */
export const fold = <Command, Event, State, Output, E, R>(
  decider: Decider<Command, Event, State, Output, E, R>,
  events: Iterable<Event>,
  from: State = decider.initialState
): State => {
  let state = from
  for (const event of events) state = decider.evolve(state, event)
  return state
}
