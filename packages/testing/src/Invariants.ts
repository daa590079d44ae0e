/**
 * `checkInvariants` and the incremental `makeInvariantChecker`: every violation of the model's invariants (I1–I9)
 * that a history shows. They live in `@service-accounts/domain` (its `integrity` layer), so that programs check a
 * history without a test framework; the kit re-exports them under the same names.
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
