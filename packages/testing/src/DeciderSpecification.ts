/**
 * Given/when/then specifications for a decider: given these events, when this command is decided, then these events
 * are appended — or the command is refused so. A decider is a plain synchronous function of its command, state and
 * context, so a specification needs no Effect runtime, no store and no clock: it folds the given events, decides,
 * and asserts with vitest's `expect`.
 *
 * @example
 * ```ts
 * import { CreateServiceAccount, Directory, DuplicateServiceAccountName, OrganizationId, UserId } from "@service-accounts/domain"
 * import { DeciderSpecification } from "@service-accounts/testing"
 * import { DateTime, Schema } from "effect"
 * import { it } from "vitest"
 *
 * const spec = DeciderSpecification.for(Directory.decider, (command) => ({
 *   organizationId: OrganizationId.make("acme"),
 *   tenantUrl: "https://acme.example.com",
 *   actor: { userId: UserId.make("alice"), role: "administrator" },
 *   now: DateTime.unsafeMake("2026-12-07T10:00:00Z"),
 *   random: new Uint8Array(Directory.randomBytesFor(command)).fill(1)
 * }))
 * const create = Schema.decodeSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name: "deploy-bot" })
 *
 * it("refuses a second account with the same name", () => {
 *   const [created] = spec.given([]).when(create).events()
 *   spec
 *     .given(created === undefined ? [] : [created])
 *     .when(create)
 *     .thenRefuses(new DuplicateServiceAccountName({ accountName: create.name }))
 * })
 * ```
 *
 * @since 0.3.0
 */
import { expect } from "vitest"
import type { Decider, Decision } from "@service-accounts/domain"
import { Either } from "effect"

/**
 * What a specification says about one decision.
 *
 * @since 0.3.0
 * @category models
 */
export interface DecisionSpecification<Event, Output, Refusal> {
  /**
   * The command is decided and appends exactly these events (compared by value); or, given a function, the decision
   * is accepted and handed to it for assertions of its own.
   */
  readonly then: (expected: ReadonlyArray<Event> | ((decision: Decision<Event, Output>) => void)) => void
  /**
   * The command is refused with this refusal (compared by value); or, given a function, the refusal is handed to it.
   */
  readonly thenRefuses: (expected: Refusal | ((refusal: Refusal) => void)) => void
  /** The events the decision appends (failing the test when it refuses): to build the `given` of a next step. */
  readonly events: () => ReadonlyArray<Event>
}

/**
 * A specification's steps: the history, then the command.
 *
 * @since 0.3.0
 * @category models
 */
export interface Specification<Command, Event, Output, Refusal, Context> {
  readonly given: (events: ReadonlyArray<Event>) => {
    /** Decides `command` on the folded history, in `context` (by default the specification's context for it). */
    readonly when: (command: Command, context?: Context) => DecisionSpecification<Event, Output, Refusal>
  }
}

const describe = (value: unknown): string => {
  if (value instanceof Error) return `${value.name}: ${value.message}`
  try {
    return JSON.stringify(value)
  } catch {
    return String(value)
  }
}

/**
 * A specification of `decider`: `context` gives each command its context (the time, the random bytes, the actor),
 * unless a step passes its own.
 *
 * @since 0.3.0
 * @category constructors
 */
const forDecider = <Command, Event, State, Output, Refusal, Context>(
  decider: Decider<Command, Event, State, Output, Refusal, Context>,
  context: (command: Command) => Context
): Specification<Command, Event, Output, Refusal, Context> => ({
  given: (history) => ({
    when: (command, given) => {
      let state = decider.initialState
      for (const event of history) state = decider.evolve(state, event)
      const decided = decider.decide(command, state, given ?? context(command))
      const accepted = (): Decision<Event, Output> => {
        if (Either.isLeft(decided)) {
          throw new Error(`expected the command to be decided, but it was refused: ${describe(decided.left)}`)
        }
        return decided.right
      }
      return {
        // biome-ignore lint/suspicious/noThenProperty: given/when/then is the vocabulary of specifications; this is no promise (awaiting it would only hand the decision on)
        then: (expected) => {
          const decision = accepted()
          if (typeof expected === "function") expected(decision)
          else expect(decision.events).toStrictEqual(expected)
        },
        thenRefuses: (expected) => {
          if (Either.isRight(decided)) {
            throw new Error(`expected a refusal, but the command was decided: ${describe(decided.right.events)}`)
          }
          if (typeof expected === "function") (expected as (refusal: Refusal) => void)(decided.left)
          else expect(decided.left).toStrictEqual(expected)
        },
        events: () => accepted().events
      }
    }
  })
})

/**
 * Given/when/then specifications for deciders.
 *
 * @since 0.3.0
 * @category constructors
 */
export const DeciderSpecification = { for: forDecider } as const
