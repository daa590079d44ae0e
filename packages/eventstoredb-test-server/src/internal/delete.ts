/**
 * `Streams.Delete` (soft delete) and `Streams.Tombstone` (hard delete), unary. A wrong expected
 * version is FAILED_PRECONDITION with the `wrong-expected-version` trailers, carrying the server's
 * internal longs (any -2, no stream -1, stream exists -4; actual -1 for no stream).
 *
 * @internal
 */
import type { RpcMethod, ServerContext } from "./context.js"
import { invalidArgumentError, streamDeletedError, wrongExpectedVersionError } from "./errors.js"
import { type Grpc, type StreamsPb, streamsPb } from "./generated.js"
import { type DeleteResult, ExpectedRevision } from "./types.js"
import { type ExpectedRevisionOptions, expectedRevisionOf, streamNameOf } from "./wire.js"

interface DeleteOptionsLike extends ExpectedRevisionOptions {
  getStreamIdentifier(): Parameters<typeof streamNameOf>[0]
}

type Outcome = { readonly error: Grpc.ServiceError } | { readonly position: bigint }

const run = (
  options: DeleteOptionsLike | undefined,
  operation: (streamName: string, expected: ExpectedRevision) => DeleteResult
): Outcome => {
  const streamName = streamNameOf(options?.getStreamIdentifier())
  const expected = options === undefined ? undefined : expectedRevisionOf(options)
  if (streamName === undefined || expected === undefined) {
    return { error: invalidArgumentError("A delete needs the stream and an expected revision.") }
  }
  const result = operation(streamName, expected)
  switch (result._tag) {
    case "Deleted":
      return { position: result.position }
    case "StreamDeleted":
      return { error: streamDeletedError(streamName) }
    case "WrongExpectedVersion":
      return {
        error: wrongExpectedVersionError(
          "Delete",
          streamName,
          ExpectedRevision.toLong(expected),
          result.currentRevision
        )
      }
  }
}

/** A unary delete handler: runs the operation, answers with its position or the mapped error. */
const handler =
  <Req extends { getOptions(): DeleteOptionsLike | undefined }, Resp>(
    context: ServerContext,
    method: RpcMethod,
    operation: (streamName: string, expected: ExpectedRevision) => DeleteResult,
    response: (commitPosition: string) => Resp
  ) =>
  (call: Grpc.ServerUnaryCall<Req, Resp>, callback: Grpc.sendUnaryData<Resp>): void => {
    context.called(method, call)
    const outcome = run(call.request.getOptions(), operation)
    if ("error" in outcome) {
      callback(outcome.error)
      return
    }
    callback(null, response(outcome.position.toString()))
  }

export const handleDelete = (context: ServerContext) =>
  handler<StreamsPb.DeleteReq, StreamsPb.DeleteResp>(
    context,
    "Streams.Delete",
    (stream, expected) => context.store.softDelete(stream, expected),
    (at) =>
      new streamsPb.DeleteResp().setPosition(
        new streamsPb.DeleteResp.Position().setCommitPosition(at).setPreparePosition(at)
      )
  )

export const handleTombstone = (context: ServerContext) =>
  handler<StreamsPb.TombstoneReq, StreamsPb.TombstoneResp>(
    context,
    "Streams.Tombstone",
    (stream, expected) => context.store.tombstone(stream, expected),
    (at) =>
      new streamsPb.TombstoneResp().setPosition(
        new streamsPb.TombstoneResp.Position().setCommitPosition(at).setPreparePosition(at)
      )
  )
