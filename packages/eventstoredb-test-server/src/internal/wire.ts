/**
 * Conversions between the store's types and the generated protobuf messages.
 *
 * @internal
 */
import { type SharedPb, sharedPb, type StreamsPb, streamsPb } from "./generated.js"
import type { StoredEvent } from "./types.js"
import { ExpectedRevision } from "./types.js"

const decoder = new TextDecoder()
const encoder = new TextEncoder()

export const streamNameOf = (identifier: SharedPb.StreamIdentifier | undefined): string | undefined =>
  identifier === undefined ? undefined : decoder.decode(identifier.getStreamName_asU8())

export const streamIdentifier = (streamName: string): SharedPb.StreamIdentifier =>
  new sharedPb.StreamIdentifier().setStreamName(encoder.encode(streamName))

const hex = (value: bigint): string => BigInt.asUintN(64, value).toString(16).padStart(16, "0")

/** A UUID message as text, whichever form (string or two signed 64-bit halves) it was sent in. */
export const uuidText = (uuid: SharedPb.UUID | undefined): string | undefined => {
  if (uuid === undefined) return undefined
  const structured = uuid.getStructured()
  if (structured === undefined) return uuid.getString().toLowerCase()
  const digits = hex(BigInt(structured.getMostSignificantBits())) + hex(BigInt(structured.getLeastSignificantBits()))
  return `${digits.slice(0, 8)}-${digits.slice(8, 12)}-${digits.slice(12, 16)}-${digits.slice(16, 20)}-${digits.slice(20)}`
}

/** A UUID message in the form the read request asked for (`uuid_option`). */
export const uuidMessage = (id: string, structured: boolean): SharedPb.UUID => {
  const uuid = new sharedPb.UUID()
  if (!structured) return uuid.setString(id)
  const digits = id.replaceAll("-", "")
  const half = (from: number) => BigInt.asIntN(64, BigInt(`0x${digits.slice(from, from + 16)}`)).toString()
  return uuid.setStructured(
    new sharedPb.UUID.Structured().setMostSignificantBits(half(0)).setLeastSignificantBits(half(16))
  )
}

/** The expected-revision oneof, which every write request's options carry under these names. */
export interface ExpectedRevisionOptions {
  hasRevision(): boolean
  getRevision(): string
  hasNoStream(): boolean
  hasAny(): boolean
  hasStreamExists(): boolean
}

export const expectedRevisionOf = (options: ExpectedRevisionOptions): ExpectedRevision | undefined => {
  if (options.hasRevision()) return ExpectedRevision.exact(BigInt(options.getRevision()))
  if (options.hasNoStream()) return ExpectedRevision.noStream
  if (options.hasAny()) return ExpectedRevision.any
  if (options.hasStreamExists()) return ExpectedRevision.streamExists
  return undefined
}

const recordedEvent = (event: StoredEvent, structuredIds: boolean): StreamsPb.ReadResp.ReadEvent.RecordedEvent => {
  const recorded = new streamsPb.ReadResp.ReadEvent.RecordedEvent()
    .setId(uuidMessage(event.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(event.streamId))
    .setStreamRevision(event.revision.toString())
    .setPreparePosition(event.position.toString())
    .setCommitPosition(event.position.toString())
    .setData(event.data)
    .setCustomMetadata(event.metadata)
  const metadata = recorded.getMetadataMap()
  metadata.set("type", event.type)
  metadata.set("created", event.created.toString())
  metadata.set("content-type", event.isJson ? "application/json" : "application/octet-stream")
  return recorded
}

/**
 * A `ReadResp` carrying one event. `link` is the `$>` record a resolved event was reached through; the
 * position reported is the position of the record that was read (the link when there is one).
 */
export const eventResponse = (
  event: StoredEvent | undefined,
  link: StoredEvent | undefined,
  structuredIds: boolean
): StreamsPb.ReadResp => {
  const readEvent = new streamsPb.ReadResp.ReadEvent()
  if (event !== undefined) readEvent.setEvent(recordedEvent(event, structuredIds))
  if (link !== undefined) readEvent.setLink(recordedEvent(link, structuredIds))
  const original = link ?? event
  if (original === undefined) readEvent.setNoPosition(new sharedPb.Empty())
  else readEvent.setCommitPosition(original.position.toString())
  return new streamsPb.ReadResp().setEvent(readEvent)
}
