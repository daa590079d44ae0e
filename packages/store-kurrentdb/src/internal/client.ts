import {
  ANY,
  BACKWARDS,
  END,
  ErrorType,
  FORWARDS,
  type KurrentDBClient,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  convertToCommandError,
  excludeSystemEvents,
  isCommandError,
  streamNameFilter
} from "@kurrent/kurrentdb-client"
import type { ClientError, StreamsClient } from "@service-accounts/eventstoredb-core"
import { bridgeRead } from "./bridgeRead.js"

/**
 * The client's error for anything thrown. Reads come back from the native bridge already converted to the client's
 * errors (`StreamNotFoundError`, `UnavailableError`, … or `UnknownError` for what it does not recognise); the gRPC
 * calls' errors are converted by the client, except on a few paths where a raw gRPC error comes through.
 */
const commandError = (error: unknown): ClientError | undefined => {
  if (!(error instanceof Error)) return undefined
  const converted = isCommandError(error) ? error : convertToCommandError(error)
  if (!isCommandError(converted)) return undefined
  switch (converted.type) {
    case ErrorType.WRONG_EXPECTED_VERSION:
      return { type: converted.type, message: converted.message, actualVersion: converted.actualState }
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
 * The port's calls through `@kurrent/kurrentdb-client` 1: reads go through its native bridge (async iterators),
 * subscriptions and writes through grpc-js (subscriptions are Node streams), expectations are its `streamState`.
 */
export const streamsClient = (client: KurrentDBClient): StreamsClient => ({
  readStream: (streamId, from, to, maxCount) =>
    bridgeRead(() =>
      client.readStream(streamId, { fromRevision: point(from), direction: direction(to), ...count(maxCount) })
    ),
  readAll: (from, to, maxCount) =>
    bridgeRead(() => client.readAll({ fromPosition: point(from), direction: direction(to), ...count(maxCount) })),
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
      streamState:
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
