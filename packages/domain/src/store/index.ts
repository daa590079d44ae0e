/**
 * `@service-accounts/domain/store`: the `EventStore` port that adapters implement, how domain events are stored
 * (one stream per organisation, JSON data, small metadata), and upcasting of older event versions.
 *
 * @since 0.3.0
 */
export * from "./EventStore.js"
export * from "./StoredEvent.js"
export * as Upcasting from "./Upcasting.js"
export * from "./UsageStream.js"
