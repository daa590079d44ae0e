/**
 * Writes the golden history fixtures of `packages/domain/test/fixtures/` — run once, and committed:
 *
 *   pnpm --filter @service-accounts/cli exec tsx --conditions=source scripts/golden-history.ts
 *
 * - `history-v1.ndjson`: a deterministic run of the service (seeded randomness, a clock that moves one second per
 *   reading) on the memory store covering every event type and its variants, with a signed checkpoint, exported;
 * - `history-v0.ndjson`: the same history as a hypothetical schema version 0 would have stored it (see
 *   `Upcasting.test.ts`), sealed into its own chain;
 * - `golden.public.pem`: the public key of the checkpoints (the private key is derived from a fixed seed here).
 *
 * The files hold no token value: the script refuses to write one that does.
 */
import { createHash, createPrivateKey, createPublicKey } from "node:crypto"
import { writeFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import {
  type CallerInput,
  EventStore,
  Integrity,
  IntegrityCheckpoints,
  type Json,
  Ndjson,
  type RecordedEvent,
  SecureRandom,
  ServiceAccounts,
  Token
} from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Chunk, Clock, Effect, Layer, Logger, LogLevel, Stream } from "effect"
import { exportHistory } from "../src/HistoryTransfer.js"

const out = (name: string) => fileURLToPath(new URL(`../../domain/test/fixtures/${name}`, import.meta.url))

/** Ed25519 from a 32-byte seed: the PKCS#8 prefix of an Ed25519 key, then the seed. */
const seededKey = (seed: string) =>
  createPrivateKey({
    key: Buffer.concat([
      Buffer.from("302e020100300506032b657004220420", "hex"),
      createHash("sha256").update(seed).digest()
    ]),
    format: "der",
    type: "pkcs8"
  })

/** Starts at 2026-01-05T09:00:00Z and moves one second each time it is read. */
const steppingClock = (): Clock.Clock => {
  let millis = Date.UTC(2026, 0, 5, 9, 0, 0)
  const next = () => {
    millis += 1000
    return millis
  }
  return {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: next,
    currentTimeMillis: Effect.sync(next),
    unsafeCurrentTimeNanos: () => BigInt(next()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(next()) * 1_000_000n),
    sleep: () => Effect.void
  }
}

const acme: CallerInput = {
  organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
  actor: { userId: "alice@acme.example.com", role: "administrator" }
}
const globex: CallerInput = {
  organization: { id: "globex", plan: "enterprise", tenantUrl: "https://globex.example.com" },
  actor: { userId: "bob@globex.example.com", role: "administrator" }
}

const scenario = Effect.gen(function* () {
  const service = yield* ServiceAccounts
  const deploy = yield* service.create(acme, { name: "deploy-bot", description: "Deploys main to production" })
  const ci = yield* service.issueToken(acme, { serviceAccountId: deploy.serviceAccountId, name: "ci" })
  yield* service.issueToken(
    { ...acme, commandId: "golden-issue-backup" },
    { serviceAccountId: deploy.serviceAccountId, name: "backup", scopes: ["read"] }
  )
  yield* service.revokeToken(acme, { serviceAccountId: deploy.serviceAccountId, tokenId: ci.tokenId })
  // A revoked token's name is free again.
  yield* service.issueToken(acme, { serviceAccountId: deploy.serviceAccountId, name: "ci", scopes: ["write", "read"] })
  const reporting = yield* service.create(acme, { name: "reporting" })
  yield* service.issueToken(acme, { serviceAccountId: reporting.serviceAccountId, name: "nightly", scopes: ["read"] })
  // The cascade: two active tokens revoked in the same append as the deletion.
  yield* service.delete({ ...acme, commandId: "golden-delete-deploy" }, { serviceAccountId: deploy.serviceAccountId })
  // A deletion with nothing to cascade; then the name is free again.
  const empty = yield* service.create(acme, { name: "empty-bot" })
  yield* service.delete(acme, { serviceAccountId: empty.serviceAccountId })
  yield* service.create(acme, { name: "deploy-bot", description: "The second deploy bot" })
  const etl = yield* service.create(globex, { name: "etl" })
  yield* service.issueToken(globex, { serviceAccountId: etl.serviceAccountId, name: "loader" })
})

const sealedAt = (events: ReadonlyArray<RecordedEvent>) => {
  const previous = new Map<string, string>()
  return events.map((event) => {
    const { events: sealed, last } = Integrity.seal(
      event.streamId,
      event.revision,
      previous.get(event.streamId) ?? Integrity.GENESIS,
      [event]
    )
    previous.set(event.streamId, last)
    const [first] = sealed
    return first === undefined ? event : { ...event, metadata: first.metadata }
  })
}

/** The hypothetical v0 form: `displayName` for `name` on accounts, scopes as one space-separated string. */
const isObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const toV0 = (event: RecordedEvent): RecordedEvent => {
  const data = event.data
  if (!isObject(data)) return event
  const metadata = { ...event.metadata, schemaVersion: 0 }
  if (event.type === "ServiceAccountCreated") {
    const { name, ...rest } = data
    return { ...event, data: { ...rest, displayName: name ?? null }, metadata }
  }
  if (event.type === "TokenIssued") {
    const scopes = data.scopes
    return { ...event, data: { ...data, scopes: Array.isArray(scopes) ? scopes.join(" ") : "" }, metadata }
  }
  return { ...event, metadata }
}

const program = Effect.gen(function* () {
  yield* scenario
  const key = seededKey("service-accounts golden history v1")
  yield* IntegrityCheckpoints.checkpointAll(key)
  const text = Chunk.join(yield* Stream.runCollect(exportHistory), "")
  if (Token.findTokens(text).length > 0) throw new Error("a token value would be written to the fixtures")
  writeFileSync(out("history-v1.ndjson"), text)
  const store = yield* EventStore
  const events = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
  const v0 = sealedAt(events.filter((e) => e.streamId.startsWith("serviceAccountDirectory-")).map(toV0))
  writeFileSync(
    out("history-v0.ndjson"),
    Chunk.join(yield* Stream.runCollect(Ndjson.encode(Stream.fromIterable(v0))), "")
  )
  writeFileSync(out("golden.public.pem"), createPublicKey(key).export({ type: "spki", format: "pem" }))
  console.log(`wrote ${events.length} events (v1) and ${v0.length} events (v0) to packages/domain/test/fixtures`)
}).pipe(
  Effect.provide(
    ServiceAccounts.layer.pipe(Layer.provideMerge(memoryStore), Layer.provide(SecureRandom.layerSeeded("golden")))
  ),
  Effect.withClock(steppingClock()),
  Logger.withMinimumLogLevel(LogLevel.Warning)
)

Effect.runPromise(program).catch((error: unknown) => {
  console.error(error)
  process.exitCode = 1
})
