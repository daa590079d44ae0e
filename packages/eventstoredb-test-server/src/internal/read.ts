/**
 * `Streams.Read` without `subscription`: a bounded read of one stream or of `$all`, forwards or
 * backwards. Forwards from revision N, backwards from the end and `$all` forwards from position P
 * include their start; `$all` backwards from P starts before P. A missing stream answers
 * `stream_not_found` and ends with OK; a tombstoned one fails with `stream-deleted`.
 *
 * @internal
 */
import type { ServerContext } from "./context.js"
import { invalidArgumentError, streamDeletedError, unavailableError } from "./errors.js"
import { filterOf } from "./filter.js"
import { type StreamsPb, streamsPb } from "./generated.js"
import { resolve } from "./links.js"
import { type ResponseSink, ResponseWriter } from "./responseWriter.js"
import type { StoredEvent } from "./types.js"
import { eventResponse, streamIdentifier, streamNameOf } from "./wire.js"

/** The response side of a `Read` call. */
export type ReadCall = ResponseSink<StreamsPb.ReadResp>

const { ReadDirection } = streamsPb.ReadReq.Options

/** The revisions a stream read visits, in order. */
function* streamRevisions(
  options: StreamsPb.ReadReq.Options.StreamOptions,
  backwards: boolean,
  first: bigint,
  last: bigint
): Generator<bigint> {
  if (backwards) {
    let from = last
    if (options.hasStart()) from = 0n
    else if (options.hasRevision()) from = BigInt(options.getRevision())
    for (let revision = from < last ? from : last; revision >= first; revision--) yield revision
  } else {
    let from = first
    if (options.hasEnd()) from = last + 1n
    else if (options.hasRevision()) from = BigInt(options.getRevision())
    for (let revision = from > first ? from : first; revision <= last; revision++) yield revision
  }
}

/**
 * The `$all` indexes a read visits, in order. Both directions stop at the log's end as it was when the read started:
 * a long forward read that waits on a slow reader does not go on to records written meanwhile, so it ends even while
 * writers keep appending (following new records is what a subscription is for).
 */
function* allIndexes(
  context: ServerContext,
  options: StreamsPb.ReadReq.Options.AllOptions,
  backwards: boolean
): Generator<number> {
  const end = context.store.all.length
  const position = options.getPosition()
  if (backwards) {
    let from = end - 1
    if (options.hasStart()) from = -1
    else if (position !== undefined) from = context.store.indexAtOrAfter(BigInt(position.getCommitPosition())) - 1
    for (let index = from; index >= 0; index--) yield index
  } else {
    let from = 0
    if (options.hasEnd()) from = end
    else if (position !== undefined) from = context.store.indexAtOrAfter(BigInt(position.getCommitPosition()))
    for (let index = from; index < end; index++) yield index
  }
}

export const readOnce = async (
  context: ServerContext,
  call: ReadCall,
  options: StreamsPb.ReadReq.Options
): Promise<void> => {
  const writer = new ResponseWriter(call)
  const untrack = context.track({
    kind: "read",
    terminate: (reason) => (reason === "end" ? writer.end() : writer.fail(unavailableError("Server is shutting down.")))
  })
  try {
    const structuredIds = options.getUuidOption()?.hasStructured() ?? false
    const resolveLinks = options.getResolveLinks()
    const backwards = options.getReadDirection() === ReadDirection.BACKWARDS
    let remaining = options.hasCount() ? BigInt(options.getCount()) : BigInt(Number.MAX_SAFE_INTEGER)
    const send = async (record: StoredEvent): Promise<boolean> => {
      const { event, link } = resolve(context.store, record, resolveLinks)
      remaining -= 1n
      return writer.write(eventResponse(event, link, structuredIds))
    }

    const stream = options.getStream()
    const all = options.getAll()
    if (stream !== undefined) {
      const streamName = streamNameOf(stream.getStreamIdentifier())
      if (streamName === undefined) return writer.fail(invalidArgumentError("A stream read needs a stream name."))
      const view = context.store.view(streamName)
      if (view._tag === "Deleted") return writer.fail(streamDeletedError(streamName))
      if (view._tag === "NotFound") {
        const notFound = new streamsPb.ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(streamName))
        await writer.write(new streamsPb.ReadResp().setStreamNotFound(notFound))
        return writer.end()
      }
      for (const revision of streamRevisions(stream, backwards, view.first, view.last)) {
        if (remaining <= 0n) break
        const record = context.store.event(streamName, revision)
        if (record !== undefined && !(await send(record))) return
      }
      return writer.end()
    }
    if (all !== undefined) {
      const filter = filterOf(options)
      if (filter._tag === "Invalid") return writer.fail(invalidArgumentError(filter.reason))
      for (const index of allIndexes(context, all, backwards)) {
        if (remaining <= 0n) break
        const record = context.store.all[index]
        if (record === undefined) continue
        if (filter._tag === "Filter" && !filter.filter.matches(record)) continue
        if (!(await send(record))) return
      }
      return writer.end()
    }
    writer.fail(invalidArgumentError("A read needs a stream or $all."))
  } finally {
    untrack()
  }
}
