/**
 * `@service-accounts/store-kurrentdb`: the `EventStore` port on KurrentDB, through `@kurrent/kurrentdb-client`.
 *
 * @since 0.1.0
 */
export * from "./KurrentDBStore.js"
export * from "./StoredCheckpoints.js"
