/**
 * The organisation's service-account directory: the one consistency boundary of the model (ADR 0001), as a pure
 * decider.
 *
 * All strong invariants — unique account names in an organisation, unique active token names in an account, the
 * cascade from account deletion to token revocation — are decided here, against one state folded from one stream per
 * organisation, and appended by the service with an expected revision.
 *
 * Deciding is synchronous and does nothing but compute: `(command, state, context) → events or a typed refusal`. The
 * time and the random bytes a decision uses come in its `DecisionContext` (ADR 0009), so a business rule is tested
 * with plain values (see `DeciderSpecification` in `@service-accounts/testing`). The state is kept in `directory/state.ts`,
 * private to the model.
 *
 * @example
 * ```ts
 * import { CreateServiceAccount, Directory, OrganizationId, UserId } from "@service-accounts/domain"
 * import { DateTime, Either, Schema } from "effect"
 *
 * const command = Schema.decodeSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name: "deploy-bot" })
 * const context: Directory.DecisionContext = {
 *   organizationId: OrganizationId.make("acme"),
 *   tenantUrl: "https://acme.example.com",
 *   actor: { userId: UserId.make("alice"), role: "administrator" },
 *   now: DateTime.unsafeMake("2026-12-07T10:00:00Z"),
 *   random: new Uint8Array(Directory.randomBytesFor(command)).fill(7)
 * }
 * const decision = Directory.create(command, Directory.initialState, context)
 * if (Either.isRight(decision)) {
 *   const state = decision.right.events.reduce(Directory.evolve, Directory.initialState)
 *   console.log(Directory.accounts(state).length) // 1
 * }
 * ```
 *
 * @since 0.1.0
 */
import { type DateTime, Either, Option, Redacted } from "effect"
import type { Actor } from "./Caller.js"
import type {
  CreateServiceAccount,
  DeleteServiceAccount,
  IssueToken,
  RevokeToken,
  ServiceAccountCommand
} from "./Commands.js"
import type { Decider, Decision } from "./Decider.js"
import type * as Outputs from "./directory/outputs.js"
import * as State from "./directory/state.js"
import {
  DuplicateServiceAccountName,
  DuplicateTokenName,
  ServiceAccountNotFound,
  TokenAlreadyRevoked,
  TokenNotFound
} from "./Errors.js"
import { SecretHash, type ServiceAccountEvent } from "./Events.js"
import { type OrganizationId, ServiceAccountId, TokenId, uuidFromBytes } from "./Ids.js"
import { nameKey } from "./Names.js"
import type * as ServiceAccount from "./ServiceAccount.js"
import * as Token from "./Token.js"

/**
 * The state the directory decides on: its live accounts with their tokens, and the account-name uniqueness index.
 *
 * A pure value from the outside (`evolve` gives a new state and an older state never sees later events), kept as
 * native `Map`s updated in place while a fold moves forward, so folding an event costs the same however many
 * accounts and tokens the organisation has. Read it with `account`, `accounts` and `accountNamed`.
 *
 * @since 0.1.0
 * @category models
 */
export type DirectoryState = State.DirectoryState

/**
 * An organisation without service accounts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialState: DirectoryState = State.initialState

/**
 * Folds one event into the state. Events that cannot apply (a token of an unknown account, say) leave the state
 * unchanged: `checkInvariants` reports such histories, and a fold never fails.
 *
 * @since 0.1.0
 * @category evolve
 */
export const evolve: (state: DirectoryState, event: ServiceAccountEvent) => DirectoryState = State.evolve

/**
 * A live account, as of this state.
 *
 * @since 0.2.0
 * @category getters
 */
export const account = (
  state: DirectoryState,
  serviceAccountId: ServiceAccountId
): Option.Option<ServiceAccount.ServiceAccountState> =>
  Option.fromNullable(State.accountSnapshot(state, serviceAccountId))

/**
 * The live accounts, as of this state, in no particular order.
 *
 * @since 0.2.0
 * @category getters
 */
export const accounts = (state: DirectoryState): ReadonlyArray<ServiceAccount.ServiceAccountState> =>
  State.accountSnapshots(state)

/**
 * The live account holding this name (compared by name key), if any.
 *
 * @since 0.2.0
 * @category getters
 */
export const accountNamed = (state: DirectoryState, name: string): Option.Option<ServiceAccountId> =>
  Option.fromNullable(State.accountKeyed(state, nameKey(name)))

/**
 * Everything a decision takes besides the command and the state: who is acting, for which organisation, when, and
 * the random bytes it may use. The service builds it for each attempt of a command; a test writes it out.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecisionContext {
  readonly organizationId: OrganizationId
  /** Where the organisation's API lives: a new token's `session.json` names it. */
  readonly tenantUrl: string
  readonly actor: Actor
  /** When the decision is made: every event it produces records this time. */
  readonly now: DateTime.Utc
  /** Random bytes for new ids and token values: at least `randomBytesFor(command)` of them. */
  readonly random: Uint8Array
}

/**
 * How many random bytes deciding a command uses: 16 for a new account's id; 16 for a new token's id and 32 (256
 * bits) for its value; none to revoke or delete.
 *
 * @since 0.3.0
 * @category utils
 */
export const randomBytesFor = (command: ServiceAccountCommand): number => {
  switch (command._tag) {
    case "CreateServiceAccount":
      return ID_BYTES
    case "IssueToken":
      return ID_BYTES + Token.TOKEN_ENTROPY_BYTES
    default:
      return 0
  }
}

const ID_BYTES = 16

/** The context's random bytes from `from` to `to`; too few is the caller's mistake, not a refusal. */
const randomSlice = (context: DecisionContext, from: number, to: number): Uint8Array => {
  if (context.random.length < to) {
    throw new RangeError(`the decision needs ${to} random bytes in its context, got ${context.random.length}`)
  }
  return context.random.subarray(from, to)
}

/**
 * Decides `CreateServiceAccount`: refused when a live account already holds the name (trimmed, NFKC, case-folded).
 *
 * @since 0.1.0
 * @category decide
 */
export const create = (
  command: CreateServiceAccount,
  state: DirectoryState,
  context: DecisionContext
): Either.Either<Decision<ServiceAccountEvent, Created>, DuplicateServiceAccountName> => {
  if (State.accountKeyed(state, nameKey(command.name)) !== undefined) {
    return Either.left(new DuplicateServiceAccountName({ name: command.name }))
  }
  // A UUID formatted here needs no check against its schema (`true`: no validation).
  const serviceAccountId = ServiceAccountId.make(uuidFromBytes(randomSlice(context, 0, ID_BYTES)), true)
  const event: ServiceAccountEvent = {
    _tag: "ServiceAccountCreated",
    organizationId: context.organizationId,
    actor: context.actor,
    occurredAt: context.now,
    serviceAccountId,
    name: command.name,
    ...(command.description === undefined ? {} : { description: command.description })
  }
  return Either.right({ events: [event], output: { _tag: "Created", serviceAccountId, name: command.name } })
}

/**
 * Decides `IssueToken`: refused for an account that is not live, or whose active tokens already hold the name. The
 * token value is made from 256 of the context's random bits; the event records only its digest and a hint.
 *
 * @since 0.1.0
 * @category decide
 */
export const issueToken = (
  command: IssueToken,
  state: DirectoryState,
  context: DecisionContext
): Either.Either<Decision<ServiceAccountEvent, Issued>, ServiceAccountNotFound | DuplicateTokenName> => {
  const { serviceAccountId } = command
  if (!State.hasAccount(state, serviceAccountId)) return Either.left(new ServiceAccountNotFound({ serviceAccountId }))
  if (State.activeTokenKeyed(state, serviceAccountId, nameKey(command.name)) !== undefined) {
    return Either.left(new DuplicateTokenName({ serviceAccountId, name: command.name }))
  }
  // The id (a UUID formatted here) and the digest (SHA-256 hex) need no check against their schemas.
  const tokenId = TokenId.make(uuidFromBytes(randomSlice(context, 0, ID_BYTES)), true)
  const value = Token.fromEntropy(randomSlice(context, ID_BYTES, ID_BYTES + Token.TOKEN_ENTROPY_BYTES))
  const hint = Token.hint(value)
  const event: ServiceAccountEvent = {
    _tag: "TokenIssued",
    organizationId: context.organizationId,
    actor: context.actor,
    occurredAt: context.now,
    serviceAccountId,
    tokenId,
    name: command.name,
    scopes: command.scopes,
    secretHash: SecretHash.make(Token.digest(value), true),
    hint
  }
  const secret = Redacted.make(value)
  const output: Issued = {
    _tag: "Issued",
    serviceAccountId,
    tokenId,
    name: command.name,
    scopes: command.scopes,
    hint,
    value: secret,
    sessionJson: Token.sessionJson(secret, context.tenantUrl, command.scopes)
  }
  return Either.right({ events: [event], output })
}

/**
 * Decides `RevokeToken`: refused for an account that is not live, a token it does not have, or one already revoked.
 *
 * @since 0.1.0
 * @category decide
 */
export const revokeToken = (
  command: RevokeToken,
  state: DirectoryState,
  context: DecisionContext
): Either.Either<
  Decision<ServiceAccountEvent, Revoked>,
  ServiceAccountNotFound | TokenNotFound | TokenAlreadyRevoked
> => {
  const { serviceAccountId, tokenId } = command
  if (!State.hasAccount(state, serviceAccountId)) return Either.left(new ServiceAccountNotFound({ serviceAccountId }))
  const token = State.tokenOf(state, serviceAccountId, tokenId)
  if (token === undefined) return Either.left(new TokenNotFound({ serviceAccountId, tokenId }))
  if (!token.active) return Either.left(new TokenAlreadyRevoked({ serviceAccountId, tokenId }))
  const event: ServiceAccountEvent = {
    _tag: "TokenRevoked",
    organizationId: context.organizationId,
    actor: context.actor,
    occurredAt: context.now,
    serviceAccountId,
    tokenId,
    reason: "Manual"
  }
  return Either.right({ events: [event], output: { _tag: "Revoked", serviceAccountId, tokenId } })
}

/**
 * Decides `DeleteServiceAccount`: one `TokenRevoked{ServiceAccountDeleted}` per active token, in issue order, then
 * `ServiceAccountDeleted` listing them — all in one append (the cascade, I5).
 *
 * @since 0.1.0
 * @category decide
 */
export const deleteServiceAccount = (
  command: DeleteServiceAccount,
  state: DirectoryState,
  context: DecisionContext
): Either.Either<Decision<ServiceAccountEvent, Deleted>, ServiceAccountNotFound> => {
  const { serviceAccountId } = command
  if (!State.hasAccount(state, serviceAccountId)) return Either.left(new ServiceAccountNotFound({ serviceAccountId }))
  const revokedTokenIds = State.activeTokenIds(state, serviceAccountId)
  const common = { organizationId: context.organizationId, actor: context.actor, occurredAt: context.now }
  const events: Array<ServiceAccountEvent> = revokedTokenIds.map((tokenId) => ({
    _tag: "TokenRevoked",
    ...common,
    serviceAccountId,
    tokenId,
    reason: "ServiceAccountDeleted"
  }))
  events.push({ _tag: "ServiceAccountDeleted", ...common, serviceAccountId, revokedTokenIds })
  return Either.right({ events, output: { _tag: "Deleted", serviceAccountId, revokedTokenIds } })
}

/**
 * What `create` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Created extends Outputs.Created {}

/**
 * What `issueToken` gives back. `value` and `sessionJson` are the only places the token value ever exists.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued extends Outputs.Issued {}

/**
 * What `revokeToken` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Revoked extends Outputs.Revoked {}

/**
 * What `delete` gives back: the tokens the cascade revoked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deleted extends Outputs.Deleted {}

/**
 * A command for the directory.
 *
 * @since 0.1.0
 * @category models
 */
export type DirectoryCommand = ServiceAccountCommand

/**
 * What the directory gives back for a command.
 *
 * @since 0.3.0
 * @category models
 */
export type DirectoryOutput = Created | Issued | Revoked | Deleted

/**
 * Why the directory refuses a command.
 *
 * @since 0.3.0
 * @category models
 */
export type DirectoryRefusal =
  | DuplicateServiceAccountName
  | DuplicateTokenName
  | ServiceAccountNotFound
  | TokenNotFound
  | TokenAlreadyRevoked

/**
 * The directory as one `Decider`: `decide` dispatches to `create`, `issueToken`, `revokeToken` and
 * `deleteServiceAccount`, which have the same shape and are what the service calls.
 *
 * @since 0.1.0
 * @category deciders
 */
export const decider: Decider<
  DirectoryCommand,
  ServiceAccountEvent,
  DirectoryState,
  DirectoryOutput,
  DirectoryRefusal,
  DecisionContext
> = {
  initialState,
  evolve,
  decide: (
    command,
    state,
    context
  ): Either.Either<Decision<ServiceAccountEvent, DirectoryOutput>, DirectoryRefusal> => {
    switch (command._tag) {
      case "CreateServiceAccount":
        return create(command, state, context)
      case "IssueToken":
        return issueToken(command, state, context)
      case "RevokeToken":
        return revokeToken(command, state, context)
      case "DeleteServiceAccount":
        return deleteServiceAccount(command, state, context)
    }
  }
}
