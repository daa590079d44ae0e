/**
 * `@service-accounts/domain/history`: the NDJSON history format, in which a history leaves one store and enters
 * another, and which auditors read.
 *
 * @since 0.3.0
 */
export * as Ndjson from "./Ndjson.js"
