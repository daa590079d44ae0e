/**
 * The directory view: per organisation, its service accounts with their tokens, status, and who did what
 * when — what a management page lists. Tokens appear with their non-secret hint only.
 *
 * The state is a pure value from the outside (an older state never sees later events) but is kept compactly and
 * updated in place while a fold moves forward (see `docs/architecture.md`, "Read models"): read it through
 * `organizations`, `directoryOf`, `accounts` and `account`, which build `AccountView`s and `TokenView`s.
 *
 * @example
 * ```ts
 * import { DirectoryView, type DomainEvent, foldProjection, type OrganizationId } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * // What a management page lists, folded from an organisation's decoded events.
 * const listing = (events: Iterable<DomainEvent>, organizationId: OrganizationId) => {
 *   const view = foldProjection(DirectoryView.projection, events)
 *   return DirectoryView.accounts(DirectoryView.directoryOf(view, organizationId)).map((account) => ({
 *     name: account.name,
 *     tokens: account.tokens.map((token) => `${token.name} …${token.hint} ${token.status}`) // never a token value
 *   }))
 * }
 *
 * // Views have schemas, to send them on as JSON (times as ISO 8601 text).
 * const toJson = Schema.encodeSync(DirectoryView.AccountViewSchema)
 * ```
 *
 * @since 0.1.0
 */
import { type DateTime, Option, type Schema } from "effect"
import type { Actor } from "../model/Caller.js"
import type { RevocationReason } from "../model/Events.js"
import type { Scope } from "../model/Scope.js"
import type { OrganizationId, ServiceAccountId, TokenId } from "../model/Ids.js"
import { millis, utc } from "../fast/compact.js"
import * as Versioned from "../fast/versioned.js"
import { AccountRecord, start, TokenRecord } from "./directoryViewWorld.js"
import * as Json from "./directoryViewJson.js"
import * as Views from "./directoryViewSchemas.js"
import type * as World from "./directoryViewWorld.js"
import type { Projection } from "./Projection.js"
import type { DomainEvent } from "../store/StoredEvent.js"

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
  /**
   * When the token was last used, as the service's usage view knows it (`list` and `get` add it; the directory view
   * itself does not hold it).
   *
   * @since 0.3.0
   */
  readonly lastUsedAt?: DateTime.Utc
}

/**
 * The schema of a `TokenView`, for hosts that send or keep listings: times as ISO 8601 strings in the encoded form.
 *
 * @since 0.2.0
 * @category schemas
 */
export const TokenViewSchema: Schema.Schema<TokenView, typeof Views.TokenViewStruct.Encoded> = Views.TokenViewStruct

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
 * The schema of an `AccountView`, its tokens included: times as ISO 8601 strings in the encoded form.
 *
 * @since 0.2.0
 * @category schemas
 */
export const AccountViewSchema: Schema.Schema<AccountView, typeof Views.AccountViewStruct.Encoded> =
  Views.AccountViewStruct

/**
 * The directory view of every organisation.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryViewState extends Versioned.Version<World.World> {}

/**
 * One organisation's directory in one state of the view: what `accounts` and `account` read.
 *
 * @since 0.1.0
 * @category models
 */
export interface OrganizationDirectory {
  readonly organizationId: OrganizationId
  /** The state of the view it belongs to. */
  readonly state: DirectoryViewState
}

const applyTo = (world: World.World, { event }: DomainEvent): void => {
  let accounts = world.organizations.get(event.organizationId)
  if (accounts === undefined) {
    accounts = new Map()
    Versioned.set(world.organizations, event.organizationId, accounts)
  }
  const account = accounts.get(event.serviceAccountId)
  switch (event._tag) {
    case "ServiceAccountCreated": {
      if (account !== undefined) return
      const { description, name, occurredAt, actor, serviceAccountId } = event
      const created = new AccountRecord(
        serviceAccountId,
        name,
        description,
        millis(occurredAt),
        world.shared.actor(actor),
        Number.NaN,
        undefined,
        new Map()
      )
      Versioned.set(accounts, serviceAccountId, created)
      return
    }
    case "TokenIssued": {
      if (account === undefined || account.tokens.has(event.tokenId)) return
      const issued = new TokenRecord(
        event.tokenId,
        event.name,
        event.hint,
        world.shared.scopes(event.scopes),
        millis(event.occurredAt),
        world.shared.actor(event.actor),
        Number.NaN,
        undefined,
        undefined
      )
      Versioned.set(account.tokens, event.tokenId, issued)
      return
    }
    case "TokenRevoked": {
      const token = account?.tokens.get(event.tokenId)
      if (account === undefined || token === undefined) return
      const revoked = new TokenRecord(
        token.tokenId,
        token.name,
        token.hint,
        token.scopes,
        token.issuedAt,
        token.issuedBy,
        millis(event.occurredAt),
        world.shared.actor(event.actor),
        event.reason
      )
      Versioned.set(account.tokens, event.tokenId, revoked)
      return
    }
    case "ServiceAccountDeleted": {
      if (account === undefined) return
      const deleted = new AccountRecord(
        account.serviceAccountId,
        account.name,
        account.description,
        account.createdAt,
        account.createdBy,
        millis(event.occurredAt),
        world.shared.actor(event.actor),
        account.tokens
      )
      Versioned.set(accounts, event.serviceAccountId, deleted)
      return
    }
  }
}

/**
 * The directory view of every organisation.
 *
 * @since 0.1.0
 * @category projections
 */
export const projection: Projection<DirectoryViewState> = Versioned.projection({
  name: "directory-view",
  version: 2,
  start,
  applyOne: applyTo
})

// The views are object literals of each shape, keys in the same order, rather than spreads of optional parts: a
// replay's output builds one per account and token of the directory, and a spread made and copied an object more.
const tokenView = (token: TokenRecord): TokenView => {
  const { tokenId, name, hint, scopes, issuedBy, revokedBy, revocationReason } = token
  if (revocationReason === undefined) {
    return { tokenId, name, hint, scopes, status: "active", issuedAt: utc(token.issuedAt), issuedBy }
  }
  const issuedAt = utc(token.issuedAt)
  const revokedAt = utc(token.revokedAt)
  return revokedBy === undefined
    ? { tokenId, name, hint, scopes, status: "revoked", issuedAt, issuedBy, revokedAt, revocationReason }
    : { tokenId, name, hint, scopes, status: "revoked", issuedAt, issuedBy, revokedAt, revokedBy, revocationReason }
}

const accountView = (account: AccountRecord): AccountView => {
  const tokens: Array<TokenView> = []
  for (const token of account.tokens.values()) tokens.push(tokenView(token))
  const { serviceAccountId, name, description, createdBy, deletedBy } = account
  const createdAt = utc(account.createdAt)
  if (deletedBy === undefined) {
    return description === undefined
      ? { serviceAccountId, name, status: "active", createdAt, createdBy, tokens }
      : { serviceAccountId, name, description, status: "active", createdAt, createdBy, tokens }
  }
  const deletedAt = utc(account.deletedAt)
  return description === undefined
    ? { serviceAccountId, name, status: "deleted", createdAt, createdBy, deletedAt, deletedBy, tokens }
    : { serviceAccountId, name, description, status: "deleted", createdAt, createdBy, deletedAt, deletedBy, tokens }
}

/**
 * An organisation's directory with no accounts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const emptyDirectory = (organizationId: OrganizationId): OrganizationDirectory => ({
  organizationId,
  state: projection.initialState
})

/**
 * One organisation's directory (empty when the view holds nothing of it).
 *
 * @since 0.2.0
 * @category getters
 */
export const directoryOf = (state: DirectoryViewState, organizationId: OrganizationId): OrganizationDirectory => ({
  organizationId,
  state
})

/**
 * The organisations the view knows, in the order their first event was applied.
 *
 * @since 0.2.0
 * @category getters
 */
export const organizations = (state: DirectoryViewState): ReadonlyArray<OrganizationDirectory> => {
  const world = Versioned.read(state)
  if (world === undefined) return []
  return Array.from(world.organizations.keys(), (organizationId) => ({ organizationId, state }))
}

/**
 * The number of organisations the view knows.
 *
 * @since 0.2.0
 * @category getters
 */
export const size = (state: DirectoryViewState): number => Versioned.read(state)?.organizations.size ?? 0

const accountsOf = (directory: OrganizationDirectory) =>
  Versioned.read(directory.state)?.organizations.get(directory.organizationId)

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
  const all = accountsOf(directory)
  const out: Array<AccountView> = []
  if (all === undefined) return out
  for (const account of all.values()) {
    if (options?.includeDeleted === true || account.deletedBy === undefined) out.push(accountView(account))
  }
  return out
}

/**
 * One account of a directory, deleted or not.
 *
 * @since 0.2.0
 * @category getters
 */
export const account = (
  directory: OrganizationDirectory,
  serviceAccountId: ServiceAccountId
): Option.Option<AccountView> => {
  const found = accountsOf(directory)?.get(serviceAccountId)
  return found === undefined ? Option.none() : Option.some(accountView(found))
}

/**
 * Folds one event into one organisation's directory (an event of another organisation leaves it as it is).
 *
 * @since 0.1.0
 * @category folds
 */
export const applyToOrganization = (directory: OrganizationDirectory, event: DomainEvent): OrganizationDirectory =>
  event.event.organizationId === directory.organizationId
    ? { organizationId: directory.organizationId, state: projection.apply(directory.state, event) }
    : directory

/**
 * One organisation of the view as plain JSON (tuples; see `OrganizationJsonSchema`): what a snapshot keeps.
 *
 * @since 0.3.0
 * @category models
 */
export type OrganizationJson = Json.OrganizationJson

/**
 * The schema of `OrganizationJson`: decode a snapshot's organisations with it before `fromJson`.
 *
 * @since 0.3.0
 * @category schemas
 */
export const OrganizationJsonSchema: Schema.Schema<OrganizationJson, Json.OrganizationJsonEncoded> =
  Json.OrganizationJsonSchema

/**
 * The view as plain JSON, one entry per organisation, in the view's order. `fromJson` gives the same view back.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const toJson: (state: DirectoryViewState) => Array<OrganizationJson> = Json.toJson

/**
 * Builds a view from JSON organisations given one at a time (a snapshot read chunk by chunk), then hands it over.
 *
 * @since 0.3.0
 * @category snapshots
 */
export interface ViewBuilder {
  readonly add: (organization: OrganizationJson) => void
  readonly build: () => DirectoryViewState
}

/**
 * A builder of a view from JSON organisations: the same world the fold of their events would have made.
 *
 * @since 0.3.0
 * @category snapshots
 */
export const builder: () => ViewBuilder = Json.builder

/**
 * The view these JSON organisations stand for (as `toJson` gave them).
 *
 * @since 0.3.0
 * @category snapshots
 */
export const fromJson: (organizations: Iterable<OrganizationJson>) => DirectoryViewState = Json.fromJson
