/**
 * `@service-accounts/http`: the HTTP API of `@service-accounts/domain` for `@effect/platform`'s `HttpApi` — the
 * management endpoints and their handlers, the bearer-token check automation goes through, health checks, the
 * OpenAPI document, and the table that turns the library's errors into HTTP answers. The host brings its login.
 *
 * @since 0.1.0
 */
export * as Api from "./Api.js"
export * as ApiErrors from "./ApiErrors.js"
export * as BadRequests from "./BadRequests.js"
export * as Bodies from "./Bodies.js"
export * as ErrorMapping from "./ErrorMapping.js"
export * as Handlers from "./Handlers.js"
export * as Health from "./Health.js"
export * as HttpService from "./HttpService.js"
export * as Security from "./Security.js"
