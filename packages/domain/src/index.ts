/**
 * @since 0.1.0
 */
export * from "./Errors.js"
export * from "./EventStore.js"
