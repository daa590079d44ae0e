/**
 * The demo's history for the audit tests: the quick-start story on the memory store, signed and saved exactly as
 * `pnpm demo` saves it, then read back as recorded events.
 */
import { mkdtempSync, readFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Ndjson, type RecordedEvent, ServiceAccounts } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Effect, Either, Layer } from "effect"
import { saveHistory } from "../src/history.js"
import { story } from "../src/story.js"

export interface DemoHistory {
  readonly dir: string
  readonly historyPath: string
  readonly publicKeyPath: string
  readonly text: string
  readonly events: ReadonlyArray<RecordedEvent>
}

export const demoHistory: Effect.Effect<DemoHistory> = Effect.gen(function* () {
  const dir = mkdtempSync(join(tmpdir(), "quickstart-audit-"))
  const historyPath = join(dir, "history.ndjson")
  const publicKeyPath = join(dir, "history.public.pem")
  yield* story(() => undefined)
  yield* saveHistory(historyPath, publicKeyPath)
  const text = readFileSync(historyPath, "utf8")
  const events = text
    .split("\n")
    .slice(1)
    .filter((line) => line !== "")
    .map((line, i) => Either.getOrThrow(Ndjson.decodeLine({ number: i + 2, text: line, terminated: true })))
  return { dir, historyPath, publicKeyPath, text, events }
}).pipe(Effect.provide(ServiceAccounts.layer.pipe(Layer.provideMerge(memoryStore))), Effect.orDie)

/** A history file's text from events. */
export const toText = (events: ReadonlyArray<RecordedEvent>): string =>
  `${[Ndjson.HEADER_LINE, ...events.map(Ndjson.encodeLine)].join("\n")}\n`
