/**
 * The gRPC errors the server raises, with the status codes, messages and trailers of EventStoreDB's
 * `RpcExceptions`, and the `google.rpc.Status` values `BatchAppend` answers with (`Status.cs`).
 *
 * @internal
 */
import type { Grpc, StatusPb } from "./generated.js"
import { anyPb, codePb, emptyPb, grpc, sharedPb, statusPb } from "./generated.js"
import type { ExpectedRevision } from "./types.js"
import { streamIdentifier } from "./wire.js"

/** Metadata values must be printable ASCII; anything else (a Unicode stream name) is percent-encoded. */
const headerValue = (value: string): string => (/^[ -~]*$/.test(value) ? value : encodeURIComponent(value))

export const rpcError = (
  code: Grpc.status,
  details: string,
  trailers: Readonly<Record<string, string>> = {}
): Grpc.ServiceError => {
  const metadata = new grpc.Metadata()
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, headerValue(value))
  return Object.assign(new Error(`${code} ${grpc.status[code]}: ${details}`), { code, details, metadata })
}

export const streamDeletedError = (streamName: string): Grpc.ServiceError =>
  rpcError(grpc.status.FAILED_PRECONDITION, `Event stream '${streamName}' is deleted.`, {
    exception: "stream-deleted",
    "stream-name": streamName
  })

export const wrongExpectedVersionError = (
  operation: string,
  streamName: string,
  expectedVersion: bigint,
  actualVersion: bigint
): Grpc.ServiceError =>
  rpcError(
    grpc.status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${streamName}, Expected version: ${expectedVersion}, Actual version: ${actualVersion}`,
    {
      exception: "wrong-expected-version",
      "stream-name": streamName,
      "expected-version": expectedVersion.toString(),
      "actual-version": actualVersion.toString()
    }
  )

export const maxAppendSizeExceededError = (maxAppendSize: number): Grpc.ServiceError =>
  rpcError(grpc.status.INVALID_ARGUMENT, `Maximum Append Size of ${maxAppendSize} Exceeded.`, {
    exception: "maximum-append-size-exceeded",
    "maximum-append-size": maxAppendSize.toString()
  })

export const requiredMetadataPropertyMissingError = (property: string): Grpc.ServiceError =>
  rpcError(grpc.status.INVALID_ARGUMENT, `Required Metadata Property '${property}' is missing`, {
    exception: "missing-required-metadata-property",
    "required-metadata-properties": "type,content-type"
  })

export const internalError = (cause: unknown): Grpc.ServiceError =>
  rpcError(grpc.status.INTERNAL, cause instanceof Error ? cause.message : String(cause))

export const unavailableError = (details: string): Grpc.ServiceError => rpcError(grpc.status.UNAVAILABLE, details)

export const invalidArgumentError = (details: string): Grpc.ServiceError =>
  rpcError(grpc.status.INVALID_ARGUMENT, details)

const status = (code: number, message: string, type: string, details: Uint8Array): StatusPb.Status => {
  const packed = new anyPb.Any()
  packed.pack(details, type)
  return new statusPb.Status().setCode(code).setMessage(message).setDetails(packed)
}

/** `WrongExpectedVersion` for `BatchAppend`: code ALREADY_EXISTS, details `event_store.client.WrongExpectedVersion`. */
export const wrongExpectedVersionStatus = (currentRevision: bigint, expected: ExpectedRevision): StatusPb.Status => {
  const details = new sharedPb.WrongExpectedVersion()
  if (currentRevision < 0n) details.setCurrentNoStream(new emptyPb.Empty())
  else details.setCurrentStreamRevision(currentRevision.toString())
  switch (expected._tag) {
    case "Exact":
      details.setExpectedStreamPosition(expected.revision.toString())
      break
    case "Any":
      details.setExpectedAny(new emptyPb.Empty())
      break
    case "NoStream":
      details.setExpectedNoStream(new emptyPb.Empty())
      break
    case "StreamExists":
      details.setExpectedStreamExists(new emptyPb.Empty())
      break
  }
  return status(
    codePb.Code.ALREADY_EXISTS,
    "WrongExpectedVersion",
    "event_store.client.WrongExpectedVersion",
    details.serializeBinary()
  )
}

export const streamDeletedStatus = (streamName: string): StatusPb.Status =>
  status(
    codePb.Code.NOT_FOUND,
    "StreamDeleted",
    "event_store.client.StreamDeleted",
    new sharedPb.StreamDeleted().setStreamIdentifier(streamIdentifier(streamName)).serializeBinary()
  )

export const maximumAppendSizeExceededStatus = (maxAppendSize: number): StatusPb.Status =>
  status(
    codePb.Code.INVALID_ARGUMENT,
    "MaximumAppendSizeExceeded",
    "event_store.client.MaximumAppendSizeExceeded",
    new sharedPb.MaximumAppendSizeExceeded().setMaxappendsize(maxAppendSize).serializeBinary()
  )

export const badRequestStatus = (message: string): StatusPb.Status =>
  status(
    codePb.Code.INVALID_ARGUMENT,
    "BadRequest",
    "event_store.client.BadRequest",
    new sharedPb.BadRequest().setMessage(message).serializeBinary()
  )

export const timeoutStatus = (): StatusPb.Status =>
  status(
    codePb.Code.DEADLINE_EXCEEDED,
    "Timeout",
    "event_store.client.Timeout",
    new sharedPb.Timeout().serializeBinary()
  )
