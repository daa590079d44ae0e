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
 * An account as the projection keeps it: its tokens in a persistent map plus their issue order, so an update
 * costs the same however many tokens the account has. `AccountView` is the listed form.
 *
 * @since 0.1.0
 * @category models
 */
export interface AccountRecord extends Omit<AccountView, "tokens"> {
  readonly tokens: HashMap.HashMap<TokenId, TokenView>
  readonly tokenOrder: Chunk.Chunk<TokenId>
}

/**
 * One organisation's accounts, in the order they were created (deleted ones included, marked).
 *
 * @since 0.1.0
 * @category models
 */
export interface OrganizationDirectory {
  readonly organizationId: OrganizationId
  readonly accounts: HashMap.HashMap<ServiceAccountId, AccountRecord>
  readonly order: Chunk.Chunk<ServiceAccountId>
}

/**
 * @since 0.1.0
 * @category models
 */
export type DirectoryViewState = HashMap.HashMap<OrganizationId, OrganizationDirectory>

const updateAccount = (
  directory: OrganizationDirectory,
  serviceAccountId: ServiceAccountId,
  f: (account: AccountRecord) => AccountRecord
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
      const account: AccountRecord = {
        serviceAccountId: event.serviceAccountId,
        name: event.name,
        ...(event.description === undefined ? {} : { description: event.description }),
        status: "active",
        createdAt: event.occurredAt,
        createdBy: event.actor,
        tokens: HashMap.empty(),
        tokenOrder: Chunk.empty()
      }
      return {
        ...directory,
        accounts: HashMap.set(directory.accounts, event.serviceAccountId, account),
        order: Chunk.append(directory.order, event.serviceAccountId)
      }
    }
    case "TokenIssued":
      return updateAccount(directory, event.serviceAccountId, (account) =>
        HashMap.has(account.tokens, event.tokenId)
          ? account
          : {
              ...account,
              tokens: HashMap.set(account.tokens, event.tokenId, {
                tokenId: event.tokenId,
                name: event.name,
                hint: event.hint,
                scopes: event.scopes,
                status: "active",
                issuedAt: event.occurredAt,
                issuedBy: event.actor
              }),
              tokenOrder: Chunk.append(account.tokenOrder, event.tokenId)
            }
      )
    case "TokenRevoked":
      return updateAccount(directory, event.serviceAccountId, (account) =>
        Option.match(HashMap.get(account.tokens, event.tokenId), {
          onNone: () => account,
          onSome: (token) => ({
            ...account,
            tokens: HashMap.set(account.tokens, event.tokenId, {
              ...token,
              status: "revoked",
              revokedAt: event.occurredAt,
              revokedBy: event.actor,
              revocationReason: event.reason
            })
          })
        })
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
 * The listed form of an account: its tokens in issue order.
 *
 * @since 0.1.0
 * @category getters
 */
export const view = (account: AccountRecord): AccountView => {
  const { tokens, tokenOrder, ...rest } = account
  const listed: Array<TokenView> = []
  for (const id of tokenOrder) {
    const token = HashMap.get(tokens, id)
    if (Option.isSome(token)) listed.push(token.value)
  }
  return { ...rest, tokens: listed }
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
      out.push(view(account.value))
    }
  }
  return out
}
