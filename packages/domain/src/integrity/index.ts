/**
 * `@service-accounts/domain/integrity`: the checks of a history — tamper evidence (each event sealed with the digest
 * of its predecessor in its stream, signed checkpoints, and the verification of a whole history) and the model's
 * invariants I1–I9 (`checkInvariants`).
 *
 * @since 0.3.0
 */
export * as Integrity from "./Integrity.js"
export * as IntegrityCheckpoints from "./IntegrityCheckpoints.js"
export * as IntegrityVerification from "./IntegrityVerification.js"
export * from "./Invariants.js"
