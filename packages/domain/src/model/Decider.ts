/**
 * The decider: the smallest building block of an event-sourced model. `decide` turns a command, the current state
 * and the context of the decision into events (or a typed refusal); `evolve` folds one event into the state.
 *
 * `decide` is a plain synchronous function (ADR 0009): whatever varies between runs — the time, random bytes, who
 * is acting — comes in the context, so the same arguments always give the same decision and a rule is tested
 * without any runtime. Running a decision against a store (load, decide, append with an expected revision, retry) is
 * the service's job.
 *
 * @example
 * ```ts
 * import { type Decider, fold } from "@service-accounts/domain"
 * import { Either } from "effect"
 *
 * // A counter that refuses to go above a limit given in the context.
 * type Add = { readonly amount: number }
 * const counter: Decider<Add, Add, number, number, string, { readonly limit: number }> = {
 *   initialState: 0,
 *   evolve: (total, added) => total + added.amount,
 *   decide: (command, total, { limit }) =>
 *     total + command.amount > limit
 *       ? Either.left("over the limit")
 *       : Either.right({ events: [command], output: total + command.amount })
 * }
 * const total = fold(counter, [{ amount: 2 }, { amount: 3 }]) // 5
 * const refused = counter.decide({ amount: 10 }, total, { limit: 12 }) // Either.left("over the limit")
 * ```
 *
 * @since 0.1.0
 */
import type { Either } from "effect"

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
 * A decider: the initial state, how an event changes the state, and how a command is decided on a state in a
 * context.
 *
 * @since 0.1.0
 * @category models
 */
export interface Decider<Command, Event, State, Output, Refusal, Context> {
  readonly initialState: State
  readonly decide: (command: Command, state: State, context: Context) => Either.Either<Decision<Event, Output>, Refusal>
  readonly evolve: (state: State, event: Event) => State
}

/**
 * Folds events into a state, starting from the decider's initial state.
 *
 * @since 0.1.0
 * @category utils
 */
export const fold = <Command, Event, State, Output, Refusal, Context>(
  decider: Decider<Command, Event, State, Output, Refusal, Context>,
  events: Iterable<Event>,
  from: State = decider.initialState
): State => {
  let state = from
  for (const event of events) state = decider.evolve(state, event)
  return state
}
