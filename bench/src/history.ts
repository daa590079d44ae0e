/**
 * Generated histories, as the events' encoded JSON (what the store keeps and an export holds): plain objects
 * built without the library, so building 1,000,000 of them takes seconds. Every workload feeds the same
 * events to the library (which decodes them with its schemas), to the raw baselines and to Emmett.
 *
 * The generator plays organisations the way the product is used: accounts are created, tokens are rotated
 * (issue a new one, revoke the old one), and now and then an account is deleted, which revokes its active tokens
 * in the same append. The histories are valid: the library's invariant checks hold on them.
 */
import { randomUUID } from "node:crypto"
import { prng, randomBase62, randomHex } from "./tokens.js"

/** The stream category the library uses for an organisation's directory (`directoryStream` in the domain). */
export const DIRECTORY_CATEGORY = "serviceAccountDirectory"

/** The stream of an organisation. */
export const streamOf = (organizationId: string): string => `${DIRECTORY_CATEGORY}-${organizationId}`

export type ActorJson = { readonly userId: string; readonly role: string }

export type ScopeJson = "read" | "write"

export type CreatedJson = {
  readonly _tag: "ServiceAccountCreated"
  readonly organizationId: string
  readonly actor: ActorJson
  readonly occurredAt: string
  readonly serviceAccountId: string
  readonly name: string
}

export type TokenIssuedJson = {
  readonly _tag: "TokenIssued"
  readonly organizationId: string
  readonly actor: ActorJson
  readonly occurredAt: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly name: string
  readonly scopes: ReadonlyArray<ScopeJson>
  readonly secretHash: string
  readonly hint: string
}

export type TokenRevokedJson = {
  readonly _tag: "TokenRevoked"
  readonly organizationId: string
  readonly actor: ActorJson
  readonly occurredAt: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly reason: "Manual" | "ServiceAccountDeleted"
}

export type DeletedJson = {
  readonly _tag: "ServiceAccountDeleted"
  readonly organizationId: string
  readonly actor: ActorJson
  readonly occurredAt: string
  readonly serviceAccountId: string
  readonly revokedTokenIds: ReadonlyArray<string>
}

/** One v1 event in its encoded (stored) form. */
export type EventJson = CreatedJson | TokenIssuedJson | TokenRevokedJson | DeletedJson

/** The metadata the library writes next to each event (`EVENT_SCHEMA_VERSION` is 1). */
export const METADATA = { schemaVersion: 1 } as const

export const ADMIN: ActorJson = { userId: "admin-1", role: "administrator" }

/** Every generated event happened after this instant, one second apart. */
const EPOCH = Date.UTC(2024, 0, 1)

/** An event of one organisation, in the order of the whole history. */
export interface GeneratedEvent {
  readonly organizationId: string
  readonly event: EventJson
}

interface AccountSim {
  readonly id: string
  /** Active token ids, oldest first. */
  readonly active: Array<string>
}

interface OrganizationSim {
  readonly id: string
  readonly accounts: Array<AccountSim>
  accountsCreated: number
  tokensIssued: number
}

export interface HistoryOptions {
  /** How many events to produce (a deletion's cascade is never cut: the last append may go a little over). */
  readonly events: number
  /** The organisations' ids. */
  readonly organizations: ReadonlyArray<string>
  /** Live accounts an organisation aims for. Default 10. */
  readonly accountsPerOrganization?: number
  /** Active tokens an account rotates between. Default 2. */
  readonly activeTokensPerAccount?: number
  /** Chance that an account (once the organisation has enough) is deleted instead of rotated. Default 0.01. */
  readonly deleteRate?: number
  /** Seed of the generator. */
  readonly seed?: number
  /**
   * The digest and hint of token number `n` of an organisation. Default: 64 random hex digits (no value exists:
   * replays never need it) and a random hint.
   */
  readonly secret?: (organizationId: string, n: number) => { readonly secretHash: string; readonly hint: string }
}

/**
 * Produces a history, one append (one or more events of one organisation) at a time. Organisations take turns at
 * random, so their events interleave as in a shared store.
 */
export function* generateHistory(options: HistoryOptions): Generator<ReadonlyArray<GeneratedEvent>> {
  const random = prng(options.seed ?? 42)
  const accountsTarget = options.accountsPerOrganization ?? 10
  const tokensTarget = options.activeTokensPerAccount ?? 2
  const deleteRate = options.deleteRate ?? 0.01
  const secret = options.secret ?? (() => ({ secretHash: randomHex(random, 64), hint: randomBase62(random, 4) }))
  const organizations: Array<OrganizationSim> = options.organizations.map((id) => ({
    id,
    accounts: [],
    accountsCreated: 0,
    tokensIssued: 0
  }))
  let produced = 0
  while (produced < options.events) {
    const organization = organizations[Math.floor(random() * organizations.length)]
    if (organization === undefined) return
    const occurredAt = new Date(EPOCH + produced * 1000).toISOString()
    const common = { organizationId: organization.id, actor: ADMIN, occurredAt }
    const events: Array<EventJson> = []
    const account = organization.accounts[Math.floor(random() * organization.accounts.length)]
    if (account === undefined || organization.accounts.length < accountsTarget) {
      const id = randomUUID()
      organization.accounts.push({ id, active: [] })
      events.push({
        _tag: "ServiceAccountCreated",
        ...common,
        serviceAccountId: id,
        name: `account-${organization.accountsCreated++}`
      })
    } else if (random() < deleteRate) {
      const revoked = account.active.splice(0)
      for (const tokenId of revoked) {
        events.push({
          _tag: "TokenRevoked",
          ...common,
          serviceAccountId: account.id,
          tokenId,
          reason: "ServiceAccountDeleted"
        })
      }
      events.push({ _tag: "ServiceAccountDeleted", ...common, serviceAccountId: account.id, revokedTokenIds: revoked })
      organization.accounts.splice(organization.accounts.indexOf(account), 1)
    } else if (account.active.length >= tokensTarget) {
      const tokenId = account.active.shift()
      if (tokenId !== undefined) {
        events.push({ _tag: "TokenRevoked", ...common, serviceAccountId: account.id, tokenId, reason: "Manual" })
      }
    } else {
      const n = organization.tokensIssued++
      const tokenId = randomUUID()
      account.active.push(tokenId)
      events.push({
        _tag: "TokenIssued",
        ...common,
        serviceAccountId: account.id,
        tokenId,
        name: `token-${n}`,
        scopes: random() < 0.8 ? ["read", "write"] : ["read"],
        ...secret(organization.id, n)
      })
    }
    produced += events.length
    yield events.map((event) => ({ organizationId: organization.id, event }))
  }
}

/** The whole of a (small enough) history as one array. */
export const historyArray = (options: HistoryOptions): Array<GeneratedEvent> => {
  const out: Array<GeneratedEvent> = []
  for (const append of generateHistory(options)) out.push(...append)
  return out
}

/**
 * A recorded event as a line of the library's NDJSON history format (`Ndjson` in the domain, what `sa-audit export`
 * writes): revision and position as decimal strings (they are 64-bit), the time as ISO-8601.
 */
export type RecordedLine = {
  readonly stream: string
  readonly revision: string
  readonly position: string
  readonly eventId: string
  readonly type: EventJson["_tag"]
  readonly data: EventJson
  readonly metadata: typeof METADATA
  readonly recordedAt: string
}

/** The first line of a history file in the library's NDJSON format (`Ndjson.HEADER_LINE`). */
export const NDJSON_HEADER = JSON.stringify({ format: "service-accounts/ndjson", version: 1 })

/**
 * Renders a history in the library's NDJSON format: the header line, then one line per event with its stream
 * revision and global position (the same keys, in the same order, as `Ndjson.encodeLine`).
 */
export function* ndjsonLines(options: HistoryOptions): Generator<string> {
  const revisions = new Map<string, number>()
  let position = 0
  yield NDJSON_HEADER
  for (const append of generateHistory(options)) {
    for (const { organizationId, event } of append) {
      const revision = revisions.get(organizationId) ?? 0
      revisions.set(organizationId, revision + 1)
      const line: RecordedLine = {
        stream: streamOf(organizationId),
        revision: String(revision),
        position: String(position++),
        eventId: randomUUID(),
        type: event._tag,
        data: event,
        metadata: METADATA,
        recordedAt: event.occurredAt
      }
      yield JSON.stringify(line)
    }
  }
}
