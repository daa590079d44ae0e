/**
 * The token index: token digest → principal, for `authenticate`. A lookup is one SHA-256 and one native `Map`
 * read (keyed by an integer taken from the digest, see `internal/tokenSlots.ts`). Revoked tokens stay in the
 * index, marked, so a failed authentication can say why in the logs.
 *
 * The state is a pure value from the outside (an older state never sees later events) but is kept in native
 * `Map`s updated in place while a fold moves forward (see `docs/architecture.md`, "Read models"): read it
 * through `lookup` and `size`.
 *
 * @example
 * ```ts
 * import { type DomainEvent, foldProjection, Token, TokenIndex } from "@service-accounts/domain"
 * import { Option } from "effect"
 *
 * // Who a presented token stands for: looked up by its digest, the only form in which a token is kept.
 * const whoIs = (events: Iterable<DomainEvent>, presented: string) =>
 *   TokenIndex.lookup(foldProjection(TokenIndex.projection, events), Token.digest(presented)).pipe(
 *     Option.filter((entry) => Option.isNone(entry.revoked)), // revoked tokens stay in the index, marked
 *     Option.map((entry) => `${entry.serviceAccountId} with ${entry.scopes.join(", ")}`)
 *   )
 * ```
 *
 * @since 0.1.0
 */
import { Buffer } from "node:buffer"
import { Option, Schema } from "effect"
import { RevocationReason, SecretHash } from "../model/Events.js"
import { type Scope, Scopes } from "../model/Scope.js"
import { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import { binaryOf, digestOf, file, findToken, revoke, Slot, type Slots, slotOf } from "../fast/tokenSlots.js"
import { type SharedValues, sharedValues } from "./shared.js"
import * as Versioned from "../fast/versioned.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "../store/StoredEvent.js"

/**
 * What a token stands for.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenEntry {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly scopes: ReadonlyArray<Scope>
  readonly revoked: Option.Option<RevocationReason>
}

/**
 * The index of every token ever issued.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenIndexState extends Versioned.Version<World> {}

/** The types of a slot's principal fields. */
export interface TokenFields {
  readonly organizationId: OrganizationId
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly scopes: ReadonlyArray<Scope>
  readonly revocation: RevocationReason
}

/** A token as the index keeps it (see `fast/tokenSlots.ts`). */
export type TokenSlot = Slot<TokenFields>

/** The index's world: the slots, and the one copy of each scope list. */
interface World extends Slots<TokenFields> {
  readonly shared: SharedValues
}

const active: Option.Option<RevocationReason> = Option.none()
const revokedBy: { readonly [R in RevocationReason]: Option.Option<RevocationReason> } = {
  Manual: Option.some("Manual"),
  ServiceAccountDeleted: Option.some("ServiceAccountDeleted")
}

const start = (): World => ({ slots: new Map(), keyByToken: new Map(), shared: sharedValues() })

const applyTo = (world: World, { event }: DomainEvent): void => {
  switch (event._tag) {
    case "TokenIssued": {
      // A stored digest is lower-case hex (the event's schema says so); one that is not cannot be presented.
      const digest = binaryOf(event.secretHash)
      if (digest === undefined) return
      file(
        world,
        new Slot<TokenFields>(
          digest,
          event.organizationId,
          event.serviceAccountId,
          event.tokenId,
          world.shared.scopes(event.scopes),
          active
        )
      )
      return
    }
    case "TokenRevoked": {
      const slot = findToken(world, event.tokenId)
      if (slot === undefined || Option.isSome(slot.revoked)) return
      file(world, revoke(slot, revokedBy[event.reason]))
      return
    }
  }
}

/**
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<TokenIndexState> = Versioned.projection({
  name: "token-index",
  version: 2,
  start,
  applyOne: applyTo,
  // Only tokens' events change the index: the others leave the state as it is, without touching the world.
  changes: ({ event }) => event._tag === "TokenIssued" || event._tag === "TokenRevoked"
})

/**
 * The entry for a digest (lower-case hex, as `TokenIssued.secretHash` holds it), if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const lookup = (state: TokenIndexState, digest: string): Option.Option<TokenEntry> => {
  const entry = get(state, digest)
  return entry === undefined ? Option.none() : Option.some(entry)
}

/**
 * The entry for a digest (lower-case hex), or `undefined`: `lookup` without the `Option`.
 *
 * @since 0.2.0
 * @category getters
 */
export const get = (state: TokenIndexState, digest: string): TokenEntry | undefined => {
  const binary = binaryOf(digest)
  const slot = binary === undefined ? undefined : slotFor(state, binary)
  return slot === undefined
    ? undefined
    : {
        organizationId: slot.organizationId,
        serviceAccountId: slot.serviceAccountId,
        tokenId: slot.tokenId,
        scopes: slot.scopes,
        revoked: slot.revoked
      }
}

/**
 * The entry of a token, by its id, if the index has it.
 *
 * @since 0.3.0
 * @category getters
 */
export const byTokenId = (state: TokenIndexState, tokenId: TokenId): TokenEntry | undefined => {
  const world = Versioned.read(state)
  const slot = world === undefined ? undefined : findToken(world, tokenId)
  return slot === undefined
    ? undefined
    : {
        organizationId: slot.organizationId,
        serviceAccountId: slot.serviceAccountId,
        tokenId: slot.tokenId,
        scopes: slot.scopes,
        revoked: slot.revoked
      }
}

/**
 * The slot of a digest in its binary form (see `fast/tokenSlots.ts`): what `authenticate` reads.
 *
 * @internal
 */
export const slotFor = (state: TokenIndexState, binaryDigest: string): TokenSlot | undefined =>
  slotOf<TokenFields, World>(state, binaryDigest)

/**
 * The number of tokens in the index, revoked ones included.
 *
 * @since 0.2.0
 * @category getters
 */
export const size = (state: TokenIndexState): number => Versioned.read(state)?.keyByToken.size ?? 0

/**
 * A token of the index as plain JSON, `[digest, organizationId, serviceAccountId, tokenId, scopes, revocation]`
 * (the digest in lower-case hex, as `TokenIssued.secretHash` holds it; `revocation` null while active): what a
 * snapshot keeps. Digests only, never token values.
 *
 * @since 0.3.0
 * @category models
 */
export type TokenJson = typeof TokenJsonTuple.Type

const TokenJsonTuple = Schema.Tuple(
  SecretHash,
  OrganizationId,
  ServiceAccountId,
  TokenId,
  Scopes,
  Schema.NullOr(RevocationReason)
)

/**
 * The schema of `TokenJson`: decode a snapshot's tokens with it before `fromJson`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const TokenJsonSchema: Schema.Schema<TokenJson, typeof TokenJsonTuple.Encoded> = TokenJsonTuple

/** A binary digest (32 one-byte characters) in lower-case hex. */
const hexOf = (binary: string): string => Buffer.from(binary, "latin1").toString("hex")

/**
 * The index as plain JSON, one entry per token, in the order the tokens were issued. `fromJson` gives the same
 * index back.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const toJson = (state: TokenIndexState): Array<TokenJson> => {
  const world = Versioned.read(state)
  const out: Array<TokenJson> = []
  if (world === undefined) return out
  for (const tokenId of world.keyByToken.keys()) {
    const slot = findToken(world, tokenId)
    if (slot === undefined) continue
    out.push([
      SecretHash.make(hexOf(digestOf(slot)), true),
      slot.organizationId,
      slot.serviceAccountId,
      slot.tokenId,
      slot.scopes,
      Option.getOrNull(slot.revoked)
    ])
  }
  return out
}

/**
 * Builds an index from JSON tokens given one at a time (a snapshot read chunk by chunk), then hands it over.
 *
 * @since 0.3.0
 * @category snapshots
 */
export interface IndexBuilder {
  readonly add: (token: TokenJson) => void
  readonly build: () => TokenIndexState
}

/**
 * A builder of an index from JSON tokens: the same index the fold of their events would have made.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const builder = (): IndexBuilder => {
  const world = start()
  return {
    add: ([digest, organizationId, serviceAccountId, tokenId, scopes, revocation]) => {
      const binary = binaryOf(digest)
      if (binary === undefined) return
      // Outside any update nothing is recorded: the world is new, and nobody else holds it.
      file(
        world,
        new Slot<TokenFields>(
          binary,
          organizationId,
          serviceAccountId,
          tokenId,
          world.shared.scopes(scopes),
          revocation === null ? active : revokedBy[revocation]
        )
      )
    },
    build: () => Versioned.of(world)
  }
}

/**
 * The index these JSON tokens stand for (as `toJson` gave them).
 *
 * @since 0.3.0
 * @category snapshots
 */
export const fromJson = (tokens: Iterable<TokenJson>): TokenIndexState => {
  const built = builder()
  for (const token of tokens) built.add(token)
  return built.build()
}
