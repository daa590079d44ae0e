/**
 * `@service-accounts/domain`: service accounts and API tokens as an event-sourced model.
 *
 * Flat exports for the public names (events, commands, errors, ports, the service); namespaces for modules
 * whose members have generic names (`Directory.create`, `Token.digest`, `DirectoryView.projection`, …).
 *
 * @since 0.1.0
 */
export * as ApiToken from "./ApiToken.js"
export * as AuditTrail from "./AuditTrail.js"
export * from "./Authorization.js"
export * from "./Caller.js"
export * from "./Commands.js"
export * from "./Decider.js"
export * as Directory from "./Directory.js"
export * as DirectoryView from "./DirectoryView.js"
export * from "./Errors.js"
export * from "./Events.js"
export * from "./EventStore.js"
export * from "./Ids.js"
export * as Integrity from "./Integrity.js"
export * as IntegrityCheckpoints from "./IntegrityCheckpoints.js"
export * as IntegrityVerification from "./IntegrityVerification.js"
export * as Ndjson from "./Ndjson.js"
export * from "./Names.js"
export * from "./Projection.js"
export * as ProjectionRunner from "./ProjectionRunner.js"
export { Checkpoints, type CheckpointStoreShape } from "./ProjectionRunner.js"
export * from "./SecureRandom.js"
export * as ServiceAccount from "./ServiceAccount.js"
export * from "./ServiceAccounts.js"
export * from "./StoredEvent.js"
export * as Token from "./Token.js"
export * as TokenIndex from "./TokenIndex.js"
export * as Upcasting from "./Upcasting.js"
