/**
 * @since 0.1.0
 */
export * from "./Arbitraries.js"
export * from "./DeciderSpecification.js"
export * from "./EventStoreConformance.js"
export * from "./FaultInjection.js"
export * from "./Invariants.js"
export * from "./LeakScan.js"
export * from "./ModelTest.js"
