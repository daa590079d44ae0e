/**
 * `@service-accounts/store-eventstoredb`: the `EventStore` port on EventStoreDB.
 *
 * @since 0.1.0
 */
export * from "./EventStoreDBStore.js"
export * from "./StoredCheckpoints.js"
