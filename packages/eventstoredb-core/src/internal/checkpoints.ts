/**
 * Checkpoints of projection runners kept in the database, next to the events they count: the domain's `Checkpoints`
 * port, for runners whose state lives in a database and must resume where they stopped after a restart.
 *
 * Each runner has a stream `serviceAccountCheckpoint-<name>`; saving appends one event, loading reads the latest
 * back. The stream keeps only the last few (`$maxCount`), so the server can scavenge the rest. The events are typed
 * `$ServiceAccountsCheckpoint`: a `$` type is a system event to every reader of the whole store (the adapters'
 * `readAll` and `subscribeToAll` skip them, and subscriptions ask the server to filter them out), so a runner never
 * sees its own checkpoints, which would otherwise make every save produce an event to checkpoint again.
 */
import { type CheckpointStoreShape, CorruptStoredEvent, StreamDeleted } from "@service-accounts/domain"
import { Effect, Option, Stream } from "effect"
import type { StreamsClient } from "./client.js"
import { failures } from "./errors.js"
import { jsonPayload } from "./json.js"
import { readStream } from "./read.js"

/**
 * The stream category of checkpoints.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKPOINT_CATEGORY = "serviceAccountCheckpoint"

/**
 * The event type of a checkpoint: `$`-prefixed, so readers of the whole store treat it as a system event.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKPOINT_EVENT_TYPE = "$ServiceAccountsCheckpoint"

/** How many checkpoints a stream keeps. */
const KEEP = 5

/**
 * The stream that holds a runner's checkpoints.
 *
 * @since 0.1.0
 * @category streams
 */
export const checkpointStream = (name: string): string => `${CHECKPOINT_CATEGORY}-${name}`

const positionFrom = (data: unknown): bigint | undefined => {
  if (typeof data !== "object" || data === null || !("position" in data)) return undefined
  const position = data.position
  return typeof position === "string" && /^\d+$/.test(position) ? BigInt(position) : undefined
}

/**
 * Checkpoints kept in the database the client is connected to.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeCheckpoints = (client: StreamsClient): CheckpointStoreShape => ({
  load: (name) => {
    const streamId = checkpointStream(name)
    return readStream(client)(streamId, { direction: "backwards", maxCount: 1 }).pipe(
      Stream.runHead,
      Effect.flatMap(
        Option.match({
          onNone: () => Effect.succeed(Option.none()),
          onSome: (event) => {
            const position = positionFrom(event.data)
            return position === undefined
              ? Effect.fail(
                  new CorruptStoredEvent({
                    streamId,
                    revision: event.revision,
                    position: event.position,
                    reason: 'a checkpoint holds {"position": "<decimal position>"} as JSON'
                  })
                )
              : Effect.succeed(Option.some(position))
          }
        })
      )
    )
  },
  save: (name, position) => {
    const streamId = checkpointStream(name)
    return Effect.tryPromise({
      try: async () => {
        const event = {
          id: crypto.randomUUID(),
          contentType: "application/json",
          type: CHECKPOINT_EVENT_TYPE,
          data: jsonPayload({ position: position.toString(10) }),
          metadata: jsonPayload({})
        } as const
        const result = await client.append(streamId, [event], "any")
        if (result.nextExpectedRevision === 0n) {
          await client.setMaxCount(streamId, KEEP)
        }
      },
      catch: (error) => {
        const { isStreamDeleted, unavailable } = failures(client.commandError)
        return isStreamDeleted(error) ? new StreamDeleted({ streamId }) : unavailable("append", error, true)
      }
    })
  }
})
