/**
 * Every 400 of the API has the same body, `ApiErrors.InvalidInput` with a message and the field: the library's own for
 * what it decides, and this middleware's for what fails before the library is called — a body that is not JSON, a
 * string where an array belongs, a missing field, a query parameter that is not a number. Effect's own messages end with the input they refused; the input
 * may be a pasted secret, so as the library does for its own messages (ADR 0003) the echo is cut, token-shaped text
 * redacted and the length capped.
 *
 * @example
 * ```ts
 * import { type HttpApi, HttpApiBuilder } from "@effect/platform"
 * import { BadRequests } from "@service-accounts/http"
 * import { Layer } from "effect"
 *
 * // The host's API with its handlers (see `Handlers`).
 * declare const ApiLive: Layer.Layer<HttpApi.Api>
 *
 * // Served with the uniform 400s.
 * export const Served = HttpApiBuilder.serve().pipe(Layer.provide(BadRequests.layer), Layer.provide(ApiLive))
 * ```
 *
 * @since 0.1.0
 */
import { HttpApiBuilder, HttpApiError, HttpServerError } from "@effect/platform"
import { Token } from "@service-accounts/domain"
import { Cause, Effect } from "effect"
import { ManagementApi } from "./Api.js"
import { InvalidInput } from "./ApiErrors.js"

const withoutInput = (message: string): string =>
  Token.redactTokens(message.replace(/,? actual[\s\S]*$/, "")).slice(0, 300)

/**
 * The middleware, for any API built on `ManagementApi` (whose errors include `InvalidInput`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = HttpApiBuilder.middleware(ManagementApi, (app) =>
  Effect.catchAllCause(app, (cause) => {
    const error = Cause.squash(cause)
    if (error instanceof HttpApiError.HttpApiDecodeError) {
      const issues = error.issues.map((issue) => ({
        path: issue.path.map(String).join("."),
        message: withoutInput(issue.message)
      }))
      const first = error.issues[0]?.path[0]
      const described = issues.map((i) => (i.path === "" ? i.message : `${i.path}: ${i.message}`)).join("; ")
      return Effect.fail(
        new InvalidInput({
          message: `invalid request: ${described}`,
          field: first === undefined ? "(body)" : String(first),
          issues
        })
      )
    }
    if (HttpServerError.isServerError(error) && error._tag === "RequestError" && error.reason === "Decode") {
      return Effect.fail(
        new InvalidInput({ message: "the request body must be a JSON object", field: "(body)", issues: [] })
      )
    }
    return Effect.failCause(cause)
  })
)
