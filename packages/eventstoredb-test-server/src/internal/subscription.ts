/**
 * Catch-up subscriptions (`Streams.Read` with `subscription`) to a stream or to `$all`.
 *
 * Order on the wire: `confirmation`, the history after the (exclusive) start point, `caught_up`, then
 * live events. The subscription pulls from the store's log by cursor rather than having events pushed
 * at it: catch-up and live are the same loop, so nothing can fall in a gap or arrive twice at the
 * switch, and each write waits for grpc-js to drain, so a slow reader holds the cursor back instead of
 * filling memory. Filtered `$all` subscriptions also send a `checkpoint` every `window × multiplier`
 * events examined and one when they catch up.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import type { ServerContext } from "./context.js"
import { invalidArgumentError, streamDeletedError, unavailableError } from "./errors.js"
import { type EventFilter, filterOf } from "./filter.js"
import { type StreamsPb, streamsPb } from "./generated.js"
import { resolve } from "./links.js"
import type { ReadCall } from "./read.js"
import { ResponseWriter } from "./responseWriter.js"
import type { StoredEvent } from "./types.js"
import { eventResponse, streamNameOf } from "./wire.js"

const confirmation = (): StreamsPb.ReadResp =>
  new streamsPb.ReadResp().setConfirmation(
    new streamsPb.ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())
  )

const caughtUp = (): StreamsPb.ReadResp => new streamsPb.ReadResp().setCaughtUp(new streamsPb.ReadResp.CaughtUp())

const checkpoint = (position: bigint): StreamsPb.ReadResp => {
  const at = position.toString()
  return new streamsPb.ReadResp().setCheckpoint(
    new streamsPb.ReadResp.Checkpoint().setCommitPosition(at).setPreparePosition(at)
  )
}

interface Session {
  readonly context: ServerContext
  readonly writer: ResponseWriter<StreamsPb.ReadResp>
  readonly structuredIds: boolean
  readonly resolveLinks: boolean
}

const sendEvent = (session: Session, record: StoredEvent): Promise<boolean> => {
  const { event, link } = resolve(session.context.store, record, session.resolveLinks)
  return session.writer.write(eventResponse(event, link, session.structuredIds))
}

/**
 * Waits for the next write to the store, or for the call to close. Whichever comes first unregisters the other, so a
 * subscription that wakes up a million times leaves nothing behind (a `Promise.race` with a promise that stays
 * pending for the call's life would add a reaction to it on every wake-up).
 */
const nextChange = (session: Session): Promise<void> =>
  new Promise((resolve) => {
    let stopWaitingForChange = (): void => {}
    let stopWaitingForClose = (): void => {}
    const wake = (): void => {
      stopWaitingForChange()
      stopWaitingForClose()
      resolve()
    }
    stopWaitingForChange = session.context.store.onNextChange(wake)
    stopWaitingForClose = session.writer.onClose(wake)
  })

const followStream = async (
  session: Session,
  streamName: string,
  options: StreamsPb.ReadReq.Options.StreamOptions
): Promise<void> => {
  const { store } = session.context
  const view = store.view(streamName)
  if (view._tag === "Deleted") return session.writer.fail(streamDeletedError(streamName))
  const firstVisible = view._tag === "Found" ? view.first : 0n
  let next = firstVisible
  if (options.hasEnd()) next = BigInt(store.eventsOf(streamName).length)
  else if (options.hasRevision()) next = BigInt(options.getRevision()) + 1n
  if (next < firstVisible) next = firstVisible

  let isCaughtUp = false
  while (!session.writer.isClosed) {
    if (store.isTombstoned(streamName)) return session.writer.fail(streamDeletedError(streamName))
    const record = store.event(streamName, next)
    if (record !== undefined) {
      next += 1n
      if (!(await sendEvent(session, record))) return
      continue
    }
    if (!isCaughtUp) {
      isCaughtUp = true
      if (!(await session.writer.write(caughtUp()))) return
      continue
    }
    await nextChange(session)
  }
}

const followAll = async (
  session: Session,
  options: StreamsPb.ReadReq.Options.AllOptions,
  filter: EventFilter | undefined
): Promise<void> => {
  const { store } = session.context
  const position = options.getPosition()
  let next = 0
  if (options.hasEnd()) next = store.all.length
  else if (position !== undefined) next = store.indexAfter(BigInt(position.getCommitPosition()))
  // Where a checkpoint points when nothing has been examined yet: just before the first record to come.
  let lastExamined =
    position !== undefined && !options.hasEnd()
      ? BigInt(position.getCommitPosition())
      : (store.all[next - 1]?.position ?? 0n)
  let examinedSinceCheckpoint = 0

  let isCaughtUp = false
  while (!session.writer.isClosed) {
    const record = store.all[next]
    if (record !== undefined) {
      next += 1
      if (filter === undefined) {
        if (!(await sendEvent(session, record))) return
        continue
      }
      if (filter.matches(record) && !(await sendEvent(session, record))) return
      lastExamined = record.position
      examinedSinceCheckpoint += 1
      if (examinedSinceCheckpoint >= filter.checkpointInterval) {
        examinedSinceCheckpoint = 0
        if (!(await session.writer.write(checkpoint(lastExamined)))) return
      }
      continue
    }
    if (!isCaughtUp) {
      isCaughtUp = true
      if (filter !== undefined && !(await session.writer.write(checkpoint(lastExamined)))) return
      if (!(await session.writer.write(caughtUp()))) return
      continue
    }
    await nextChange(session)
  }
}

export const subscribe = async (
  context: ServerContext,
  call: ReadCall,
  options: StreamsPb.ReadReq.Options
): Promise<void> => {
  const writer = new ResponseWriter(call)
  const untrack = context.track({
    kind: "subscription",
    terminate: (reason) =>
      reason === "end"
        ? writer.end()
        : writer.fail(
            unavailableError(
              reason === "shutdown" ? "Server is shutting down." : "Subscription dropped by the test server."
            )
          )
  })
  try {
    const session: Session = {
      context,
      writer,
      structuredIds: options.getUuidOption()?.hasStructured() ?? false,
      resolveLinks: options.getResolveLinks()
    }
    const stream = options.getStream()
    const all = options.getAll()
    if (stream !== undefined) {
      const streamName = streamNameOf(stream.getStreamIdentifier())
      if (streamName === undefined) return writer.fail(invalidArgumentError("A subscription needs a stream name."))
      if (!(await writer.write(confirmation()))) return
      return await followStream(session, streamName, stream)
    }
    if (all !== undefined) {
      const filter = filterOf(options)
      if (filter._tag === "Invalid") return writer.fail(invalidArgumentError(filter.reason))
      if (!(await writer.write(confirmation()))) return
      return await followAll(session, all, filter._tag === "Filter" ? filter.filter : undefined)
    }
    writer.fail(invalidArgumentError("A subscription needs a stream or $all."))
  } finally {
    untrack()
  }
}
