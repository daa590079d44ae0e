/**
 * The token index: token digest → principal, for `authenticate`. A lookup is one SHA-256 and one native `Map`
 * read. Revoked tokens stay in the index, marked, so a failed authentication can say why in the logs.
 *
 * The state is a pure value from the outside (an older state never sees later events) but is kept in native
 * `Map`s updated in place while a fold moves forward (see `docs/architecture.md`, "Read models"): read it
 * through `lookup` and `size`.
 *
 * @since 0.1.0
 */
import { Option } from "effect"
import type { RevocationReason, Scope } from "./Events.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"
import { Interner } from "./internal/compact.js"
import * as Versioned from "./internal/versioned.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "./StoredEvent.js"

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

interface World {
  readonly byDigest: Map<string, TokenEntry>
  readonly digestByToken: Map<TokenId, string>
  readonly shared: Interner
}

/**
 * The index of every token ever issued.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenIndexState extends Versioned.Version<World> {}

const active: Option.Option<RevocationReason> = Option.none()
const revokedBy: { readonly [R in RevocationReason]: Option.Option<RevocationReason> } = {
  Manual: Option.some("Manual"),
  ServiceAccountDeleted: Option.some("ServiceAccountDeleted")
}

const start = (): World => ({ byDigest: new Map(), digestByToken: new Map(), shared: new Interner() })

const applyTo = (world: World, { event }: DomainEvent): void => {
  switch (event._tag) {
    case "TokenIssued":
      Versioned.set(world.byDigest, event.secretHash, {
        organizationId: event.organizationId,
        serviceAccountId: event.serviceAccountId,
        tokenId: event.tokenId,
        scopes: world.shared.scopes(event.scopes),
        revoked: active
      })
      Versioned.set(world.digestByToken, event.tokenId, event.secretHash)
      return
    case "TokenRevoked": {
      const digest = world.digestByToken.get(event.tokenId)
      const entry = digest === undefined ? undefined : world.byDigest.get(digest)
      if (digest === undefined || entry === undefined || Option.isSome(entry.revoked)) return
      Versioned.set(world.byDigest, digest, { ...entry, revoked: revokedBy[event.reason] })
      return
    }
  }
}

const applyToAll = (world: World, events: Iterable<DomainEvent>): void => {
  for (const event of events) applyTo(world, event)
}

/**
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<TokenIndexState> = {
  name: "token-index",
  version: 2,
  initialState: Versioned.empty(),
  apply: (state, recorded) =>
    // Only tokens' events change the index: the others leave the state as it is, without touching the world.
    recorded.event._tag === "TokenIssued" || recorded.event._tag === "TokenRevoked"
      ? Versioned.update(state, start, applyTo, recorded)
      : state,
  applyAll: (state, events) => Versioned.update(state, start, applyToAll, events)
}

/**
 * The entry for a digest, if any.
 *
 * @since 0.1.0
 * @category getters
 */
export const lookup = (state: TokenIndexState, digest: string): Option.Option<TokenEntry> => {
  const entry = get(state, digest)
  return entry === undefined ? Option.none() : Option.some(entry)
}

/**
 * The entry for a digest, or `undefined`: `lookup` without the `Option`, for a path that runs on every request
 * (one native `Map.get` on the newest state).
 *
 * @since 0.2.0
 * @category getters
 */
export const get = (state: TokenIndexState, digest: string): TokenEntry | undefined =>
  (state.world ?? Versioned.read(state))?.byDigest.get(digest)

/**
 * The number of tokens in the index, revoked ones included.
 *
 * @since 0.2.0
 * @category getters
 */
export const size = (state: TokenIndexState): number => Versioned.read(state)?.byDigest.size ?? 0
