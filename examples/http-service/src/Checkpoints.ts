/**
 * Signs an integrity checkpoint of every directory when the server starts and then periodically, as a server should
 * (docs/auditing.md): with the Ed25519 private key from `SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY` (PEM, read
 * redacted), or, when it is not set, with a key made for this run, whose public key is printed for the auditor.
 * `SERVICE_ACCOUNTS_INTEGRITY_INTERVAL` (default `1 hour`) sets how often.
 */
import { generateKeyPairSync } from "node:crypto"
import { type EventStore, IntegrityCheckpoints } from "@service-accounts/domain"
import { Config, type ConfigError, Duration, Effect, type Layer, Option, Schedule } from "effect"

/** The checkpointer's layer, and lines saying how it signs. */
export interface ChosenCheckpointer {
  readonly layer: Layer.Layer<
    IntegrityCheckpoints.IntegrityCheckpointer,
    IntegrityCheckpoints.InvalidSigningKey,
    EventStore
  >
  readonly description: string
}

/** Reads the key and the interval from configuration. */
export const fromConfig: Effect.Effect<ChosenCheckpointer, ConfigError.ConfigError> = Effect.gen(function* () {
  const configured = yield* Config.option(Config.redacted("SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY"))
  const interval = yield* Config.duration("SERVICE_ACCOUNTS_INTEGRITY_INTERVAL").pipe(
    Config.withDefault(Duration.hours(1))
  )
  const schedule = Schedule.spaced(interval)
  const every = Duration.format(interval)
  if (Option.isSome(configured)) {
    return {
      layer: IntegrityCheckpoints.layer({ privateKey: configured.value, schedule }),
      description: `signed every ${every} with the key of SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY`
    }
  }
  const { privateKey, publicKey } = generateKeyPairSync("ed25519")
  return {
    layer: IntegrityCheckpoints.layer({ privateKey, schedule }),
    description: `signed every ${every} with a key made for this run; its public key, for auditors:\n${String(
      publicKey.export({ type: "spki", format: "pem" })
    ).trim()}`
  }
})
