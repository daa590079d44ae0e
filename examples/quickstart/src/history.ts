/**
 * Saves the story's history for auditors: signs an integrity checkpoint of every directory (with a key made for
 * this run), then writes the whole store as NDJSON next to the public key that verifies the checkpoints.
 * `docs/auditing.md` audits these files with `sa-audit`.
 */
import { generateKeyPairSync } from "node:crypto"
import { writeFileSync } from "node:fs"
import { EventStore, IntegrityCheckpoints, Ndjson } from "@service-accounts/domain"
import { Chunk, Effect, Stream } from "effect"

export interface SavedHistory {
  readonly events: number
  readonly checkpoints: number
}

export const saveHistory = (historyPath: string, publicKeyPath: string) =>
  Effect.gen(function* () {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519")
    const run = yield* IntegrityCheckpoints.checkpointAll(privateKey)
    const store = yield* EventStore
    const lines = yield* Stream.runCollect(Ndjson.encode(store.readAll()))
    writeFileSync(historyPath, Chunk.join(lines, ""))
    writeFileSync(publicKeyPath, publicKey.export({ type: "spki", format: "pem" }))
    return { events: Chunk.size(lines) - 1, checkpoints: run.written.length } satisfies SavedHistory
  })
