/**
 * The management page: three static files (`public/`) served beside the API. The page talks to the API with
 * `fetch`; it has no server-side state. A strict Content-Security-Policy allows only this origin's script and
 * style, so nothing injected into a name or description can run.
 */
import { readFileSync } from "node:fs"
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

const publicDir = new URL("../public/", import.meta.url)

const files = [
  { route: "/", file: "index.html", contentType: "text/html; charset=utf-8" },
  { route: "/assets/page.js", file: "page.js", contentType: "text/javascript; charset=utf-8" },
  { route: "/assets/page.css", file: "page.css", contentType: "text/css; charset=utf-8" }
] as const

const securityHeaders = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; " +
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "cache-control": "no-cache"
}

/** Adds the page's routes to the API's router. */
export const PageLive = HttpApiBuilder.Router.use((router) =>
  Effect.forEach(
    files,
    ({ route, file, contentType }) =>
      Effect.flatMap(
        Effect.sync(() => readFileSync(new URL(file, publicDir), "utf8")),
        (body) =>
          router.get(route, Effect.succeed(HttpServerResponse.text(body, { contentType, headers: securityHeaders })))
      ),
    { discard: true }
  )
)
