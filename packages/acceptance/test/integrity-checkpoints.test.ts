/**
 * Writing signed integrity checkpoints: on demand, for every directory in one pass, periodically from the layer
 * (with a schedule, the private key from configuration), and never for a directory whose chain does not verify.
 */
import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { EventStore, IntegrityCheckpoints, IntegrityVerification, ServiceAccounts } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import {
  ConfigProvider,
  Context,
  Effect,
  Either,
  Exit,
  Layer,
  Option,
  Redacted,
  Schedule,
  Stream,
  TestClock
} from "effect"
import { servicesOnMemory } from "./support.js"

const { privateKey, publicKey } = generateKeyPairSync("ed25519")
const privatePem = privateKey.export({ type: "pkcs8", format: "pem" }).toString()
const acme = administrator("acme")
const globex = administrator("globex")
const ACME = "serviceAccountDirectory-acme"

const services = servicesOnMemory("checkpoints")

const verifyStore = Effect.flatMap(EventStore, (store) =>
  IntegrityVerification.verifyHistory(store.readAll(), { publicKey })
)

const checkpointsOf = (organization: string) =>
  Effect.flatMap(EventStore, (store) =>
    Stream.runCollect(store.readStream(`serviceAccountIntegrity-${organization}`)).pipe(
      Effect.map((events) =>
        [...events].map((e) => Either.getOrThrow(IntegrityCheckpoints.decodeCheckpoint(e)).revision)
      )
    )
  )

/** An event appended behind the service's back, without an integrity record. */
const appendUnsealed = (streamId: string) =>
  Effect.flatMap(EventStore, (store) =>
    store.append(streamId, [{ eventId: crypto.randomUUID(), type: "TokenRevoked", data: {}, metadata: {} }], "any")
  )

describe("IntegrityCheckpoints", () => {
  it.effect("signs a directory's last revision on demand, once, and again after new events", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "deploy-bot" })
      yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
      const first = yield* IntegrityCheckpoints.checkpoint(privateKey, ACME)
      expect(Option.map(first, (c) => c.revision)).toEqual(Option.some("1"))
      expect(yield* IntegrityCheckpoints.checkpoint(privateKey, ACME)).toEqual(Option.none())
      yield* service.delete(acme, { serviceAccountId: account.serviceAccountId })
      yield* IntegrityCheckpoints.checkpoint(privateKey, ACME)
      expect(yield* checkpointsOf("acme")).toEqual(["1", "3"])
      const report = yield* verifyStore
      expect(report.findings).toEqual([])
      expect(report.checkpoints).toBe(2)
      expect(yield* IntegrityCheckpoints.checkpoint(privateKey, "serviceAccountDirectory-nobody")).toEqual(
        Option.none()
      )
    }).pipe(Effect.provide(services))
  )

  it.effect("never signs a directory whose chain does not verify", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      yield* service.create(acme, { name: "deploy-bot" })
      yield* appendUnsealed(ACME)
      const result = yield* Effect.either(IntegrityCheckpoints.checkpoint(privateKey, ACME))
      expect(Either.isLeft(result) && result.left.message).toBe(
        "serviceAccountDirectory-acme does not verify, so no checkpoint was written: unsealed at revision 1"
      )
      expect(yield* checkpointsOf("acme")).toEqual([])
    }).pipe(Effect.provide(services))
  )

  it.effect("checkpoints every directory in one pass, reporting those it would not sign", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      yield* service.create(acme, { name: "a" })
      yield* service.create(globex, { name: "g" })
      yield* service.create(administrator("initech"), { name: "i" })
      yield* appendUnsealed("serviceAccountDirectory-initech")
      const run = yield* IntegrityCheckpoints.checkpointAll(privateKey)
      expect(run.written.map((c) => c.streamId).sort()).toEqual([ACME, "serviceAccountDirectory-globex"])
      expect(run.failed.map((f) => f._tag)).toEqual(["IntegrityBroken"])
      expect(run.upToDate).toBe(0)
      const again = yield* IntegrityCheckpoints.checkpointAll(privateKey)
      expect(again).toMatchObject({ written: [], upToDate: 2 })
    }).pipe(Effect.provide(services))
  )

  it.scoped("the layer checkpoints when it starts, then on its schedule", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "deploy-bot" })
      yield* Layer.build(
        IntegrityCheckpoints.layer({ privateKey: Redacted.make(privatePem), schedule: Schedule.spaced("1 hour") })
      )
      yield* TestClock.adjust("1 second")
      expect(yield* checkpointsOf("acme")).toEqual(["0"])
      yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
      yield* TestClock.adjust("30 minutes")
      expect(yield* checkpointsOf("acme")).toEqual(["0"])
      yield* TestClock.adjust("31 minutes")
      expect(yield* checkpointsOf("acme")).toEqual(["0", "1"])
    }).pipe(Effect.provide(services))
  )

  it.scoped("layerConfig reads the private key (redacted) and the interval from configuration", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      yield* service.create(acme, { name: "deploy-bot" })
      const config = ConfigProvider.fromMap(
        new Map([
          ["SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY", privatePem],
          ["SERVICE_ACCOUNTS_INTEGRITY_INTERVAL", "10 minutes"]
        ])
      )
      const context = yield* Layer.build(IntegrityCheckpoints.layerConfig()).pipe(Effect.withConfigProvider(config))
      yield* TestClock.adjust("1 second")
      expect(yield* checkpointsOf("acme")).toEqual(["0"])
      yield* service.create(acme, { name: "second" })
      const checkpointer = Context.get(context, IntegrityCheckpoints.IntegrityCheckpointer)
      expect(yield* checkpointer.checkpoint(ACME)).toEqual(Option.some(expect.objectContaining({ revision: "1" })))
      const wrong = ConfigProvider.fromMap(new Map([["SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY", "not a key"]]))
      const exit = yield* Effect.exit(
        Layer.build(IntegrityCheckpoints.layerConfig()).pipe(Effect.withConfigProvider(wrong))
      )
      expect(Exit.isFailure(exit) && String(exit.cause)).toContain("InvalidSigningKey")
      expect(String(exit)).not.toContain("not a key")
    }).pipe(Effect.provide(services))
  )

  it("accepts only an Ed25519 private key", () => {
    expect(Either.isRight(IntegrityCheckpoints.signingKey(Redacted.make(privatePem)))).toBe(true)
    expect(Either.isLeft(IntegrityCheckpoints.signingKey(publicKey))).toBe(true)
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey
    const refused = IntegrityCheckpoints.signingKey(rsa)
    expect(Either.isLeft(refused) && refused.left.message).toBe(
      "the integrity signing key cannot be used: it must be an Ed25519 private key"
    )
  })
})
