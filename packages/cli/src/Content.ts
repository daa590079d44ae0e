/**
 * What a history's events must hold, beyond the NDJSON envelope: a directory stream holds only the known event
 * types, each decoding (after upcasting) to its schema; a checkpoint stream holds only readable checkpoints.
 * Events of other streams are carried along and otherwise ignored.
 *
 * @example
 * ```ts
 * import { Content } from "@service-accounts/cli"
 * import { Ndjson, type RecordedEvent } from "@service-accounts/domain"
 *
 * // An event of a directory stream must be one of the known types, and decode to its schema.
 * const renamed: RecordedEvent = {
 *   streamId: "serviceAccountDirectory-acme",
 *   revision: 4n,
 *   position: 52n,
 *   eventId: "5e0f3c8a-2b1d-4f6e-9a7c-8d6b5a4c3e2f",
 *   type: "ServiceAccountRenamed",
 *   data: {},
 *   metadata: { schemaVersion: 1 },
 *   recordedAt: new Date("2026-12-07T10:00:00Z")
 * }
 * Content.problem(renamed)
 * // 'unknown event type "ServiceAccountRenamed" (a directory holds ServiceAccountCreated, TokenIssued, …)'
 *
 * // Reading a history file the way `sa-audit` does: the first bad event fails the read, naming its line.
 * const events = (text: string) => Ndjson.decodeText(text, { check: Content.problem })
 * ```
 *
 * @since 0.1.0
 */
import {
  type CorruptStoredEvent,
  decode,
  decodeUsage,
  type DomainEvent,
  eventTypes,
  IntegrityCheckpoints,
  isDirectoryStream,
  isUsageStream,
  type RecordedEvent,
  ServiceAccountCreated,
  type StoredUsage,
  ServiceAccountDeleted,
  TokenIssued,
  Token,
  TokenRevoked,
  Upcasting
} from "@service-accounts/domain"
import { Either, ParseResult, Schema } from "effect"

const schemas = {
  ServiceAccountCreated,
  TokenIssued,
  TokenRevoked,
  ServiceAccountDeleted
} as const

type EventType = keyof typeof schemas

const isEventType = (type: string): type is EventType => (eventTypes as ReadonlyArray<string>).includes(type)

const decoders: Record<EventType, (data: unknown) => Either.Either<unknown, ParseResult.ParseError>> = {
  ServiceAccountCreated: Schema.decodeUnknownEither(ServiceAccountCreated, {
    onExcessProperty: "error",
    errors: "all"
  }),
  TokenIssued: Schema.decodeUnknownEither(TokenIssued, { onExcessProperty: "error", errors: "all" }),
  TokenRevoked: Schema.decodeUnknownEither(TokenRevoked, { onExcessProperty: "error", errors: "all" }),
  ServiceAccountDeleted: Schema.decodeUnknownEither(ServiceAccountDeleted, { onExcessProperty: "error", errors: "all" })
}

const describe = (error: ParseResult.ParseError): string =>
  ParseResult.ArrayFormatter.formatErrorSync(error)
    .map((issue) => `data${issue.path.map((key) => `.${String(key)}`).join("")}: ${issue.message}`)
    .join("; ")

/**
 * The problem with an event's content, or `undefined` when it is fine. The directory events are upcast with
 * `registry` first, then decoded exactly as the service decodes them.
 *
 * @since 0.1.0
 * @category validation
 */
export const problemOf = (
  registry: Upcasting.Registry = Upcasting.registry,
  onDecoded?: (event: RecordedEvent, decoded: DomainEvent) => void
): ((event: RecordedEvent) => string | undefined) => {
  const find = (event: RecordedEvent): string | undefined => {
    if (IntegrityCheckpoints.isIntegrityStream(event.streamId)) {
      return Either.match(IntegrityCheckpoints.decodeCheckpoint(event), {
        onLeft: (reason) => `not a readable integrity checkpoint: ${reason}`,
        onRight: () => undefined
      })
    }
    if (!isDirectoryStream(event.streamId)) return undefined
    const upcast = Upcasting.upcast(event, registry)
    if (Either.isLeft(upcast)) return upcast.left.reason
    const { type, data } = upcast.right
    if (!isEventType(type)) return `unknown event type "${type}" (a directory holds ${eventTypes.join(", ")})`
    const decoded = decode(upcast.right)
    if (Either.isRight(decoded)) {
      onDecoded?.(event, decoded.right)
      return undefined
    }
    // Say which fields are wrong, one line each, rather than the union's whole tree.
    const fields = decoders[type](data)
    return Either.isLeft(fields) ? describe(fields.left) : decoded.left.reason
  }
  // What a stored event holds could be anything: quote it safely, and keep it short.
  return (event) => {
    const found = find(event)
    return found === undefined ? undefined : Token.quoteSafely(found, 1000)
  }
}

/**
 * A check that keeps what it decoded, and hands each decoded directory event over once: a replay decodes every
 * event once, not once to check it and again to fold it. Make one per read of a history.
 *
 * With `{ usage: true }` (for `sa-audit usage`) the check also decodes every usage event as the service's usage view
 * does (`decodeUsage`: a `UsageRecorded` that fits its schema, in its own day's and recorder's stream) and keeps it
 * for `usage`. Other commands leave usage streams alone, like any stream they do not read: decoding them would cost
 * a replay several seconds per million usage entries.
 *
 * @since 0.1.0
 * @category decoding
 */
export const checker = (
  registry: Upcasting.Registry = Upcasting.registry,
  options: {
    /** Check and keep usage events too; the caller must then take each one with `usage`. Default: false. */
    readonly usage?: boolean
  } = {}
) => {
  // The events checked and not yet handed over, in order: they are handed over in the order they were checked (a
  // reader checks a chunk's events, then its caller takes them), so the next one is at `next`. Arrays rather than
  // a map keyed by event: a long-lived map, written and emptied for every event, had the collector keep and promote
  // much of what it had held (a third of the collections' work in a replay).
  let events: Array<RecordedEvent | undefined> = []
  let decodings: Array<DomainEvent | undefined> = []
  let next = 0
  // Usage events are few (one per flush of a process): a map is enough for them.
  const pendingUsage = new Map<RecordedEvent, StoredUsage>()
  const directoryProblem = problemOf(registry, (event, decoded) => {
    events.push(event)
    decodings.push(decoded)
  })
  const check =
    options.usage === true
      ? (event: RecordedEvent): string | undefined => {
          if (!isUsageStream(event.streamId)) return directoryProblem(event)
          const decoded = decodeUsage(event)
          if (Either.isLeft(decoded)) return Token.quoteSafely(decoded.left.reason, 1000)
          pendingUsage.set(event, decoded.right)
          return undefined
        }
      : directoryProblem
  return {
    check,
    /** The event decoded by the check (or decoded now), upcast with `registry`. */
    decoded: (event: RecordedEvent): Either.Either<DomainEvent, CorruptStoredEvent> => {
      // Events checked but never asked for (skipped by the caller) are dropped as later ones are asked for.
      const at = events[next] === event ? next : events.indexOf(event, next)
      const known = at === -1 ? undefined : decodings[at]
      if (known === undefined) return Either.flatMap(Upcasting.upcast(event, registry), decode)
      events.fill(undefined, next, at + 1)
      decodings.fill(undefined, next, at + 1)
      next = at + 1
      if (next === events.length) {
        events = []
        decodings = []
        next = 0
      }
      return Either.right(known)
    },
    /**
     * The usage event decoded by the check (or decoded now).
     *
     * @since 0.3.0
     */
    usage: (event: RecordedEvent): Either.Either<StoredUsage, CorruptStoredEvent> => {
      const known = pendingUsage.get(event)
      if (known === undefined) return decodeUsage(event)
      pendingUsage.delete(event)
      return Either.right(known)
    }
  }
}

/**
 * `problemOf` with today's upcasters.
 *
 * @since 0.1.0
 * @category validation
 */
export const problem: (event: RecordedEvent) => string | undefined = problemOf()
