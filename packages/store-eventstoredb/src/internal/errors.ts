import { type CommandError, ErrorType, convertToCommandError, isCommandError } from "@eventstore/db-client"
import {
  type AppendError,
  type ExpectedRevision,
  EventStoreUnavailable,
  StreamDeleted,
  conflict
} from "@service-accounts/domain"

/** A short, single-line description of anything thrown, for the `reason` of an error. */
export const describe = (error: unknown): string => {
  const text = error instanceof Error ? error.message : typeof error === "string" ? error : String(error)
  return text.replace(/\s+/g, " ").trim().slice(0, 500) || "unknown error"
}

/** The revision the client reports, in the port's terms: the server says "no stream" with `no_stream` or `-1`. */
export const actualRevision = (actual: bigint | "no_stream"): bigint | "no_stream" =>
  actual === "no_stream" || actual < 0n ? "no_stream" : actual

/**
 * How a failure of the server or of the connection is classified: whether the same call may succeed later, and
 * whether a write may have happened although no answer came.
 */
interface Classification {
  readonly retryable: boolean
  readonly unknownOutcome: boolean
}

/**
 * The client's error for anything thrown: the client throws its own errors, except on a few paths (the lookup of
 * the server's features before the first append, for one) where a raw gRPC error comes through.
 */
const commandError = (error: unknown): CommandError | undefined => {
  if (!(error instanceof Error)) return undefined
  const converted = convertToCommandError(error)
  return isCommandError(converted) ? converted : undefined
}

/** grpc-js says so when a call failed before any connection carried it: nothing was sent. */
const neverSent = (error: CommandError): boolean => error.message.includes("No connection established")

const classify = (error: unknown): Classification => {
  const command = commandError(error)
  if (command !== undefined) {
    switch (command.type) {
      case ErrorType.UNAVAILABLE:
        return { retryable: true, unknownOutcome: !neverSent(command) }
      // Sent, but no answer came (or the call was cut): the server may have written it.
      case ErrorType.DEADLINE_EXCEEDED:
      case ErrorType.TIMEOUT:
      case ErrorType.CANCELLED:
      case ErrorType.UNKNOWN:
        return { retryable: true, unknownOutcome: true }
      // A follower refused the call: nothing was written, the client finds the leader on the next call.
      case ErrorType.NOT_LEADER:
        return { retryable: true, unknownOutcome: false }
      default:
        return { retryable: false, unknownOutcome: false }
    }
  }
  // Not an error of the server: a programming error or a broken client; nothing says what happened.
  return { retryable: false, unknownOutcome: true }
}

/** Whether a failure is one after which the same call may succeed: the server was unreachable, a leader changed… */
export const isTransient = (error: unknown): boolean => classify(error).retryable

/** Any failure as `EventStoreUnavailable`; `unknownOutcome` only where a write may have happened. */
export const unavailable = (operation: string, error: unknown, write: boolean): EventStoreUnavailable => {
  const { retryable, unknownOutcome } = classify(error)
  return new EventStoreUnavailable({
    operation,
    reason: describe(error),
    retryable,
    ...(write ? { unknownOutcome } : {})
  })
}

/** A failed append or tombstone in the port's terms. */
export const writeError = (
  operation: "append" | "tombstone",
  streamId: string,
  expected: ExpectedRevision,
  error: unknown
): AppendError => {
  const command = commandError(error)
  if (command !== undefined) {
    switch (command.type) {
      case ErrorType.WRONG_EXPECTED_VERSION:
        return conflict(streamId, expected, actualRevision(command.actualVersion))
      case ErrorType.STREAM_DELETED:
        return new StreamDeleted({ streamId })
      case ErrorType.MAXIMUM_APPEND_SIZE_EXCEEDED:
        return new EventStoreUnavailable({
          operation,
          reason: `the append is larger than the server's maximum append size (${command.maxAppendSize} bytes); nothing was written`,
          retryable: false,
          unknownOutcome: false
        })
    }
  }
  return unavailable(operation, error, true)
}

/** Whether a read failed because the stream does not exist (or was soft-deleted): the port reads that as empty. */
export const isStreamNotFound = (error: unknown): boolean => commandError(error)?.type === ErrorType.STREAM_NOT_FOUND

/** Whether a read failed because the stream was tombstoned. */
export const isStreamDeleted = (error: unknown): boolean => commandError(error)?.type === ErrorType.STREAM_DELETED
