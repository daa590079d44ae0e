import {
  type AppendError,
  type ExpectedRevision,
  EventStoreUnavailable,
  StreamDeleted,
  conflict
} from "@service-accounts/domain"
import type { ClientError } from "./client.js"

/** How a client recognises its own errors among anything thrown. */
export type Recognise = (error: unknown) => ClientError | undefined

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

/** grpc-js says so when a call failed before any connection carried it: nothing was sent. */
const neverSent = (error: ClientError): boolean => error.message.includes("No connection established")

const classify = (recognise: Recognise, error: unknown): Classification => {
  const command = recognise(error)
  if (command !== undefined) {
    switch (command.type) {
      case "unavailable":
        return { retryable: true, unknownOutcome: !neverSent(command) }
      // Sent, but no answer came (or the call was cut): the server may have written it.
      case "deadline-exceeded":
      case "timeout":
      case "cancelled":
      case "unknown":
        return { retryable: true, unknownOutcome: true }
      // A follower refused the call: nothing was written, the client finds the leader on the next call.
      case "not-leader":
        return { retryable: true, unknownOutcome: false }
      default:
        return { retryable: false, unknownOutcome: false }
    }
  }
  // Not an error of the server: a programming error or a broken client; nothing says what happened.
  return { retryable: false, unknownOutcome: true }
}

/** The port's view of one client's failures. */
export interface Failures {
  /** Whether a failure is one after which the same call may succeed: the server was unreachable, a leader changed… */
  readonly isTransient: (error: unknown) => boolean
  /** Any failure as `EventStoreUnavailable`; `unknownOutcome` only where a write may have happened. */
  readonly unavailable: (operation: string, error: unknown, write: boolean) => EventStoreUnavailable
  /** A failed append or tombstone in the port's terms. */
  readonly writeError: (
    operation: "append" | "tombstone",
    streamId: string,
    expected: ExpectedRevision,
    error: unknown
  ) => AppendError
  /** Whether a read failed because the stream does not exist (or was soft-deleted): the port reads that as empty. */
  readonly isStreamNotFound: (error: unknown) => boolean
  /** Whether a read failed because the stream was tombstoned. */
  readonly isStreamDeleted: (error: unknown) => boolean
}

/** The port's view of the failures of the client that `recognise` knows the errors of. */
export const failures = (recognise: Recognise): Failures => {
  const unavailable = (operation: string, error: unknown, write: boolean): EventStoreUnavailable => {
    const { retryable, unknownOutcome } = classify(recognise, error)
    return new EventStoreUnavailable({
      operation,
      reason: describe(error),
      retryable,
      ...(write ? { unknownOutcome } : {})
    })
  }
  return {
    isTransient: (error) => classify(recognise, error).retryable,
    unavailable,
    writeError: (operation, streamId, expected, error) => {
      const command = recognise(error)
      switch (command?.type) {
        case "wrong-expected-version":
          return conflict(streamId, expected, actualRevision(command.actualVersion ?? "no_stream"))
        case "stream-deleted":
          return new StreamDeleted({ streamId })
        case "maximum-append-size-exceeded":
          return new EventStoreUnavailable({
            operation,
            reason: `the append is larger than the server's maximum append size (${command.maxAppendSize} bytes); nothing was written`,
            retryable: false,
            unknownOutcome: false
          })
      }
      return unavailable(operation, error, true)
    },
    isStreamNotFound: (error) => recognise(error)?.type === "stream-not-found",
    isStreamDeleted: (error) => recognise(error)?.type === "stream-deleted"
  }
}
