/**
 * `pnpm demo`: the quick-start story on the in-memory store.
 */
import { ServiceAccounts } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { story } from "./story.js"

// The service logs each command at info level; the story's own lines tell the same, so only warnings show here.
const program = story((line) => console.log(line)).pipe(
  Effect.provide(ServiceAccounts.layer.pipe(Layer.provide(memoryStore))),
  Logger.withMinimumLogLevel(LogLevel.Warning)
)

Effect.runPromise(program).then(
  () => console.log("\nDone: every step behaved as documented."),
  (error: unknown) => {
    console.error("The quick start failed:", error)
    process.exitCode = 1
  }
)
