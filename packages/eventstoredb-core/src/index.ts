/**
 * `@service-accounts/eventstoredb-core`: what the EventStoreDB and KurrentDB adapters share.
 *
 * @since 0.1.0
 */
export * from "./Adapter.js"
