/**
 * `@service-accounts/domain`: service accounts and API tokens as an event-sourced model.
 *
 * Flat exports for the public names (events, commands, errors, ports, the service); namespaces for modules
 * whose members have generic names (`Directory.create`, `Token.digest`, `DirectoryView.projection`, …).
 *
 * @since 0.1.0
 */
export * as ApiToken from "./model/ApiToken.js"
export * as AuditTrail from "./readModels/AuditTrail.js"
export * from "./model/Authorization.js"
export * from "./model/Caller.js"
export * from "./model/Commands.js"
export * from "./model/Decider.js"
export * as Directory from "./model/Directory.js"
export * as DirectoryView from "./readModels/DirectoryView.js"
export * from "./model/Errors.js"
export * from "./model/Events.js"
export * from "./store/EventStore.js"
export * from "./model/Ids.js"
export * as Integrity from "./integrity/Integrity.js"
export * as IntegrityCheckpoints from "./integrity/IntegrityCheckpoints.js"
export * as IntegrityVerification from "./integrity/IntegrityVerification.js"
export * as Ndjson from "./history/Ndjson.js"
export * from "./model/Names.js"
export * from "./readModels/Projection.js"
export * as ProjectionRunner from "./readModels/ProjectionRunner.js"
export { Checkpoints, type CheckpointStoreShape } from "./readModels/ProjectionRunner.js"
export * from "./service/SecureRandom.js"
export * as ServiceAccount from "./model/ServiceAccount.js"
export * from "./service/ServiceAccounts.js"
export * from "./store/StoredEvent.js"
export * as Token from "./model/Token.js"
export * as TokenIndex from "./readModels/TokenIndex.js"
export * as Upcasting from "./store/Upcasting.js"
