/**
 * The example's modules, for its tests. The HTTP API itself is `@service-accounts/http`.
 */
export * as Checkpoints from "./Checkpoints.js"
export * as DemoLogin from "./DemoLogin.js"
export * as Page from "./Page.js"
export * as Server from "./Server.js"
export * as Store from "./Store.js"
