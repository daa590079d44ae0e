import {
  type AppendError,
  type AppendResult,
  EventStoreUnavailable,
  type EventStoreShape,
  type ExpectedRevision,
  type ProposedEvent,
  conflict,
  satisfies
} from "@service-accounts/domain"
import { Effect, Option, Stream } from "effect"
import type { JsonEventData, StreamsClient } from "./client.js"
import { failures } from "./errors.js"
import { jsonPayload } from "./json.js"
import { readStream, streamHead } from "./read.js"
import type { Writes } from "./writes.js"

/**
 * The event as the client sends it: its id (the server deduplicates by it), its type, and data and metadata as JSON
 * (`application/json`).
 */
const eventData = (event: ProposedEvent): JsonEventData => ({
  id: event.eventId,
  contentType: "application/json",
  type: event.type,
  data: jsonPayload(event.data),
  metadata: jsonPayload(event.metadata)
})

/**
 * What the port answers without writing anything: an empty append, or an expectation the server cannot be sent (a
 * negative revision). It checks the expectation against the stream's last event, as an append would.
 */
const withoutWriting = (
  client: StreamsClient,
  streamId: string,
  expected: ExpectedRevision
): Effect.Effect<AppendResult, AppendError> =>
  Effect.flatMap(streamHead(client, streamId), (head) => {
    const current = head === undefined ? "no_stream" : head.revision
    if (!satisfies(expected, current)) {
      return Effect.fail(conflict(streamId, expected, current))
    }
    return Effect.succeed({ nextExpectedRevision: head?.revision ?? -1n, position: head?.position ?? -1n })
  })

/**
 * The position of the event at a revision, for a successful append the server answered without a position (as
 * servers may for a re-sent, deduplicated append). The events are written, so a failure here is an unknown outcome.
 */
const positionAt = (
  client: StreamsClient,
  streamId: string,
  revision: bigint
): Effect.Effect<bigint, EventStoreUnavailable> =>
  readStream(client)(streamId, { from: revision, maxCount: 1 }).pipe(
    Stream.runHead,
    Effect.mapError((error) => error.message),
    Effect.flatMap(
      Option.match({
        onNone: () => Effect.fail(`${streamId}@${revision} was not found after the append`),
        onSome: (event) => Effect.succeed(event.position)
      })
    ),
    Effect.mapError(
      (reason) =>
        new EventStoreUnavailable({
          operation: "append",
          reason: `the append succeeded but its position could not be read: ${reason}`,
          retryable: true,
          unknownOutcome: true
        })
    )
  )

/** The port's `append`, each call counted in `writes` while in flight. */
export const append = (client: StreamsClient, writes: Writes): EventStoreShape["append"] => {
  const { writeError } = failures(client.commandError)
  return (streamId, events, expected) => {
    if (events.length === 0 || (typeof expected === "bigint" && expected < 0n)) {
      return withoutWriting(client, streamId, expected)
    }
    return Effect.tryPromise({
      try: () => writes.track(() => client.append(streamId, events.map(eventData), expected)),
      catch: (error) => writeError("append", streamId, expected, error)
    }).pipe(
      Effect.flatMap((result): Effect.Effect<AppendResult, AppendError> => {
        // A client made with `throwOnAppendFailure: false` answers a wrong expected version this way.
        if (!result.success) {
          const actual = result.nextExpectedRevision < 0n ? "no_stream" : result.nextExpectedRevision
          return Effect.fail(conflict(streamId, expected, actual))
        }
        const nextExpectedRevision = result.nextExpectedRevision
        return result.position === undefined
          ? Effect.map(positionAt(client, streamId, nextExpectedRevision), (position) => ({
              nextExpectedRevision,
              position
            }))
          : Effect.succeed({ nextExpectedRevision, position: result.position.commit })
      })
    )
  }
}

/**
 * The port's `tombstone`. The client's types do not offer `stream_exists` for a tombstone, so that expectation is
 * checked by reading the stream's last event first; the tombstone then expects `any`.
 */
export const tombstone = (client: StreamsClient): EventStoreShape["tombstone"] => {
  const { writeError } = failures(client.commandError)
  return (streamId, expected) => {
    const send = (revision: "any" | "no_stream" | bigint) =>
      Effect.tryPromise({
        try: () => client.tombstone(streamId, revision),
        catch: (error) => writeError("tombstone", streamId, expected, error)
      }).pipe(Effect.asVoid)
    if (expected === "stream_exists" || (typeof expected === "bigint" && expected < 0n)) {
      return Effect.zipRight(withoutWriting(client, streamId, expected), send("any"))
    }
    return send(expected)
  }
}
