/**
 * `@service-accounts/cli`: `sa-audit`, the auditor's command line, and the pieces it is made of — moving a
 * history in and out of any `EventStore` as NDJSON, checking what a history's events hold, and the command line
 * itself (`Cli.main`), for programs that run it in-process.
 *
 * @since 0.1.0
 */
export * as Cli from "./Cli.js"
export * as Content from "./Content.js"
export * from "./Errors.js"
export * as HistoryTransfer from "./HistoryTransfer.js"
export * as Progress from "./Progress.js"
export * as Render from "./Render.js"
export * as Source from "./Source.js"
export * as UsageRender from "./UsageRender.js"
export * as UsageReport from "./UsageReport.js"
