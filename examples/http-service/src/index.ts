/**
 * The example's modules, for tests and for the documentation's snippets.
 */
export * as Api from "./Api.js"
export * as ApiErrors from "./ApiErrors.js"
export * as Checkpoints from "./Checkpoints.js"
export * as DemoLogin from "./DemoLogin.js"
export * as Handlers from "./Handlers.js"
export * as Page from "./Page.js"
export * as Server from "./Server.js"
export * as Store from "./Store.js"
