/**
 * The directory view: per organisation, its service accounts with their tokens, status, and who did what
 * when — what a management page lists. Tokens appear with their non-secret hint only.
 *
 * @since 0.1.0
 */
import { Chunk, type DateTime, HashMap, Option } from "effect"
import type { Actor } from "./Caller.js"
import type { RevocationReason, Scope } from "./Events.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "./Ids.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "./StoredEvent.js"

/**
 * A token as listed.
 *
 * @since 0.1.0
 * @category models
 */
export interface TokenView {
  readonly tokenId: TokenId
  readonly name: string
  readonly hint: string
  readonly scopes: ReadonlyArray<Scope>
  readonly status: "active" | "revoked"
  readonly issuedAt: DateTime.Utc
  readonly issuedBy: Actor
  readonly revokedAt?: DateTime.Utc
  readonly revokedBy?: Actor
  readonly revocationReason?: RevocationReason
}

/**
 * A service account as listed.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccountView {
  readonly serviceAccountId: ServiceAccountId
  readonly name: string
  readonly description?: string
  readonly status: "active" | "deleted"
  readonly createdAt: DateTime.Utc
  readonly createdBy: Actor
  readonly deletedAt?: DateTime.Utc
  readonly deletedBy?: Actor
  /** In the order they were issued. */
  readonly tokens: ReadonlyArray<TokenView>
}

/**
 * One organisation's accounts, in the order they were created (deleted ones included, marked).
 *
 * @since 0.1.0
 * @category models
 */
export interface OrganizationDirectory {
  readonly organizationId: OrganizationId
  readonly accounts: HashMap.HashMap<ServiceAccountId, AccountView>
  readonly order: Chunk.Chunk<ServiceAccountId>
}

/**
 * @since 0.1.0
 * @category models
 */
export type DirectoryViewState = HashMap.HashMap<OrganizationId, OrganizationDirectory>

const updateToken = (account: AccountView, tokenId: TokenId, f: (token: TokenView) => TokenView): AccountView => ({
  ...account,
  tokens: account.tokens.map((token) => (token.tokenId === tokenId ? f(token) : token))
})

const updateAccount = (
  directory: OrganizationDirectory,
  serviceAccountId: ServiceAccountId,
  f: (account: AccountView) => AccountView
): OrganizationDirectory =>
  Option.match(HashMap.get(directory.accounts, serviceAccountId), {
    onNone: () => directory,
    onSome: (account) => ({ ...directory, accounts: HashMap.set(directory.accounts, serviceAccountId, f(account)) })
  })

/**
 * Folds one event into one organisation's directory.
 *
 * @since 0.1.0
 * @category folds
 */
export const applyToOrganization = (
  directory: OrganizationDirectory,
  { event }: DomainEvent
): OrganizationDirectory => {
  switch (event._tag) {
    case "ServiceAccountCreated": {
      if (HashMap.has(directory.accounts, event.serviceAccountId)) return directory
      const account: AccountView = {
        serviceAccountId: event.serviceAccountId,
        name: event.name,
        ...(event.description === undefined ? {} : { description: event.description }),
        status: "active",
        createdAt: event.occurredAt,
        createdBy: event.actor,
        tokens: []
      }
      return {
        ...directory,
        accounts: HashMap.set(directory.accounts, event.serviceAccountId, account),
        order: Chunk.append(directory.order, event.serviceAccountId)
      }
    }
    case "TokenIssued":
      return updateAccount(directory, event.serviceAccountId, (account) => ({
        ...account,
        tokens: [
          ...account.tokens,
          {
            tokenId: event.tokenId,
            name: event.name,
            hint: event.hint,
            scopes: event.scopes,
            status: "active",
            issuedAt: event.occurredAt,
            issuedBy: event.actor
          }
        ]
      }))
    case "TokenRevoked":
      return updateAccount(directory, event.serviceAccountId, (account) =>
        updateToken(account, event.tokenId, (token) => ({
          ...token,
          status: "revoked",
          revokedAt: event.occurredAt,
          revokedBy: event.actor,
          revocationReason: event.reason
        }))
      )
    case "ServiceAccountDeleted":
      return updateAccount(directory, event.serviceAccountId, (account) => ({
        ...account,
        status: "deleted",
        deletedAt: event.occurredAt,
        deletedBy: event.actor
      }))
  }
}

/**
 * An organisation's directory before any event.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyDirectory = (organizationId: OrganizationId): OrganizationDirectory => ({
  organizationId,
  accounts: HashMap.empty(),
  order: Chunk.empty()
})

/**
 * The directory view of every organisation.
 *
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<DirectoryViewState> = {
  name: "directory-view",
  version: 1,
  initialState: HashMap.empty(),
  apply: (state, event) => {
    const organizationId = event.event.organizationId
    const directory = Option.getOrElse(HashMap.get(state, organizationId), () => emptyDirectory(organizationId))
    return HashMap.set(state, organizationId, applyToOrganization(directory, event))
  }
}

/**
 * The accounts of a directory in creation order; deleted ones only when asked for.
 *
 * @since 0.1.0
 * @category getters
 */
export const accounts = (
  directory: OrganizationDirectory,
  options?: { readonly includeDeleted?: boolean }
): ReadonlyArray<AccountView> => {
  const out: Array<AccountView> = []
  for (const id of directory.order) {
    const account = HashMap.get(directory.accounts, id)
    if (Option.isSome(account) && (options?.includeDeleted === true || account.value.status === "active")) {
      out.push(account.value)
    }
  }
  return out
}
