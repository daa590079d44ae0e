/**
 * How the directory view keeps its state (see `DirectoryView`): records of accounts and tokens, replaced and never
 * changed, in native `Map`s that a fold moving forward updates in place.
 *
 * @internal
 */
import type { Actor } from "../model/Caller.js"
import type { RevocationReason } from "../model/Events.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import type { Scope } from "../model/Scope.js"
import { type SharedValues, sharedValues } from "./shared.js"

/** A token as kept: times in epoch milliseconds, shared actors and scope lists. Replaced, never changed. */
export class TokenRecord {
  constructor(
    readonly tokenId: TokenId,
    readonly name: string,
    readonly hint: string,
    readonly scopes: ReadonlyArray<Scope>,
    readonly issuedAt: number,
    readonly issuedBy: Actor,
    readonly revokedAt: number,
    readonly revokedBy: Actor | undefined,
    readonly revocationReason: RevocationReason | undefined
  ) {}
}

/** An account as kept. Its tokens `Map` (in issue order) is part of the world; the record is replaced, never changed. */
export class AccountRecord {
  constructor(
    readonly serviceAccountId: ServiceAccountId,
    readonly name: string,
    readonly description: string | undefined,
    readonly createdAt: number,
    readonly createdBy: Actor,
    readonly deletedAt: number,
    readonly deletedBy: Actor | undefined,
    readonly tokens: Map<TokenId, TokenRecord>
  ) {}
}

export interface World {
  /** Organisations in the order of their first event; their accounts in creation order. */
  readonly organizations: Map<OrganizationId, Map<ServiceAccountId, AccountRecord>>
  readonly shared: SharedValues
}

export const start = (): World => ({ organizations: new Map(), shared: sharedValues() })
