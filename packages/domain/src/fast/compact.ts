/**
 * How read models keep what they hold small: one copy of each actor and scope list, times as epoch milliseconds,
 * positions and revisions as numbers while they fit. Also the times the deciders stamp and the encoder formats,
 * made once per millisecond.
 *
 * @internal
 */
import { DateTime } from "effect"

/**
 * Shared copies of the values a history repeats thousands of times. Equal values give the same object. `copy` makes
 * the shared copy of an actor (the event's own object may carry more than the two fields).
 */
export class Interner<A extends { readonly userId: string; readonly role: string }, S extends string> {
  private readonly actors = new Map<string, Map<string, A>>()
  private readonly scopeLists = new Map<string, ReadonlyArray<S>>()
  constructor(private readonly copy: (actor: A) => A) {}

  actor(actor: A): A {
    let roles = this.actors.get(actor.userId)
    if (roles === undefined) {
      roles = new Map()
      this.actors.set(actor.userId, roles)
    }
    const known = roles.get(actor.role)
    if (known !== undefined) return known
    const shared = this.copy(actor)
    roles.set(actor.role, shared)
    return shared
  }

  scopes(scopes: ReadonlyArray<S>): ReadonlyArray<S> {
    const key = scopes.length === 1 ? (scopes[0] ?? "") : scopes.join(",")
    const known = this.scopeLists.get(key)
    if (known !== undefined) return known
    const shared = Object.freeze([...scopes])
    this.scopeLists.set(key, shared)
    return shared
  }
}

/** A time as kept: epoch milliseconds (a `DateTime.Utc` holds nothing more). */
export const millis = (time: DateTime.Utc): number => time.epochMillis

/** A kept time as a `DateTime.Utc`. */
export const utc = (epochMillis: number): DateTime.Utc => DateTime.unsafeMake(epochMillis)

// Commands arrive many to a millisecond: the last time made and the last time formatted are kept (both are
// immutable values, so handing the same one out twice changes nothing).
let lastMillis = Number.NaN
let lastUtc: DateTime.Utc = DateTime.unsafeMake(0)
let lastIsoMillis = Number.NaN
let lastIso = ""

/** `DateTime.unsafeMake(epochMillis)`, the same value for the same millisecond while it is the latest asked for. */
export const utcAt = (epochMillis: number): DateTime.Utc => {
  if (epochMillis !== lastMillis) {
    lastUtc = DateTime.unsafeMake(epochMillis)
    lastMillis = epochMillis
  }
  return lastUtc
}

/** `DateTime.formatIso(time)`, formatted once per millisecond while it is the latest asked for. */
export const isoOf = (time: DateTime.Utc): string => {
  const epochMillis = time.epochMillis
  if (epochMillis !== lastIsoMillis) {
    lastIso = DateTime.formatIso(time)
    lastIsoMillis = epochMillis
  }
  return lastIso
}

/** A 64-bit counter as kept: a number when it is exact as one. */
export const counter = (value: bigint): number | bigint =>
  value <= 9007199254740991n && value >= 0n ? Number(value) : value

/** A kept counter as a `bigint`. */
export const bigintOf = (value: number | bigint): bigint => (typeof value === "bigint" ? value : BigInt(value))
