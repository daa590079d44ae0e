/**
 * How the token index is kept, for `authenticate`: one slot per token, found by the token's SHA-256 digest in its
 * binary form (32 one-byte characters, as `crypto.hash(…, "binary")` gives it) through a native `Map` keyed by a
 * small integer taken from the digest's first 30 bits.
 *
 * Why so: at 100,000 tokens and more, a look-up's time is mostly memory reads that miss the processor's caches,
 * one per object touched. A `Map` keyed by the hex digest touches its key string as it compares (and hashes the
 * presented digest, 64 characters); a slot that pointed to its digest string and to a principal object would add
 * two more. So the key is an integer (no string hashed or compared while the `Map` probes), and a slot holds
 * everything a request needs in its own fields: the rest of the digest as ten 24-bit numbers (bytes 3 to 31; the
 * key holds bytes 0 to 2), and the principal's four fields, from which `authenticate` makes the principal it
 * returns. A look-up reads the `Map` and one slot.
 *
 * SHA-256 digests are uniformly distributed, so the keys are too; two tokens share a key about once in a billion
 * pairs (about 5 keys shared at 100,000 tokens), and a shared key holds a short array of slots. A token is found
 * only when its whole digest is equal: the key only narrows the search.
 *
 * @internal
 */
import * as crypto from "node:crypto"
import type { Option } from "effect"
import * as Versioned from "./versioned.js"

/**
 * The types of a slot's principal fields, as the token index names them (branded ids, its scope and revocation
 * types): the slots keep whatever they are given and only compare digests.
 */
export interface SlotFields {
  readonly organizationId: string
  readonly serviceAccountId: string
  readonly tokenId: string
  readonly scopes: ReadonlyArray<string>
  readonly revocation: string
}

/**
 * The SHA-256 digest of a token value in binary form: `Token.digest`'s 32 bytes as 32 one-byte characters
 * ("binary" is Node's name for latin1; `crypto.hash` is one-shot, from Node 20.12, `createHash` the fallback).
 */
export const binaryDigest: (value: string) => string =
  typeof crypto.hash === "function"
    ? (value) => crypto.hash("sha256", value, "binary")
    : (value) => crypto.createHash("sha256").update(value, "utf8").digest("binary")

/** The integer a binary digest is filed under: its first 30 bits, a small integer for the engine. */
export const keyOf = (digest: string): number =>
  digest.charCodeAt(0) |
  (digest.charCodeAt(1) << 8) |
  (digest.charCodeAt(2) << 16) |
  ((digest.charCodeAt(3) & 0x3f) << 24)

/**
 * Bytes `3 * n` to `3 * n + 2` of a binary digest as one number. The last, n = 10, has two bytes: reading past the
 * end gives `NaN`, which a bitwise operator takes as 0.
 */
const chunk = (digest: string, n: number): number =>
  (digest.charCodeAt(3 * n) << 16) | (digest.charCodeAt(3 * n + 1) << 8) | digest.charCodeAt(3 * n + 2)

/**
 * One token, in the fields a request reads. Replaced on revocation, never changed — but for the usage tally, which
 * is the recorder's and not the index's.
 */
export class Slot<F extends SlotFields> {
  readonly key: number
  readonly d1: number
  readonly d2: number
  readonly d3: number
  readonly d4: number
  readonly d5: number
  readonly d6: number
  readonly d7: number
  readonly d8: number
  readonly d9: number
  readonly d10: number
  /**
   * Requests of this token counted since the usage recorder last flushed, and the last one's time: the only fields
   * that change, and only the recorder of the service that owns the index writes or reads them (see
   * `service/usage.ts`) — `authenticate` counts a request here, on the slot it has just read, rather than in a `Map`
   * of its own. `tallyRound` is the recorder's round the counts belong to; they are void in any other round.
   * Nothing else (the token index, its snapshots, equality) looks at them.
   */
  tallyRound = -1
  tallyRequests = 0
  tallyLastUsedAt = 0
  /** A token's slot from its binary digest, or a copy of a slot (the digest read from it) with other fields. */
  constructor(
    digest: string | Slot<F>,
    readonly organizationId: F["organizationId"],
    readonly serviceAccountId: F["serviceAccountId"],
    readonly tokenId: F["tokenId"],
    readonly scopes: F["scopes"],
    readonly revoked: Option.Option<F["revocation"]>
  ) {
    // Both ways assign the same fields in the same order: every slot has one shape, so reads of it stay fast.
    const from = typeof digest === "string" ? undefined : digest
    const text = typeof digest === "string" ? digest : ""
    this.key = from?.key ?? keyOf(text)
    this.d1 = from?.d1 ?? chunk(text, 1)
    this.d2 = from?.d2 ?? chunk(text, 2)
    this.d3 = from?.d3 ?? chunk(text, 3)
    this.d4 = from?.d4 ?? chunk(text, 4)
    this.d5 = from?.d5 ?? chunk(text, 5)
    this.d6 = from?.d6 ?? chunk(text, 6)
    this.d7 = from?.d7 ?? chunk(text, 7)
    this.d8 = from?.d8 ?? chunk(text, 8)
    this.d9 = from?.d9 ?? chunk(text, 9)
    this.d10 = from?.d10 ?? chunk(text, 10)
  }
}

/** Whether a slot is the token of a binary digest filed under the slot's key (bytes 0 to 2 are equal then). */
const holds = <F extends SlotFields>(slot: Slot<F>, digest: string): boolean =>
  slot.d1 === chunk(digest, 1) &&
  slot.d2 === chunk(digest, 2) &&
  slot.d3 === chunk(digest, 3) &&
  slot.d4 === chunk(digest, 4) &&
  slot.d5 === chunk(digest, 5) &&
  slot.d6 === chunk(digest, 6) &&
  slot.d7 === chunk(digest, 7) &&
  slot.d8 === chunk(digest, 8) &&
  slot.d9 === chunk(digest, 9) &&
  slot.d10 === chunk(digest, 10)

/** The binary digest a slot holds: bytes 0 to 2 from its key, the rest from its numbers. */
export const digestOf = <F extends SlotFields>(slot: Slot<F>): string => {
  const bytes = [slot.key & 0xff, (slot.key >>> 8) & 0xff, (slot.key >>> 16) & 0xff]
  for (const n of [slot.d1, slot.d2, slot.d3, slot.d4, slot.d5, slot.d6, slot.d7, slot.d8, slot.d9, slot.d10]) {
    bytes.push((n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff)
  }
  return String.fromCharCode(...bytes.slice(0, 32))
}

/** Whether two slots hold the same digest (only when filing, not on the request path). */
const sameDigest = <F extends SlotFields>(a: Slot<F>, b: Slot<F>): boolean => a.key === b.key && holds(a, digestOf(b))

/** The same token, revoked. */
export const revoke = <F extends SlotFields>(slot: Slot<F>, reason: Option.Option<F["revocation"]>): Slot<F> =>
  new Slot(slot, slot.organizationId, slot.serviceAccountId, slot.tokenId, slot.scopes, reason)

/** The slots of a token index's world (see `versioned.ts`). */
export interface Slots<F extends SlotFields> {
  /** The slots, by key: one slot, or the slots of several tokens whose digests share the key. */
  readonly slots: Map<number, Slot<F> | ReadonlyArray<Slot<F>>>
  /** Each token's key, for revocations. Its size is the number of tokens ever issued. */
  readonly keyByToken: Map<F["tokenId"], number>
}

/** The slot of a binary digest in a token index state (its newest world, or the one it reroots to), if any. */
export const slotOf = <F extends SlotFields, W extends Slots<F>>(
  state: Versioned.Version<W>,
  digest: string
): Slot<F> | undefined => {
  const world = state.world ?? Versioned.read(state)
  return world === undefined ? undefined : find(world, digest)
}

/** The slot of a binary digest, if any. */
export const find = <F extends SlotFields>(world: Slots<F>, digest: string): Slot<F> | undefined => {
  const filed = world.slots.get(keyOf(digest))
  if (filed === undefined) return undefined
  if (filed instanceof Slot) return holds(filed, digest) ? filed : undefined
  for (const slot of filed) if (holds(slot, digest)) return slot
  return undefined
}

/** The slot of a token, if any. */
export const findToken = <F extends SlotFields>(world: Slots<F>, tokenId: F["tokenId"]): Slot<F> | undefined => {
  const key = world.keyByToken.get(tokenId)
  const filed = key === undefined ? undefined : world.slots.get(key)
  if (filed === undefined) return undefined
  if (filed instanceof Slot) return filed.tokenId === tokenId ? filed : undefined
  for (const slot of filed) if (slot.tokenId === tokenId) return slot
  return undefined
}

/** Files a slot during `Versioned.update`, in place of the slot of the same digest if there is one. */
export const file = <F extends SlotFields>(world: Slots<F>, slot: Slot<F>): void => {
  const filed = world.slots.get(slot.key)
  if (filed === undefined || (filed instanceof Slot && sameDigest(filed, slot))) {
    Versioned.set(world.slots, slot.key, slot)
  } else {
    // A shared key: a new array each time (an older version may still hold the previous one).
    const others = (filed instanceof Slot ? [filed] : filed).filter((other) => !sameDigest(other, slot))
    Versioned.set(world.slots, slot.key, [...others, slot])
  }
  Versioned.set(world.keyByToken, slot.tokenId, slot.key)
}

const HEX_VALUE = (() => {
  const table = new Int8Array(128).fill(-1)
  for (let i = 0; i < 10; i++) table[48 + i] = i
  for (let i = 0; i < 6; i++) table[97 + i] = 10 + i
  return table
})()
const codes: Array<number> = new Array(32).fill(0)

/** A digest in lower-case hex (64 characters) in its binary form, or `undefined` if it is not one. */
export const binaryOf = (hex: string): string | undefined => {
  if (hex.length !== 64) return undefined
  for (let i = 0; i < 32; i++) {
    const high = HEX_VALUE[hex.charCodeAt(2 * i)] ?? -1
    const low = HEX_VALUE[hex.charCodeAt(2 * i + 1)] ?? -1
    if (high < 0 || low < 0) return undefined
    codes[i] = (high << 4) | low
  }
  return String.fromCharCode.apply(null, codes)
}
