/**
 * `checkInvariants`: reads a whole history and reports every violation of the model's invariants (I1–I9,
 * see docs/invariants.md) that a history can show, each with the event's position.
 *
 * The checker keeps its own, deliberately simple model of the directory instead of reusing the domain's
 * decider: a bug in the decider must not hide itself from the check. It lives with the other checks of a
 * history (tamper evidence) so that programs such as `sa-audit` run it without a test framework;
 * `@service-accounts/testing` re-exports it under the same names.
 *
 * @example
 * ```ts
 * import { EventStore, makeInvariantChecker } from "@service-accounts/domain"
 * import { Effect, Stream } from "effect"
 *
 * // Checks I1–I9 over the whole store, event by event: memory stays bounded however long the history is.
 * const violations = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   const checker = makeInvariantChecker()
 *   yield* Stream.runForEach(store.readAll(), (event) => Effect.sync(() => checker.next(event)))
 *   return checker
 *     .finish()
 *     .map((found) => `${found.invariant} at ${found.streamId}@${found.revision}: ${found.message}`)
 * })
 * ```
 *
 * @since 0.3.0
 */
import { Either } from "effect"
import { ADMINISTRATOR } from "../model/Caller.js"
import { nameKey } from "../model/Names.js"
import { findTokens, quoteSafely, TOKEN_PREFIX } from "../model/Token.js"
import type { Json, RecordedEvent } from "../store/EventStore.js"
import { type DomainEvent, DIRECTORY_CATEGORY, decode, isDirectoryEvent } from "../store/StoredEvent.js"

const DIRECTORY_PREFIX = `${DIRECTORY_CATEGORY}-`

/** Whether `streamId` is the directory stream of `organizationId` (without making its name). */
const isStreamOf = (streamId: string, organizationId: string): boolean =>
  streamId.length === DIRECTORY_PREFIX.length + organizationId.length &&
  streamId.startsWith(DIRECTORY_PREFIX) &&
  streamId.endsWith(organizationId)

/** One more (`by` 1) or one fewer (-1) of `key`. */
const count = (counts: Map<string, number>, key: string, by: 1 | -1): void => {
  const now = (counts.get(key) ?? 0) + by
  if (now === 0) counts.delete(key)
  else counts.set(key, now)
}

/**
 * The invariants, by code. `I1`–`I9` as in DESIGN.md §2.
 *
 * @since 0.3.0
 * @category models
 */
export type InvariantCode = "I1" | "I2" | "I3" | "I4" | "I5" | "I6" | "I7" | "I8" | "I9"

/**
 * One violation: which invariant, where, and what is wrong.
 *
 * @since 0.3.0
 * @category models
 */
export interface Violation {
  readonly invariant: InvariantCode
  readonly streamId: string
  readonly revision: bigint
  readonly position: bigint
  readonly message: string
}

interface TokenModel {
  readonly nameKey: string
  active: boolean
}

interface AccountModel {
  readonly nameKey: string
  live: boolean
  readonly tokens: Map<string, TokenModel>
  /** How many active tokens have each name key: a token's name is checked without going through every token. */
  readonly activeNames: Map<string, number>
}

interface StreamModel {
  lastRevision: bigint
  readonly accounts: Map<string, AccountModel>
  /** How many live accounts have each name key. */
  readonly liveNames: Map<string, number>
  /** Cascade revocations seen since the last non-cascade event: account id → token ids, with the revision of the first. */
  pendingCascade:
    | { readonly serviceAccountId: string; readonly tokenIds: Array<string>; readonly at: RecordedEvent }
    | undefined
}

/**
 * An incremental invariant checker: feed it a history's events in position order with `next`, then `finish`
 * returns the violations. It keeps the model of the directories (live accounts and their tokens), not the events,
 * so a history of any length can be checked as it streams by. `checkInvariants` runs it over an iterable.
 *
 * @since 0.3.0
 * @category models
 */
export interface InvariantChecker {
  /**
   * Checks the next event of the history. `decoded` is the event as `decode(recorded)` gives it, when the caller
   * decoded it already (since 0.3.0): it is not decoded a second time.
   */
  readonly next: (recorded: RecordedEvent, decoded?: DomainEvent) => void
  /** The violations found so far, in the order they were found. */
  readonly violations: ReadonlyArray<Violation>
  /** Ends the history (a cascade left open is a violation) and returns every violation. */
  readonly finish: () => ReadonlyArray<Violation>
}

/**
 * Whether a well-formed token value is anywhere in a JSON value, keys included: what `Token.findTokens` would find
 * in its JSON text (a token cannot span two strings of it, and JSON escapes no letter or digit), without writing it.
 */
const holdsToken = (value: Json | undefined): boolean => {
  if (typeof value === "string") return value.includes(TOKEN_PREFIX) && findTokens(value).length > 0
  if (value === null || typeof value !== "object") return false
  if (Array.isArray(value)) {
    for (const item of value) if (holdsToken(item)) return true
    return false
  }
  const record = value as { readonly [key: string]: Json }
  for (const key in record) {
    if ((key.includes(TOKEN_PREFIX) && findTokens(key).length > 0) || holdsToken(record[key])) return true
  }
  return false
}

/**
 * Makes an `InvariantChecker`: what `checkInvariants` checks, one event at a time.
 *
 * @since 0.3.0
 * @category checks
 */
export const makeInvariantChecker = (): InvariantChecker => {
  const violations: Array<Violation> = []
  const streams = new Map<string, StreamModel>()
  const eventIds = new Set<string>()
  let lastPosition: bigint | undefined

  const report = (at: RecordedEvent, invariant: InvariantCode, message: string) =>
    violations.push({ invariant, streamId: at.streamId, revision: at.revision, position: at.position, message })

  const closeCascade = (stream: StreamModel) => {
    const pending = stream.pendingCascade
    if (pending !== undefined) {
      report(
        pending.at,
        "I5",
        `tokens of ${pending.serviceAccountId} were revoked for its deletion, but no ServiceAccountDeleted followed in the same append`
      )
      stream.pendingCascade = undefined
    }
  }

  const next = (recorded: RecordedEvent, decoded?: DomainEvent): void => {
    if (!isDirectoryEvent(recorded)) return

    if (lastPosition !== undefined && recorded.position <= lastPosition) {
      report(recorded, "I9", `position ${recorded.position} does not follow position ${lastPosition}`)
    }
    lastPosition = recorded.position

    let stream = streams.get(recorded.streamId)
    if (stream === undefined) {
      stream = { lastRevision: -1n, accounts: new Map(), liveNames: new Map(), pendingCascade: undefined }
      streams.set(recorded.streamId, stream)
    }
    if (recorded.revision !== stream.lastRevision + 1n) {
      report(
        recorded,
        "I9",
        `revision ${recorded.revision} follows revision ${stream.lastRevision}: revisions must be gapless`
      )
    }
    stream.lastRevision = recorded.revision

    if (holdsToken(recorded.data) || holdsToken(recorded.metadata)) {
      report(recorded, "I6", "a token value is stored in the event")
    }

    const known = eventIds.size
    eventIds.add(recorded.eventId)
    if (eventIds.size === known) report(recorded, "I8", `event id ${recorded.eventId} appears twice`)

    const result = decoded === undefined ? decode(recorded) : Either.right(decoded)
    if (Either.isLeft(result)) {
      report(recorded, "I8", `the event cannot be replayed: ${result.left.reason}`)
      return
    }
    const event = result.right.event
    if (!isStreamOf(recorded.streamId, event.organizationId)) {
      report(recorded, "I8", `an event of organisation ${event.organizationId} is stored in ${recorded.streamId}`)
    }
    if (event.actor.role !== ADMINISTRATOR) {
      report(
        recorded,
        "I7",
        `the actor ${event.actor.userId} has role "${quoteSafely(event.actor.role, 64)}", not administrator`
      )
    }

    if (event._tag !== "TokenRevoked" || event.reason !== "ServiceAccountDeleted") {
      if (event._tag !== "ServiceAccountDeleted") closeCascade(stream)
    }

    const account = stream.accounts.get(event.serviceAccountId)
    switch (event._tag) {
      case "ServiceAccountCreated": {
        if (account !== undefined) {
          report(recorded, "I3", `service account id ${event.serviceAccountId} is created a second time`)
          break
        }
        const key = nameKey(event.name)
        // Once for each live account of that name.
        for (let n = stream.liveNames.get(key) ?? 0; n > 0; n--) {
          report(recorded, "I1", `the name "${event.name}" is already used by a live account`)
        }
        stream.accounts.set(event.serviceAccountId, {
          nameKey: key,
          live: true,
          tokens: new Map(),
          activeNames: new Map()
        })
        count(stream.liveNames, key, 1)
        break
      }
      case "TokenIssued": {
        if (account === undefined || !account.live) {
          report(recorded, "I3", `a token is issued for ${event.serviceAccountId}, which does not exist or is deleted`)
          break
        }
        if (account.tokens.has(event.tokenId)) {
          report(recorded, "I3", `token id ${event.tokenId} is issued a second time`)
          break
        }
        const key = nameKey(event.name)
        // Once for each active token of that name.
        for (let n = account.activeNames.get(key) ?? 0; n > 0; n--) {
          report(recorded, "I2", `the token name "${event.name}" is already used by an active token`)
        }
        account.tokens.set(event.tokenId, { nameKey: key, active: true })
        count(account.activeNames, key, 1)
        break
      }
      case "TokenRevoked": {
        if (account === undefined || !account.live) {
          report(
            recorded,
            "I3",
            `a token of ${event.serviceAccountId} is revoked, but the account does not exist or is deleted`
          )
          break
        }
        const token = account.tokens.get(event.tokenId)
        if (token === undefined) {
          report(recorded, "I4", `token ${event.tokenId} is revoked but was never issued to this account`)
          break
        }
        if (token.active) count(account.activeNames, token.nameKey, -1)
        else report(recorded, "I4", `token ${event.tokenId} is revoked a second time`)
        token.active = false
        if (event.reason === "ServiceAccountDeleted") {
          const pending = stream.pendingCascade
          if (pending !== undefined && pending.serviceAccountId !== event.serviceAccountId) closeCascade(stream)
          if (stream.pendingCascade === undefined) {
            stream.pendingCascade = { serviceAccountId: event.serviceAccountId, tokenIds: [], at: recorded }
          }
          stream.pendingCascade.tokenIds.push(event.tokenId)
        }
        break
      }
      case "ServiceAccountDeleted": {
        const pending = stream.pendingCascade
        stream.pendingCascade = undefined
        if (account === undefined || !account.live) {
          report(recorded, "I3", `${event.serviceAccountId} is deleted, but does not exist or is already deleted`)
          break
        }
        const cascaded = pending?.serviceAccountId === event.serviceAccountId ? pending.tokenIds : []
        if (pending !== undefined && pending.serviceAccountId !== event.serviceAccountId) {
          report(
            pending.at,
            "I5",
            `cascade revocations of ${pending.serviceAccountId} precede the deletion of another account`
          )
        }
        for (const [tokenId, token] of account.tokens) {
          if (token.active) report(recorded, "I5", `token ${tokenId} is still active when its account is deleted`)
        }
        const listed = [...event.revokedTokenIds].sort().join(",")
        if (listed !== [...cascaded].sort().join(",")) {
          report(
            recorded,
            "I5",
            "the revoked tokens listed do not match the cascade revocations right before the deletion"
          )
        }
        account.live = false
        count(stream.liveNames, account.nameKey, -1)
        break
      }
    }
  }

  return {
    next,
    violations,
    finish: () => {
      for (const stream of streams.values()) closeCascade(stream)
      return violations
    }
  }
}

/**
 * Checks a history (every recorded event, in position order, as `readAll` gives it; events of streams that are
 * not organisation directories are ignored) and returns each violation found. An empty array means the
 * history shows no violation.
 *
 * What a history can show of each invariant:
 * - I1/I2: a name used twice among live accounts / active tokens (trimmed, NFKC, case-folded);
 * - I3: an event about an account that does not exist (yet or any more), or a reused id;
 * - I4: a token revoked twice, or revoked before it was issued;
 * - I5: `ServiceAccountDeleted` while a token is active, or not right after its own cascade revocations;
 * - I6: a well-formed token value anywhere in an event's data or metadata;
 * - I7: an event whose actor is not an administrator (a command that should have been refused);
 * - I8: an event that cannot be replayed: it does not decode, belongs to another organisation's stream, or
 *   repeats an event id (replays on stores that deduplicate and stores that do not would differ);
 * - I9: a gap or repeat in a stream's revisions, or positions that do not increase.
 *
 * @since 0.3.0
 * @category checks
 */
export const checkInvariants = (history: Iterable<RecordedEvent>): ReadonlyArray<Violation> => {
  const checker = makeInvariantChecker()
  for (const recorded of history) checker.next(recorded)
  return checker.finish()
}
