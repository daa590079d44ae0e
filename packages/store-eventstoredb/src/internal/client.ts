import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  type EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  convertToCommandError,
  excludeSystemEvents,
  isCommandError,
  streamNameFilter
} from "@eventstore/db-client"
import { type ClientError, readableRead, type StreamsClient } from "@service-accounts/eventstoredb-core"

/**
 * The client's error for anything thrown: the client throws its own errors, except on a few paths (the lookup of
 * the server's features before the first append, for one) where a raw gRPC error comes through.
 */
const commandError = (error: unknown): ClientError | undefined => {
  if (!(error instanceof Error)) return undefined
  const converted = convertToCommandError(error)
  if (!isCommandError(converted)) return undefined
  switch (converted.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return { type: converted.type, message: converted.message, actualVersion: converted.actualVersion }
    case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
      return { type: converted.type, message: converted.message, maxAppendSize: converted.maxAppendSize }
    default:
      return { type: converted.type, message: converted.message }
  }
}

const direction = (to: "forwards" | "backwards") => (to === "forwards" ? FORWARDS : BACKWARDS)
const point = <A>(from: "start" | "end" | A) => (from === "start" ? START : from === "end" ? END : from)
const count = (maxCount: number | undefined) => (maxCount === undefined ? {} : { maxCount })

/**
 * The port's calls through `@eventstore/db-client` 6: reads and subscriptions are its Node streams, expectations
 * its `expectedRevision` option.
 */
export const streamsClient = (client: EventStoreDBClient): StreamsClient => ({
  readStream: (streamId, from, to, maxCount) =>
    readableRead(() =>
      client.readStream(streamId, { fromRevision: point(from), direction: direction(to), ...count(maxCount) })
    ),
  readAll: (from, to, maxCount) =>
    readableRead(() => client.readAll({ fromPosition: point(from), direction: direction(to), ...count(maxCount) })),
  subscribeToStream: (streamId, after) => client.subscribeToStream(streamId, { fromRevision: after ?? START }),
  subscribeToAll: (after, filter) =>
    client.subscribeToAll({
      fromPosition: after ?? START,
      filter:
        filter._tag === "ExcludeSystemEvents"
          ? excludeSystemEvents()
          : streamNameFilter({ prefixes: [...filter.prefixes] })
    }),
  append: (streamId, events, expected) =>
    client.appendToStream(streamId, [...events], {
      expectedRevision:
        expected === "any"
          ? ANY
          : expected === "no_stream"
            ? NO_STREAM
            : expected === "stream_exists"
              ? STREAM_EXISTS
              : expected
    }),
  tombstone: (streamId, expected) =>
    client.tombstoneStream(streamId, {
      expectedRevision: expected === "any" ? ANY : expected === "no_stream" ? NO_STREAM : expected
    }),
  setMaxCount: (streamId, maxCount) => client.setStreamMetadata(streamId, { maxCount }),
  commandError
})
