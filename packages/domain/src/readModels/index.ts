/**
 * `@service-accounts/domain/readModels`: projections (pure folds of stored events) and the runners that keep them
 * following the store — the directory view, the token index and the audit trail.
 *
 * @since 0.3.0
 */
export * as AuditTrail from "./AuditTrail.js"
export * as DirectoryView from "./DirectoryView.js"
export * from "./Projection.js"
export * as ProjectionRunner from "./ProjectionRunner.js"
export { Checkpoints, type CheckpointStoreShape } from "./ProjectionRunner.js"
export * as TokenIndex from "./TokenIndex.js"
export * as UsageView from "./UsageView.js"
