/**
 * Which event store the example runs on: EventStoreDB when `EVENTSTORE_CONNECTION_STRING` is set, the in-memory
 * store (everything is gone when the process stops) otherwise.
 */
import type { EventStore } from "@service-accounts/domain"
import { layer as eventStoreDB, type InvalidConnectionString } from "@service-accounts/store-eventstoredb"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Config, type ConfigError, Effect, type Layer, Option } from "effect"

/** A store layer and a line saying which one it is (never the connection string: it may hold a password). */
export interface ChosenStore {
  readonly layer: Layer.Layer<EventStore, InvalidConnectionString>
  readonly description: string
}

/** Reads `EVENTSTORE_CONNECTION_STRING` (redacted) and picks the store. */
export const fromConfig: Effect.Effect<ChosenStore, ConfigError.ConfigError> = Effect.map(
  Config.option(Config.redacted("EVENTSTORE_CONNECTION_STRING")),
  Option.match({
    onNone: () => ({
      layer: memoryStore,
      description: "in memory (everything is gone when the process stops)"
    }),
    onSome: (connectionString) => ({
      layer: eventStoreDB({ connectionString }),
      description: "EventStoreDB (from EVENTSTORE_CONNECTION_STRING)"
    })
  })
)
