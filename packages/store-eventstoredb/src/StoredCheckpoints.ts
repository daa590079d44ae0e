/**
 * Checkpoints of projection runners kept in EventStoreDB, next to the events they count: the domain's `Checkpoints`
 * port, for runners whose state lives in a database and must resume where they stopped after a restart.
 *
 * Each runner has a stream `serviceAccountCheckpoint-<name>`; saving appends one event, loading reads the latest
 * back. The stream keeps only the last few (`$maxCount`), so the server can scavenge the rest. The events are typed
 * `$ServiceAccountsCheckpoint`: a `$` type is a system event to every reader of the whole store (this adapter's
 * `readAll` and `subscribeToAll` skip them, and subscriptions ask the server to filter them out), so a runner never
 * sees its own checkpoints, which would otherwise make every save produce an event to checkpoint again. The
 * KurrentDB adapter keeps them the same way, in the same streams.
 *
 * @since 0.1.0
 */
import type { EventStoreDBClient } from "@eventstore/db-client"
import { Checkpoints, type CheckpointStoreShape } from "@service-accounts/domain"
import * as Core from "@service-accounts/eventstoredb-core"
import { Effect, Layer } from "effect"
import { EventStoreDBConnection } from "./EventStoreDBStore.js"
import { streamsClient } from "./internal/client.js"

/**
 * The stream category of checkpoints.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKPOINT_CATEGORY = Core.CHECKPOINT_CATEGORY

/**
 * The event type of a checkpoint: `$`-prefixed, so readers of the whole store treat it as a system event.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKPOINT_EVENT_TYPE = Core.CHECKPOINT_EVENT_TYPE

/**
 * The stream that holds a runner's checkpoints.
 *
 * @since 0.1.0
 * @category streams
 */
export const checkpointStream: (name: string) => string = Core.checkpointStream

/**
 * Checkpoints kept in the database the client is connected to.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCheckpoints = (client: EventStoreDBClient): CheckpointStoreShape =>
  Core.makeCheckpoints(streamsClient(client))

/**
 * Provides the domain's `Checkpoints` from the database of `EventStoreDBConnection` (which the adapter's `layer`
 * provides).
 *
 * @example
 * ```ts
 * import { ProjectionRunner } from "@service-accounts/domain"
 * import { layer, layerCheckpoints } from "@service-accounts/store-eventstoredb"
 * import { Effect, Layer } from "effect"
 *
 * const store = layer({ connectionString: "esdb://localhost:2113?tls=false" })
 * const runner = ProjectionRunner.runWithCheckpoints("audit-export", (event) => Effect.log(event.event._tag))
 * const running = Effect.provide(runner, Layer.provideMerge(layerCheckpoints, store))
 * ```
 *
 * @since 0.1.0
 * @category layers
 */
export const layerCheckpoints: Layer.Layer<Checkpoints, never, EventStoreDBConnection> = Layer.effect(
  Checkpoints,
  Effect.map(EventStoreDBConnection, ({ client }) => makeCheckpoints(client))
)
