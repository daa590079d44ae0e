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
 * Anything these do not accept goes to the strict union decoder, so a bad event is reported as before. The same
 * goes for NDJSON lines (`Ndjson.decodeLine`): their excess properties are looked for first, and what `JSON.parse`
 * just made only needs its numbers checked to be JSON.
 *
 * @internal
 */
import { Either, ParseResult, Schema } from "effect"
import { Actor } from "../model/Caller.js"
import {
  Scopes,
  ServiceAccountCreated,
  ServiceAccountDeleted,
  ServiceAccountEvent,
  TokenIssued,
  TokenRevoked
} from "../model/Events.js"
import type { Json } from "./EventStore.js"
import { OrganizationId, ServiceAccountId } from "../model/Ids.js"
import { decodeEither } from "../fast/compiled.js"

/**
 * Whether a value just made by `JSON.parse` (or a stored JSON value) has no other properties than these (a value
 * that is no object passes: the schema refuses it). JSON values only have enumerable string keys.
 */
export const hasOnlyKeys = (value: unknown, keys: ReadonlySet<string>): boolean => {
  if (typeof value !== "object" || value === null) return true
  for (const key in value) if (!keys.has(key)) return false
  return true
}

/**
 * Whether a value made by `JSON.parse` is JSON: it is, unless it holds a number too large to be finite
 * (`1e999`). Unlike `isJson` it allocates nothing.
 */
export const isParsedJson = (value: unknown): value is Json => {
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || value === null) return true
  if (Array.isArray(value)) {
    for (const item of value) if (!isParsedJson(item)) return false
    return true
  }
  for (const key in value) if (!isParsedJson(Reflect.get(value, key))) return false
  return true
}

/** Any JSON value, of a value `JSON.parse` made. */
export const ParsedJson: Schema.Schema<Json> = Schema.declare(isParsedJson)
/** A JSON object, of a value `JSON.parse` made. */
export const ParsedJsonObject: Schema.Schema<{ readonly [key: string]: Json }> = Schema.declare(
  (value): value is { readonly [key: string]: Json } =>
    typeof value === "object" && value !== null && !Array.isArray(value) && isParsedJson(value)
)

/** At most this many remembered values per schema; then it starts over (a hostile history cannot grow it). */
const REMEMBERED = 32768

/** `schema`, remembering what it decoded, by a key of the input (inputs without a key are always decoded). */
const remembering = <A, I>(
  schema: Schema.Schema<A, I>,
  keyOf: (input: unknown) => string | undefined
): Schema.Schema<A, unknown> => {
  const decode = ParseResult.decodeUnknownEither(schema)
  const known = new Map<string, A>()
  return Schema.declare([], {
    decode: () => (input, options) => {
      const key = keyOf(input)
      const hit = key === undefined ? undefined : known.get(key)
      if (hit !== undefined) return ParseResult.succeed(hit)
      const decoded = decode(input, options)
      if (key !== undefined && Either.isRight(decoded)) {
        if (known.size >= REMEMBERED) known.clear()
        known.set(key, Object.freeze(decoded.right))
      }
      return decoded
    },
    encode: () => (input) => ParseResult.succeed(input)
  })
}

const actorKeys: ReadonlySet<string> = new Set(Object.keys(Actor.fields))

const RememberedActor = remembering(Actor, (input) =>
  typeof input === "object" &&
  input !== null &&
  "userId" in input &&
  "role" in input &&
  typeof input.userId === "string" &&
  typeof input.role === "string" &&
  hasOnlyKeys(input, actorKeys)
    ? // The NUL cannot be in a user id (printable ASCII), so the key is unambiguous.
      `${input.userId}\u0000${input.role}`
    : undefined
)

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
const RememberedScopes = remembering(Scopes, (input) => {
  if (!Array.isArray(input) || input.length > 4) return undefined
  let key = ""
  for (const item of input) {
    if (typeof item !== "string" || item.includes(",")) return undefined
    key = key === "" ? item : `${key},${item}`
  }
  return `[${key}]`
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
