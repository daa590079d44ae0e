/**
 * `pnpm demo`: the quick-start story on the in-memory store, then its history saved for auditors.
 */
import { fileURLToPath } from "node:url"
import { ServiceAccounts } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { saveHistory } from "./history.js"
import { story } from "./story.js"

const historyPath = fileURLToPath(new URL("../history.ndjson", import.meta.url))
const publicKeyPath = fileURLToPath(new URL("../history.public.pem", import.meta.url))

// The service logs each command at info level; the story's own lines tell the same, so only warnings show here.
const program = Effect.gen(function* () {
  yield* story((line) => console.log(line))
  const saved = yield* saveHistory(historyPath, publicKeyPath)
  console.log("10. The history, for auditors (see docs/auditing.md):")
  console.log(
    `   ${saved.events} events, ${saved.checkpoints} signed checkpoint(s), in examples/quickstart/history.ndjson`
  )
  console.log("   the checkpoints' public key is examples/quickstart/history.public.pem")
}).pipe(
  // Usage is flushed every 100 ms here, so the story does not wait for the default 5 s.
  Effect.provide(
    ServiceAccounts.layerWith({ usage: { flushInterval: "100 millis" } }).pipe(Layer.provideMerge(memoryStore))
  ),
  Logger.withMinimumLogLevel(LogLevel.Warning)
)

Effect.runPromise(program).then(
  () => console.log("\nDone: every step behaved as documented."),
  (error: unknown) => {
    console.error("The quick start failed:", error)
    process.exitCode = 1
  }
)
