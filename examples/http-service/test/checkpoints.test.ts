/**
 * The example signs integrity checkpoints periodically, next to the service and over the same store: after a
 * command, a checkpoint soon covers every event, and the history verifies with the public key alone.
 */
import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { EventStore, IntegrityCheckpoints, IntegrityVerification } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { ConfigProvider, Effect, Layer, Logger, LogLevel, Schedule } from "effect"
import * as Checkpoints from "../src/Checkpoints.js"
import { baseUrl, ServerLive } from "../src/Server.js"

const admin = { "x-demo-org": "acme", "x-demo-user": "alice@acme.example.com", "x-demo-role": "administrator" }

describe("integrity checkpoints in the example", () => {
  it.scopedLive("a checkpoint soon covers every event the server appended", () =>
    Effect.gen(function* () {
      const { privateKey, publicKey } = generateKeyPairSync("ed25519")
      const store = yield* makeMemoryStore
      const checkpointer = IntegrityCheckpoints.layer({ privateKey, schedule: Schedule.spaced("20 millis") })
      const context = yield* Layer.build(
        ServerLive({ port: 0, host: "127.0.0.1" }, Layer.succeed(EventStore, store), { checkpointer }).pipe(
          Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
        )
      )
      const url = yield* Effect.provide(baseUrl, context)
      const created = yield* Effect.promise(() =>
        fetch(`${url}/api/service-accounts`, {
          method: "POST",
          headers: { ...admin, "content-type": "application/json" },
          body: JSON.stringify({ name: "deploy-bot" })
        })
      )
      expect(created.status).toBe(201)
      // Waits for the checkpointer's next runs (polling, with a generous limit), not for a length of time.
      const report = yield* IntegrityVerification.verifyHistory(store.readAll(), {
        publicKey,
        requireSigned: true
      }).pipe(
        Effect.filterOrFail((found) => found.totalFindings === 0 && found.checkpoints > 0),
        Effect.retry(Schedule.spaced("50 millis").pipe(Schedule.upTo("50 seconds")))
      )
      expect(report).toMatchObject({ uncoveredEvents: 0, totalFindings: 0 })
    })
  )

  it.effect(
    "takes the key from SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY, or makes one for the run and shows its public key",
    () =>
      Effect.gen(function* () {
        const made = yield* Checkpoints.fromConfig.pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
        expect(made.description).toMatch(
          /^signed every 1h with a key made for this run; its public key, for auditors:\n-----BEGIN PUBLIC KEY-----/
        )
        const pem = String(generateKeyPairSync("ed25519").privateKey.export({ type: "pkcs8", format: "pem" }))
        const configured = yield* Checkpoints.fromConfig.pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(
              new Map([
                ["SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY", pem],
                ["SERVICE_ACCOUNTS_INTEGRITY_INTERVAL", "10 minutes"]
              ])
            )
          )
        )
        expect(configured.description).toBe("signed every 10m with the key of SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY")
        expect(configured.description).not.toContain("BEGIN PRIVATE KEY")
      })
  )
})
