/**
 * `checkInvariants` and the incremental `makeInvariantChecker`: every violation of the model's invariants (I1–I9)
 * that a history shows. They live in `@service-accounts/domain` (its `integrity` layer), so that programs check a
 * history without a test framework; the kit re-exports them under the same names.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * // The subpath imports nothing of vitest: a program (an audit, a job) can use it too.
 * import { makeInvariantChecker } from "@service-accounts/testing/Invariants"
 * import { Effect, Stream } from "effect"
 *
 * // Checks I1–I9 over the whole store, event by event: memory stays bounded however long the history is.
 * const violations = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   const checker = makeInvariantChecker()
 *   yield* Stream.runForEach(store.readAll(), (event) => Effect.sync(() => checker.next(event)))
 *   return checker
 *     .finish()
 *     .map((found) => `${found.invariant} at ${found.streamId}@${found.revision}: ${found.message}`)
 * })
 * // `checkInvariants(history)` does the same for a history held in memory.
 * ```
 *
 * @since 0.1.0
 */
export {
  checkInvariants,
  type InvariantChecker,
  type InvariantCode,
  makeInvariantChecker,
  type Violation
} from "@service-accounts/domain"
