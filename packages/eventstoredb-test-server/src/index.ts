/**
 * `@service-accounts/eventstoredb-test-server`: an in-process, wire-compatible EventStoreDB gRPC
 * server for tests and examples. It is not a database.
 *
 * @since 0.1.0
 */
export * from "./start.js"
export * from "./TestServer.js"
