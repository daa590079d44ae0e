/**
 * Replay with the library: `JSON.parse`, the envelope checked by hand, `decode` (Schema), and `apply` of the
 * three projections. See `replay.ts`.
 */
import { AuditTrail, DirectoryView, type Json, type RecordedEvent, TokenIndex, decode } from "@service-accounts/domain"
import { Chunk, Either, HashMap } from "effect"
import { type ReplaySummary, lines } from "./replay.js"

/** The shape `JSON.parse` gives a line: any JSON, whose envelope fields are checked before use. */
type ParsedLine = {
  readonly streamId?: Json
  readonly revision?: Json
  readonly position?: Json
  readonly eventId?: Json
  readonly type?: Json
  readonly data?: Json
  readonly metadata?: Json
  readonly recordedAt?: Json
}

const isObject = (value: Json | undefined): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A line as a `RecordedEvent`, its envelope checked (the event itself is checked by `decode`). */
export const toRecorded = (line: string, number: number): RecordedEvent => {
  const parsed: ParsedLine = JSON.parse(line)
  const { streamId, revision, position, eventId, type, data, metadata, recordedAt } = parsed
  if (
    typeof streamId !== "string" ||
    typeof revision !== "string" ||
    typeof position !== "string" ||
    typeof eventId !== "string" ||
    typeof type !== "string" ||
    data === undefined ||
    !isObject(metadata) ||
    typeof recordedAt !== "string"
  ) {
    throw new Error(`line ${number}: not a recorded event`)
  }
  return {
    streamId,
    revision: BigInt(revision),
    position: BigInt(position),
    eventId,
    type,
    data,
    metadata,
    recordedAt: new Date(recordedAt)
  }
}

export const replayOurs = async (path: string): Promise<ReplaySummary> => {
  const start = performance.now()
  let directory = DirectoryView.projection.initialState
  let tokens = TokenIndex.projection.initialState
  let audit = AuditTrail.projection.initialState
  let events = 0
  for await (const line of lines(path)) {
    if (line.length === 0) continue
    const decoded = decode(toRecorded(line, events + 1))
    if (Either.isLeft(decoded)) throw decoded.left
    directory = DirectoryView.projection.apply(directory, decoded.right)
    tokens = TokenIndex.projection.apply(tokens, decoded.right)
    audit = AuditTrail.projection.apply(audit, decoded.right)
    events++
  }
  const seconds = (performance.now() - start) / 1000
  let liveAccounts = 0
  let activeTokens = 0
  for (const organization of HashMap.values(directory)) {
    for (const account of DirectoryView.accounts(organization)) {
      liveAccounts++
      for (const token of account.tokens) if (token.status === "active") activeTokens++
    }
  }
  let auditEntries = 0
  for (const trail of HashMap.values(audit)) auditEntries += Chunk.size(trail)
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    organizations: HashMap.size(directory),
    liveAccounts,
    activeTokens,
    indexedTokens: HashMap.size(tokens.byDigest),
    auditEntries
  }
}
