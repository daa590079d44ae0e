/**
 * `Streams.BatchAppend` (bidirectional): one long-lived call carries every append of a client.
 * Requests of one append share a `correlation_id`; only the first has `options`; the last has
 * `is_final`. Each response echoes the correlation id, always names the stream, and is either a
 * success or a `google.rpc.Status` whose details pack the error (`Streams.BatchAppend.cs`).
 *
 * @internal
 */
import type { CallHeaders, ServerContext } from "./context.js"
import {
  badRequestStatus,
  maximumAppendSizeExceededStatus,
  streamDeletedStatus,
  timeoutStatus,
  unavailableError,
  wrongExpectedVersionStatus
} from "./errors.js"
import { emptyPb, type SharedPb, type StreamsPb, sharedPb, streamsPb } from "./generated.js"
import { parseProposal, sizeOnDisk } from "./proposed.js"
import { type ResponseSink, ResponseWriter } from "./responseWriter.js"
import type { ExpectedRevision, ProposedEvent, WriteResult } from "./types.js"
import { expectedRevisionOf, streamIdentifier, streamNameOf, uuidText } from "./wire.js"

/** What the handler needs of grpc-js's duplex call (so a test can drive it with any duplex stream). */
export interface BatchAppendCall extends ResponseSink<StreamsPb.BatchAppendResp>, CallHeaders {
  on(event: "data", listener: (request: StreamsPb.BatchAppendReq) => void): unknown
  on(event: "end" | "error" | "cancelled" | "close" | "drain", listener: () => void): unknown
  pause(): unknown
  resume(): unknown
}

interface PendingWrite {
  readonly streamName: string
  readonly expected: ExpectedRevision
  readonly events: Array<ProposedEvent>
  size: number
}

const expectedOf = (options: StreamsPb.BatchAppendReq.Options): ExpectedRevision | undefined =>
  expectedRevisionOf({
    hasRevision: () => options.hasStreamPosition(),
    getRevision: () => options.getStreamPosition(),
    hasNoStream: () => options.hasNoStream(),
    hasAny: () => options.hasAny(),
    hasStreamExists: () => options.hasStreamExists()
  })

const success = (lastRevision: bigint, position: bigint | undefined): StreamsPb.BatchAppendResp.Success => {
  const result = new streamsPb.BatchAppendResp.Success()
  if (lastRevision < 0n) result.setNoStream(new emptyPb.Empty())
  else result.setCurrentRevision(lastRevision.toString())
  if (position === undefined) result.setNoPosition(new emptyPb.Empty())
  else {
    const at = position.toString()
    result.setPosition(new sharedPb.AllStreamPosition().setCommitPosition(at).setPreparePosition(at))
  }
  return result
}

export const handleBatchAppend =
  (context: ServerContext) =>
  (call: BatchAppendCall): void => {
    context.called("Streams.BatchAppend", call)
    const writer = new ResponseWriter(call)
    const untrack = context.track({
      kind: "batchAppend",
      terminate: (reason) =>
        reason === "end" ? writer.end() : writer.fail(unavailableError("Server is shutting down."))
    })
    writer.onClose(untrack)
    const pending = new Map<string, PendingWrite>()
    let paused = false

    const respond = (
      correlationId: SharedPb.UUID | undefined,
      streamName: string,
      fill: (response: StreamsPb.BatchAppendResp) => void
    ): void => {
      const response = new streamsPb.BatchAppendResp().setStreamIdentifier(streamIdentifier(streamName))
      if (correlationId !== undefined) response.setCorrelationId(correlationId)
      fill(response)
      void writer.write(response)
      if (writer.isBlocked && !paused) {
        // The client is not reading its responses: stop reading its requests until it does, so the responses wait
        // in the writer's queue a few at a time instead of growing with every append the client sends meanwhile.
        paused = true
        call.pause()
        void writer.whenWritable().then((open) => {
          paused = false
          if (open) call.resume()
        })
      }
    }

    const complete = (correlationId: SharedPb.UUID | undefined, write: PendingWrite, result: WriteResult): void =>
      respond(correlationId, write.streamName, (response) => {
        switch (result._tag) {
          case "Written":
            response.setSuccess(success(result.lastRevision, result.position))
            return
          case "WrongExpectedVersion":
            response.setError(wrongExpectedVersionStatus(result.currentRevision, write.expected))
            return
          case "StreamDeleted":
            response.setError(streamDeletedStatus(write.streamName))
            return
        }
      })

    const onData = (request: StreamsPb.BatchAppendReq): void => {
      const correlationId = request.getCorrelationId()
      const key = uuidText(correlationId) ?? ""
      const options = request.getOptions()
      if (options !== undefined) {
        const streamName = streamNameOf(options.getStreamIdentifier())
        if (streamName === undefined) {
          respond(correlationId, "", (r) => r.setError(badRequestStatus("Required field StreamIdentifier not set.")))
          return
        }
        const deadline = options.getDeadline()
        if (deadline !== undefined && deadline.toDate().getTime() <= Date.now()) {
          respond(correlationId, streamName, (r) => r.setError(timeoutStatus()))
          return
        }
        const expected = expectedOf(options)
        if (expected === undefined) {
          respond(correlationId, streamName, (r) =>
            r.setError(badRequestStatus("An expected stream position is required."))
          )
          return
        }
        if (!pending.has(key)) pending.set(key, { streamName, expected, events: [], size: 0 })
      }

      const write = pending.get(key)
      if (write === undefined) return
      for (const message of request.getProposedMessagesList()) {
        const parsed = parseProposal(message)
        if (parsed._tag !== "Event") {
          pending.delete(key)
          const missing = parsed._tag === "MissingId" ? "id" : parsed.property
          respond(correlationId, write.streamName, (r) =>
            r.setError(badRequestStatus(`The given key '${missing}' was not present in the dictionary.`))
          )
          return
        }
        write.events.push(parsed.event)
        write.size += sizeOnDisk(parsed.event)
      }
      if (write.size > context.maxAppendSize) {
        pending.delete(key)
        respond(correlationId, write.streamName, (r) =>
          r.setError(maximumAppendSizeExceededStatus(context.maxAppendSize))
        )
        return
      }
      if (!request.getIsFinal()) return
      pending.delete(key)
      complete(correlationId, write, context.store.append(write.streamName, write.expected, write.events))
    }

    call.on("data", (request: StreamsPb.BatchAppendReq) => {
      try {
        onData(request)
      } catch (cause) {
        // As the server does: whatever went wrong with a request is answered as a bad request.
        const correlationId = request.getCorrelationId()
        pending.delete(uuidText(correlationId) ?? "")
        const streamName = streamNameOf(request.getOptions()?.getStreamIdentifier()) ?? ""
        respond(correlationId, streamName, (r) =>
          r.setError(badRequestStatus(cause instanceof Error ? cause.message : String(cause)))
        )
      }
    })

    call.on("end", () => writer.end())
    call.on("error", () => pending.clear())
  }
