/**
 * Replay, the raw baseline: `JSON.parse` and the three read models as plain mutable `Map`s and arrays. See
 * `replay.ts`. It imports neither Effect nor the library.
 */
import { type ActorJson, type EventJson, NDJSON_HEADER, type RecordedLine } from "../history.js"
import { type ReplaySummary, lines, liveHeapMb } from "./replay.js"

interface RawToken {
  readonly tokenId: string
  readonly name: string
  readonly hint: string
  readonly scopes: ReadonlyArray<string>
  status: "active" | "revoked"
  readonly issuedAt: string
  readonly issuedBy: ActorJson
  revokedAt?: string
  revokedBy?: ActorJson
  revocationReason?: string
}

interface RawAccount {
  readonly serviceAccountId: string
  readonly name: string
  status: "active" | "deleted"
  readonly createdAt: string
  readonly createdBy: ActorJson
  deletedAt?: string
  deletedBy?: ActorJson
  readonly tokens: Array<RawToken>
}

interface RawOrganization {
  readonly accounts: Map<string, RawAccount>
  readonly order: Array<string>
}

interface RawTokenEntry {
  readonly organizationId: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly scopes: ReadonlyArray<string>
  revoked: string | undefined
}

interface RawAuditEntry {
  readonly position: number
  readonly revision: number
  readonly occurredAt: string
  readonly organizationId: string
  readonly actor: ActorJson
  readonly action: string
  readonly serviceAccountId: string
  readonly tokenId?: string
  readonly summary: string
}

const describe = (event: EventJson): string => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      return `created service account "${event.name}"`
    case "TokenIssued":
      return `issued token "${event.name}" (…${event.hint}, scopes ${event.scopes.join(", ")})`
    case "TokenRevoked":
      return event.reason === "Manual" ? "revoked token" : "revoked token (its service account was deleted)"
    case "ServiceAccountDeleted":
      return event.revokedTokenIds.length === 0
        ? "deleted service account"
        : `deleted service account and its ${event.revokedTokenIds.length} active token(s)`
  }
}

export const replayRaw = async (path: string): Promise<ReplaySummary> => {
  const start = performance.now()
  const directory = new Map<string, RawOrganization>()
  const byDigest = new Map<string, RawTokenEntry>()
  const digestByToken = new Map<string, string>()
  const audit = new Map<string, Array<RawAuditEntry>>()
  let events = 0
  let header = true
  for await (const line of lines(path)) {
    if (header) {
      header = false
      if (line !== NDJSON_HEADER) throw new Error("not a service-accounts NDJSON history")
      continue
    }
    const recorded: RecordedLine = JSON.parse(line)
    const event = recorded.data
    const organizationId = event.organizationId
    let organization = directory.get(organizationId)
    if (organization === undefined) {
      organization = { accounts: new Map(), order: [] }
      directory.set(organizationId, organization)
    }
    switch (event._tag) {
      case "ServiceAccountCreated":
        organization.accounts.set(event.serviceAccountId, {
          serviceAccountId: event.serviceAccountId,
          name: event.name,
          status: "active",
          createdAt: event.occurredAt,
          createdBy: event.actor,
          tokens: []
        })
        organization.order.push(event.serviceAccountId)
        break
      case "TokenIssued":
        organization.accounts.get(event.serviceAccountId)?.tokens.push({
          tokenId: event.tokenId,
          name: event.name,
          hint: event.hint,
          scopes: event.scopes,
          status: "active",
          issuedAt: event.occurredAt,
          issuedBy: event.actor
        })
        byDigest.set(event.secretHash, {
          organizationId,
          serviceAccountId: event.serviceAccountId,
          tokenId: event.tokenId,
          scopes: event.scopes,
          revoked: undefined
        })
        digestByToken.set(event.tokenId, event.secretHash)
        break
      case "TokenRevoked": {
        const token = organization.accounts.get(event.serviceAccountId)?.tokens.find((t) => t.tokenId === event.tokenId)
        if (token !== undefined) {
          token.status = "revoked"
          token.revokedAt = event.occurredAt
          token.revokedBy = event.actor
          token.revocationReason = event.reason
        }
        const digest = digestByToken.get(event.tokenId)
        const entry = digest === undefined ? undefined : byDigest.get(digest)
        if (entry !== undefined && entry.revoked === undefined) entry.revoked = event.reason
        break
      }
      case "ServiceAccountDeleted": {
        const account = organization.accounts.get(event.serviceAccountId)
        if (account !== undefined) {
          account.status = "deleted"
          account.deletedAt = event.occurredAt
          account.deletedBy = event.actor
        }
        break
      }
    }
    let trail = audit.get(organizationId)
    if (trail === undefined) {
      trail = []
      audit.set(organizationId, trail)
    }
    trail.push({
      position: Number(recorded.position),
      revision: Number(recorded.revision),
      occurredAt: event.occurredAt,
      organizationId,
      actor: event.actor,
      action: event._tag,
      serviceAccountId: event.serviceAccountId,
      ...(event._tag === "TokenIssued" || event._tag === "TokenRevoked" ? { tokenId: event.tokenId } : {}),
      summary: describe(event)
    })
    events++
  }
  const seconds = (performance.now() - start) / 1000
  let liveAccounts = 0
  let activeTokens = 0
  for (const organization of directory.values()) {
    for (const account of organization.accounts.values()) {
      if (account.status !== "active") continue
      liveAccounts++
      for (const token of account.tokens) if (token.status === "active") activeTokens++
    }
  }
  let auditEntries = 0
  for (const trail of audit.values()) auditEntries += trail.length
  const live = liveHeapMb()
  // Keep the read models alive until the heap has been measured.
  if (directory.size + byDigest.size + digestByToken.size + audit.size < 0) throw new Error("unreachable")
  return {
    events,
    seconds,
    eventsPerSecond: events / seconds,
    organizations: directory.size,
    liveAccounts,
    activeTokens,
    indexedTokens: byDigest.size,
    auditEntries,
    liveHeapMb: live
  }
}
