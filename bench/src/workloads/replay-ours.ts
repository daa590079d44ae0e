/**
 * Replay with the library: each line read with the library's own NDJSON reader (`Ndjson.decodeHeader`, then
 * `Ndjson.decodeLine`: `JSON.parse` and the line's envelope checked with its schema), each event decoded with
 * `decode` (Schema), then `apply` of the three projections. See `replay.ts`.
 */
import { AuditTrail, DirectoryView, Ndjson, type RecordedEvent, TokenIndex, decode } from "@service-accounts/domain"
import { Either } from "effect"
import { type ReplaySummary, lines, liveHeapMb } from "./replay.js"

/** One event line as a `RecordedEvent`, read by the library's NDJSON reader. */
export const toRecorded = (text: string, number: number): RecordedEvent => {
  const recorded = Ndjson.decodeLine({ number, text, terminated: true })
  if (Either.isLeft(recorded)) throw recorded.left
  return recorded.right
}

export const replayOurs = async (path: string): Promise<ReplaySummary> => {
  const start = performance.now()
  let directory = DirectoryView.projection.initialState
  let tokens = TokenIndex.projection.initialState
  let audit = AuditTrail.projection.initialState
  let events = 0
  let number = 0
  for await (const text of lines(path)) {
    number++
    if (number === 1) {
      const header = Ndjson.decodeHeader({ number, text, terminated: true })
      if (Either.isLeft(header)) throw header.left
      continue
    }
    const decoded = decode(toRecorded(text, number))
    if (Either.isLeft(decoded)) throw decoded.left
    directory = DirectoryView.projection.apply(directory, decoded.right)
    tokens = TokenIndex.projection.apply(tokens, decoded.right)
    audit = AuditTrail.projection.apply(audit, decoded.right)
    events++
  }
  const seconds = (performance.now() - start) / 1000
  let liveAccounts = 0
  let activeTokens = 0
  for (const organization of DirectoryView.organizations(directory)) {
    for (const account of DirectoryView.accounts(organization)) {
      liveAccounts++
      for (const token of account.tokens) if (token.status === "active") activeTokens++
    }
  }
  const auditEntries = AuditTrail.size(audit)
  const live = liveHeapMb()
  // Keep the read models alive until the heap has been measured.
  if (DirectoryView.size(directory) + TokenIndex.size(tokens) + AuditTrail.size(audit) < 0) {
    throw new Error("unreachable")
  }
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    organizations: DirectoryView.size(directory),
    liveAccounts,
    activeTokens,
    indexedTokens: TokenIndex.size(tokens),
    auditEntries,
    liveHeapMb: live
  }
}
