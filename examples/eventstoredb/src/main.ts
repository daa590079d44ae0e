/**
 * `pnpm --filter @service-accounts/example-eventstoredb start`: the quick-start story on EventStoreDB — the in-process
 * test server by default, a real server when a connection string is set; `EVENTSTORE_ADAPTER=kurrentdb` runs it
 * through the KurrentDB adapter (see `Store.ts`).
 */
import { Effect, Logger, LogLevel } from "effect"
import { program } from "./program.js"

// The service logs each command at info level; the story's own lines tell the same, so only warnings show here.
const main = program((line) => console.log(line)).pipe(Logger.withMinimumLogLevel(LogLevel.Warning))

Effect.runPromise(main).then(
  () => console.log("\nDone: every step behaved as documented, on EventStoreDB."),
  (error: unknown) => {
    console.error("The EventStoreDB example failed:", error)
    process.exitCode = 1
  }
)
