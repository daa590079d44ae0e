/**
 * `pnpm --filter @service-accounts/example-http-service start`: serves the API and the management page.
 * `PORT` (default 3000) and `HOST` (default 127.0.0.1) choose where; `EVENTSTORE_CONNECTION_STRING`, when set,
 * puts the data in EventStoreDB instead of memory. Integrity checkpoints are signed periodically (`Checkpoints`).
 */
import * as NodeRuntime from "@effect/platform-node/NodeRuntime"
import { Config, Effect, Layer } from "effect"
import * as Checkpoints from "./Checkpoints.js"
import { baseUrl, ServerLive } from "./Server.js"
import * as Store from "./Store.js"

const Main = Layer.unwrapEffect(
  Effect.gen(function* () {
    const port = yield* Config.port("PORT").pipe(Config.withDefault(3000))
    const host = yield* Config.string("HOST").pipe(Config.withDefault("127.0.0.1"))
    const store = yield* Store.fromConfig
    const checkpoints = yield* Checkpoints.fromConfig
    const announce = Layer.effectDiscard(
      Effect.flatMap(baseUrl, (url) =>
        Effect.sync(() => {
          console.log(`Management page: ${url}/`)
          console.log(`OpenAPI:         ${url}/api/openapi.json (browse it at ${url}/api/docs)`)
          console.log(`Health:          ${url}/healthz (live), ${url}/readyz (ready)`)
          console.log(`Event store:     ${store.description}`)
          console.log(`Checkpoints:     ${checkpoints.description}`)
          console.log("Sign in on the page as any user of a demo organisation (the example's stand-in login).")
        })
      )
    )
    // In the background: the server answers (and `/readyz` says 503) while a long history is read.
    const service = { startup: "background" } as const
    return announce.pipe(
      Layer.provide(ServerLive({ port, host }, store.layer, { service, checkpointer: checkpoints.layer }))
    )
  })
)

NodeRuntime.runMain(Layer.launch(Main))
