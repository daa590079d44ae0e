/**
 * `Streams.Append` (client streaming): the options message, then one proposed message per event.
 * A wrong expected version is a *successful* response carrying `wrong_expected_version`; a
 * tombstoned stream, a missing `type`/`content-type` and an oversized append are gRPC errors.
 *
 * @internal
 */
import type { ServerContext } from "./context.js"
import {
  internalError,
  invalidArgumentError,
  maxAppendSizeExceededError,
  requiredMetadataPropertyMissingError,
  streamDeletedError
} from "./errors.js"
import { type Grpc, type StreamsPb, sharedPb, streamsPb } from "./generated.js"
import { parseProposal, sizeOnDisk } from "./proposed.js"
import type { ExpectedRevision, ProposedEvent } from "./types.js"
import { expectedRevisionOf, streamNameOf } from "./wire.js"

type AppendCall = Grpc.ServerReadableStream<StreamsPb.AppendReq, StreamsPb.AppendResp>
type AppendCallback = Grpc.sendUnaryData<StreamsPb.AppendResp>

const successResponse = (lastRevision: bigint, position: bigint | undefined): StreamsPb.AppendResp => {
  const success = new streamsPb.AppendResp.Success()
  if (lastRevision < 0n) success.setNoStream(new sharedPb.Empty())
  else success.setCurrentRevision(lastRevision.toString())
  if (position === undefined) success.setNoPosition(new sharedPb.Empty())
  else {
    const at = position.toString()
    success.setPosition(new streamsPb.AppendResp.Position().setCommitPosition(at).setPreparePosition(at))
  }
  return new streamsPb.AppendResp().setSuccess(success)
}

/** Sets the current fields and, for older clients, the deprecated `_20_6_0` ones too. */
const wrongExpectedVersionResponse = (currentRevision: bigint, expected: ExpectedRevision): StreamsPb.AppendResp => {
  const wrong = new streamsPb.AppendResp.WrongExpectedVersion()
  if (currentRevision < 0n) {
    wrong.setCurrentNoStream(new sharedPb.Empty()).setNoStream2060(new sharedPb.Empty())
  } else {
    wrong.setCurrentRevision(currentRevision.toString()).setCurrentRevision2060(Number(currentRevision))
  }
  switch (expected._tag) {
    case "Exact":
      wrong.setExpectedRevision(expected.revision.toString()).setExpectedRevision2060(Number(expected.revision))
      break
    case "Any":
      wrong.setExpectedAny(new sharedPb.Empty()).setAny2060(new sharedPb.Empty())
      break
    case "StreamExists":
      wrong.setExpectedStreamExists(new sharedPb.Empty()).setStreamExists2060(new sharedPb.Empty())
      break
    case "NoStream":
      wrong.setExpectedNoStream(new sharedPb.Empty())
      break
  }
  return new streamsPb.AppendResp().setWrongExpectedVersion(wrong)
}

export const handleAppend =
  (context: ServerContext) =>
  (call: AppendCall, callback: AppendCallback): void => {
    context.called("Streams.Append", call)
    let header: { readonly streamName: string; readonly expected: ExpectedRevision } | undefined
    const events: Array<ProposedEvent> = []
    let size = 0
    let done = false

    const fail = (error: Grpc.ServiceError): void => {
      if (done) return
      done = true
      callback(error)
    }
    const succeed = (response: StreamsPb.AppendResp): void => {
      if (done) return
      done = true
      callback(null, response)
    }

    const onData = (request: StreamsPb.AppendReq): void => {
      if (header === undefined) {
        const options = request.getOptions()
        const streamName = streamNameOf(options?.getStreamIdentifier())
        const expected = options === undefined ? undefined : expectedRevisionOf(options)
        if (streamName === undefined || expected === undefined) {
          fail(invalidArgumentError("The first append message must carry the stream and expected revision."))
          return
        }
        header = { streamName, expected }
        return
      }
      const message = request.getProposedMessage()
      if (message === undefined) {
        fail(invalidArgumentError("Expected a proposed message."))
        return
      }
      const parsed = parseProposal(message)
      if (parsed._tag === "MissingMetadata") {
        fail(requiredMetadataPropertyMissingError(parsed.property))
        return
      }
      if (parsed._tag === "MissingId") {
        fail(invalidArgumentError("A proposed message needs an id."))
        return
      }
      size += sizeOnDisk(parsed.event)
      // Checked as each event arrives, so an oversized append fails before anything is written.
      if (size > context.maxAppendSize) {
        fail(maxAppendSizeExceededError(context.maxAppendSize))
        return
      }
      events.push(parsed.event)
    }

    const onEnd = (): void => {
      if (header === undefined) {
        fail(invalidArgumentError("An append needs its options message."))
        return
      }
      const result = context.store.append(header.streamName, header.expected, events)
      switch (result._tag) {
        case "Written":
          succeed(successResponse(result.lastRevision, result.position))
          return
        case "WrongExpectedVersion":
          succeed(wrongExpectedVersionResponse(result.currentRevision, header.expected))
          return
        case "StreamDeleted":
          fail(streamDeletedError(header.streamName))
          return
      }
    }

    call.on("data", (request: StreamsPb.AppendReq) => {
      if (done) return
      try {
        onData(request)
      } catch (cause) {
        fail(internalError(cause))
      }
    })
    call.on("end", () => {
      if (done) return
      try {
        onEnd()
      } catch (cause) {
        fail(internalError(cause))
      }
    })

    const abandon = () => {
      done = true
    }
    call.on("error", abandon)
    call.on("cancelled", abandon)
  }
