/**
 * Decoding stored events fast, with the event schemas still the decoder of every value:
 *
 * - the member of the union the event's `_tag` names is decoded, not the whole union;
 * - excess properties are looked for with a plain loop first, then the decoders do not look (Effect's own check
 *   costs as much as the rest of the decoding);
 * - values a history repeats thousands of times (the acting user, the organisation, the service account, a token's
 *   scopes) are decoded by their schema the first time and remembered: the same input gives the same result (the
 *   same object, frozen, as events are shared read-only values) without decoding it again, and the read models keep
 *   one copy of it.
 *
 * Anything these do not accept goes to the strict union decoder, so a bad event is reported as before. The
 * machinery is in `fast/decoding.ts` and `fast/compiled.ts` (ADR 0007); this module is the events' table.
 *
 * @internal
 */
import { Either, type ParseResult, Schema } from "effect"
import { Actor } from "../model/Caller.js"
import {
  ServiceAccountCreated,
  ServiceAccountDeleted,
  ServiceAccountEvent,
  TokenIssued,
  TokenRevoked
} from "../model/Events.js"
import { Scopes } from "../model/Scope.js"
import { OrganizationId, ServiceAccountId } from "../model/Ids.js"
import { decodeEither } from "../fast/compiled.js"
import { hasOnlyKeys, remembering } from "../fast/decoding.js"

const actorKeys: ReadonlySet<string> = new Set(Object.keys(Actor.fields))

// The last actor's key and its parts: events come in runs by the same actor, and making the key (a new string, hashed
// again by the map of remembered actors) cost more than the look-up it is for.
let lastUserId = ""
let lastRole = ""
let lastActorKey = ""

const RememberedActor = remembering(Actor, (input) => {
  if (
    typeof input !== "object" ||
    input === null ||
    !("userId" in input) ||
    !("role" in input) ||
    typeof input.userId !== "string" ||
    typeof input.role !== "string" ||
    !hasOnlyKeys(input, actorKeys)
  ) {
    return undefined
  }
  if (input.userId !== lastUserId || input.role !== lastRole || lastActorKey === "") {
    lastUserId = input.userId
    lastRole = input.role
    // The NUL cannot be in a user id (printable ASCII), so the key is unambiguous.
    lastActorKey = `${input.userId}\u0000${input.role}`
  }
  return lastActorKey
})

const stringKey = (input: unknown) => (typeof input === "string" ? input : undefined)
const RememberedOrganizationId = remembering(OrganizationId, stringKey)
// Also shares one copy of each account's id between all its events (and so in the read models).
const RememberedServiceAccountId = remembering(ServiceAccountId, stringKey)

interface Member {
  readonly decode: (data: unknown) => Either.Either<ServiceAccountEvent, ParseResult.ParseError>
  readonly keys: ReadonlySet<string>
}

const member = <A extends ServiceAccountEvent, I>(schema: Schema.Schema<A, I>, fields: object): Member => ({
  decode: decodeEither(schema),
  keys: new Set(Object.keys(fields))
})

// A history holds a handful of distinct scope lists (two scopes make at most four), each many thousand times.
// As for actors: the last scope list's items and key, kept so that a run of the same list makes no key.
let lastScopes: Array<string> = []
let lastScopesKey = ""

/** Whether a value is an array of the same strings as the last scope list's. */
const sameAsLastScopes = (input: ReadonlyArray<unknown>): boolean => {
  if (lastScopesKey === "" || input.length !== lastScopes.length) return false
  for (let i = 0; i < input.length; i++) if (input[i] !== lastScopes[i]) return false
  return true
}

const RememberedScopes = remembering(Scopes, (input) => {
  if (!Array.isArray(input) || input.length > 4) return undefined
  if (sameAsLastScopes(input)) return lastScopesKey
  let key = ""
  for (const item of input) {
    if (typeof item !== "string" || item.includes(",")) return undefined
    key = key === "" ? item : `${key},${item}`
  }
  lastScopes = [...input]
  lastScopesKey = `[${key}]`
  return lastScopesKey
})

const remembered = {
  actor: RememberedActor,
  organizationId: RememberedOrganizationId,
  serviceAccountId: RememberedServiceAccountId
}

const members: ReadonlyMap<string, Member> = new Map([
  [
    "ServiceAccountCreated",
    member(Schema.Struct({ ...ServiceAccountCreated.fields, ...remembered }), ServiceAccountCreated.fields)
  ],
  [
    "TokenIssued",
    member(Schema.Struct({ ...TokenIssued.fields, ...remembered, scopes: RememberedScopes }), TokenIssued.fields)
  ],
  ["TokenRevoked", member(Schema.Struct({ ...TokenRevoked.fields, ...remembered }), TokenRevoked.fields)],
  [
    "ServiceAccountDeleted",
    member(Schema.Struct({ ...ServiceAccountDeleted.fields, ...remembered }), ServiceAccountDeleted.fields)
  ]
])

/** The whole union, strict: what an event that does not decode is reported with. */
const decodeStrict = Schema.decodeUnknownEither(ServiceAccountEvent, { onExcessProperty: "error" })

/** Decodes an event's data: fast when it is well-formed, as the strict union decoder would otherwise. */
export const decodeEventData = (data: unknown): Either.Either<ServiceAccountEvent, ParseResult.ParseError> => {
  if (typeof data === "object" && data !== null && "_tag" in data && typeof data._tag === "string") {
    const found = members.get(data._tag)
    // The actor is the one nested object: its excess properties are looked for here too.
    if (
      found !== undefined &&
      hasOnlyKeys(data, found.keys) &&
      (!("actor" in data) || hasOnlyKeys(data.actor, actorKeys))
    ) {
      const decoded = found.decode(data)
      if (Either.isRight(decoded)) return decoded
    }
  }
  return decodeStrict(data)
}
