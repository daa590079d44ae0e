/**
 * The management page: static files (`public/`) served beside the API — the HTML, the style sheets, the script
 * `page.js` and the modules it imports from `public/page/`. The page talks to the API with `fetch`; it has no
 * server-side state. A strict Content-Security-Policy allows only this origin's script and style, so nothing
 * injected into a name or description can run.
 */
import { readdirSync, readFileSync } from "node:fs"
import { HttpApiBuilder, HttpServerResponse } from "@effect/platform"
import { Effect } from "effect"

const publicDir = new URL("../public/", import.meta.url)

interface StaticFile {
  readonly route: `/${string}`
  /** Its path under `public/`. */
  readonly file: string
  readonly contentType: string
}

const script = "text/javascript; charset=utf-8"

/**
 * The files and their routes. The page's modules and style sheets are listed when the layer is built: no path comes
 * from a request.
 */
const staticFiles = (): ReadonlyArray<StaticFile> => [
  { route: "/", file: "index.html", contentType: "text/html; charset=utf-8" },
  { route: "/assets/page.js", file: "page.js", contentType: script },
  ...readdirSync(new URL("page/", publicDir))
    .filter((name) => name.endsWith(".js"))
    .sort()
    .map((name): StaticFile => ({ route: `/assets/page/${name}`, file: `page/${name}`, contentType: script })),
  ...readdirSync(publicDir)
    .filter((name) => name.endsWith(".css"))
    .sort()
    .map((name): StaticFile => ({ route: `/assets/${name}`, file: name, contentType: "text/css; charset=utf-8" }))
]

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
  Effect.flatMap(Effect.sync(staticFiles), (files) =>
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
)
