/**
 * The organisation's service-account directory: the one consistency boundary of the model.
 *
 * All strong invariants — unique account names in an organisation, unique active token names in an account,
 * the cascade from account deletion to token revocation — are checked here, against one state folded from
 * one stream per organisation, and appended with an expected revision (see docs/adr/0001).
 *
 * @since 0.1.0
 */
import { DateTime, Effect, HashMap, Option, Redacted } from "effect"
import type { Actor } from "./Caller.js"
import type { CreateServiceAccount, DeleteServiceAccount, IssueToken, RevokeToken } from "./Commands.js"
import type { Decider, Decision } from "./Decider.js"
import {
  DuplicateServiceAccountName,
  DuplicateTokenName,
  ServiceAccountNotFound,
  TokenAlreadyRevoked,
  TokenNotFound
} from "./Errors.js"
import { SecretHash } from "./Events.js"
import type { Scope, ServiceAccountEvent } from "./Events.js"
import type { OrganizationId } from "./Ids.js"
import { ServiceAccountId, TokenId, uuidFromBytes } from "./Ids.js"
import type { ServiceAccountName, TokenName } from "./Names.js"
import { nameKey } from "./Names.js"
import { SecureRandom, type SecureRandomShape, withRandomBytes } from "./SecureRandom.js"
import * as ServiceAccount from "./ServiceAccount.js"
import * as Token from "./Token.js"

/**
 * The state the directory decides on: live accounts and the account-name uniqueness index.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryState {
  readonly accounts: HashMap.HashMap<ServiceAccountId, ServiceAccount.ServiceAccountState>
  /** Live accounts by name key. */
  readonly accountNames: HashMap.HashMap<string, ServiceAccountId>
}

/**
 * An organisation without service accounts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialState: DirectoryState = { accounts: HashMap.empty(), accountNames: HashMap.empty() }

const updateAccount = (
  state: DirectoryState,
  id: ServiceAccountId,
  f: (account: ServiceAccount.ServiceAccountState) => ServiceAccount.ServiceAccountState
): DirectoryState => {
  const account = HashMap.get(state.accounts, id)
  return Option.isNone(account) ? state : { ...state, accounts: HashMap.set(state.accounts, id, f(account.value)) }
}

/**
 * Folds one event into the state. Events that cannot apply (a token of an unknown account, say) leave the state
 * unchanged: `checkInvariants` reports such histories, and a fold never fails.
 *
 * @since 0.1.0
 * @category evolve
 */
export const evolve = (state: DirectoryState, event: ServiceAccountEvent): DirectoryState => {
  switch (event._tag) {
    case "ServiceAccountCreated": {
      if (HashMap.has(state.accounts, event.serviceAccountId)) return state
      return {
        accounts: HashMap.set(
          state.accounts,
          event.serviceAccountId,
          ServiceAccount.created(event.serviceAccountId, event.name, event.description)
        ),
        accountNames: HashMap.set(state.accountNames, nameKey(event.name), event.serviceAccountId)
      }
    }
    case "TokenIssued":
      return updateAccount(state, event.serviceAccountId, (account) =>
        ServiceAccount.withTokenIssued(account, event.tokenId, event.name)
      )
    case "TokenRevoked":
      return updateAccount(state, event.serviceAccountId, (account) =>
        ServiceAccount.withTokenRevoked(account, event.tokenId)
      )
    case "ServiceAccountDeleted": {
      const account = HashMap.get(state.accounts, event.serviceAccountId)
      if (Option.isNone(account)) return state
      const key = nameKey(account.value.name)
      const holder = HashMap.get(state.accountNames, key)
      return {
        accounts: HashMap.remove(state.accounts, event.serviceAccountId),
        accountNames:
          Option.isSome(holder) && holder.value === event.serviceAccountId
            ? HashMap.remove(state.accountNames, key)
            : state.accountNames
      }
    }
  }
}

/**
 * Who is acting, for whom, when deciding.
 *
 * @since 0.1.0
 * @category models
 */
export interface DecisionContext {
  readonly organizationId: OrganizationId
  readonly actor: Actor
}

/**
 * What `create` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Created {
  readonly _tag: "Created"
  readonly serviceAccountId: ServiceAccountId
  readonly name: ServiceAccountName
}

/**
 * What `issueToken` gives back. `value` is the only place the token value ever exists.
 *
 * @since 0.1.0
 * @category models
 */
export interface Issued {
  readonly _tag: "Issued"
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
  readonly name: TokenName
  readonly scopes: ReadonlyArray<Scope>
  readonly hint: string
  readonly value: Redacted.Redacted<string>
}

/**
 * What `revokeToken` gives back.
 *
 * @since 0.1.0
 * @category models
 */
export interface Revoked {
  readonly _tag: "Revoked"
  readonly serviceAccountId: ServiceAccountId
  readonly tokenId: TokenId
}

/**
 * What `delete` gives back: the tokens the cascade revoked.
 *
 * @since 0.1.0
 * @category models
 */
export interface Deleted {
  readonly _tag: "Deleted"
  readonly serviceAccountId: ServiceAccountId
  readonly revokedTokenIds: ReadonlyArray<TokenId>
}

const liveAccount = (state: DirectoryState, serviceAccountId: ServiceAccountId) =>
  Option.match(HashMap.get(state.accounts, serviceAccountId), {
    onNone: () => Effect.fail(new ServiceAccountNotFound({ serviceAccountId })),
    onSome: Effect.succeed
  })

/**
 * Decides `CreateServiceAccount` with the given source of randomness (`create` takes it from `SecureRandom`).
 *
 * @since 0.2.0
 * @category decide
 */
export const createWith = (
  random: SecureRandomShape,
  state: DirectoryState,
  context: DecisionContext,
  command: CreateServiceAccount
): Effect.Effect<Decision<ServiceAccountEvent, Created>, DuplicateServiceAccountName> => {
  if (HashMap.has(state.accountNames, nameKey(command.name))) {
    return Effect.fail(new DuplicateServiceAccountName({ name: command.name }))
  }
  // The draw and the clock are read when the effect runs (in `clockWith`), in the order the decision needs them.
  return Effect.clockWith((clock) =>
    withRandomBytes(random, 16, (idBytes) => {
      const occurredAt = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
      // A UUID formatted here needs no check against its schema (`true`: no validation).
      const serviceAccountId = ServiceAccountId.make(uuidFromBytes(idBytes), true)
      const event: ServiceAccountEvent = {
        _tag: "ServiceAccountCreated",
        organizationId: context.organizationId,
        actor: context.actor,
        occurredAt,
        serviceAccountId,
        name: command.name,
        ...(command.description === undefined ? {} : { description: command.description })
      }
      return Effect.succeed({ events: [event], output: { _tag: "Created", serviceAccountId, name: command.name } })
    })
  )
}

/**
 * Decides `CreateServiceAccount`.
 *
 * @since 0.1.0
 * @category decide
 */
export const create = (
  state: DirectoryState,
  context: DecisionContext,
  command: CreateServiceAccount
): Effect.Effect<Decision<ServiceAccountEvent, Created>, DuplicateServiceAccountName, SecureRandom> =>
  Effect.flatMap(SecureRandom, (random) => createWith(random, state, context, command))

/**
 * Decides `IssueToken` with the given source of randomness (`issueToken` takes it from `SecureRandom`): draws 256
 * random bits, records only their digest and hint.
 *
 * @since 0.2.0
 * @category decide
 */
export const issueTokenWith = (
  random: SecureRandomShape,
  state: DirectoryState,
  context: DecisionContext,
  command: IssueToken
): Effect.Effect<Decision<ServiceAccountEvent, Issued>, ServiceAccountNotFound | DuplicateTokenName> => {
  const found = HashMap.get(state.accounts, command.serviceAccountId)
  if (Option.isNone(found)) {
    return Effect.fail(new ServiceAccountNotFound({ serviceAccountId: command.serviceAccountId }))
  }
  const account = found.value
  if (Option.isSome(ServiceAccount.activeTokenNamed(account, command.name))) {
    return Effect.fail(new DuplicateTokenName({ serviceAccountId: account.id, name: command.name }))
  }
  // The draws and the clock are read when the effect runs (in `clockWith`), in the order the decision needs them.
  return Effect.clockWith((clock) =>
    withRandomBytes(random, 16, (idBytes) =>
      withRandomBytes(random, Token.TOKEN_ENTROPY_BYTES, (entropy) => {
        const occurredAt = DateTime.unsafeMake(clock.unsafeCurrentTimeMillis())
        // The id (a UUID formatted here) and the digest (SHA-256 hex) need no check against their schemas.
        const tokenId = TokenId.make(uuidFromBytes(idBytes), true)
        const value = Token.fromEntropy(entropy)
        const hint = Token.hint(value)
        const event: ServiceAccountEvent = {
          _tag: "TokenIssued",
          organizationId: context.organizationId,
          actor: context.actor,
          occurredAt,
          serviceAccountId: account.id,
          tokenId,
          name: command.name,
          scopes: command.scopes,
          secretHash: SecretHash.make(Token.digest(value), true),
          hint
        }
        const output: Issued = {
          _tag: "Issued",
          serviceAccountId: account.id,
          tokenId,
          name: command.name,
          scopes: command.scopes,
          hint,
          value: Redacted.make(value)
        }
        return Effect.succeed({ events: [event], output })
      })
    )
  )
}

/**
 * Decides `IssueToken`: draws 256 random bits, records only their digest and hint.
 *
 * @since 0.1.0
 * @category decide
 */
export const issueToken = (
  state: DirectoryState,
  context: DecisionContext,
  command: IssueToken
): Effect.Effect<Decision<ServiceAccountEvent, Issued>, ServiceAccountNotFound | DuplicateTokenName, SecureRandom> =>
  Effect.flatMap(SecureRandom, (random) => issueTokenWith(random, state, context, command))

/**
 * Decides `RevokeToken`.
 *
 * @since 0.1.0
 * @category decide
 */
export const revokeToken = (
  state: DirectoryState,
  context: DecisionContext,
  command: RevokeToken
): Effect.Effect<
  Decision<ServiceAccountEvent, Revoked>,
  ServiceAccountNotFound | TokenNotFound | TokenAlreadyRevoked
> =>
  Effect.gen(function* () {
    const account = yield* liveAccount(state, command.serviceAccountId)
    const token = HashMap.get(account.tokens, command.tokenId)
    if (Option.isNone(token)) {
      return yield* new TokenNotFound({ serviceAccountId: account.id, tokenId: command.tokenId })
    }
    if (!token.value.active) {
      return yield* new TokenAlreadyRevoked({ serviceAccountId: account.id, tokenId: command.tokenId })
    }
    const occurredAt = yield* DateTime.now
    const event: ServiceAccountEvent = {
      _tag: "TokenRevoked",
      organizationId: context.organizationId,
      actor: context.actor,
      occurredAt,
      serviceAccountId: account.id,
      tokenId: command.tokenId,
      reason: "Manual"
    }
    return { events: [event], output: { _tag: "Revoked", serviceAccountId: account.id, tokenId: command.tokenId } }
  })

/**
 * Decides `DeleteServiceAccount`: one `TokenRevoked{ServiceAccountDeleted}` per active token, in issue order,
 * then `ServiceAccountDeleted` listing them — all in one append.
 *
 * @since 0.1.0
 * @category decide
 */
export const deleteServiceAccount = (
  state: DirectoryState,
  context: DecisionContext,
  command: DeleteServiceAccount
): Effect.Effect<Decision<ServiceAccountEvent, Deleted>, ServiceAccountNotFound> =>
  Effect.gen(function* () {
    const account = yield* liveAccount(state, command.serviceAccountId)
    const occurredAt = yield* DateTime.now
    const common = { organizationId: context.organizationId, actor: context.actor, occurredAt }
    const revokedTokenIds = ServiceAccount.activeTokenIds(account)
    const events: Array<ServiceAccountEvent> = revokedTokenIds.map((tokenId) => ({
      _tag: "TokenRevoked",
      ...common,
      serviceAccountId: account.id,
      tokenId,
      reason: "ServiceAccountDeleted"
    }))
    events.push({ _tag: "ServiceAccountDeleted", ...common, serviceAccountId: account.id, revokedTokenIds })
    return { events, output: { _tag: "Deleted", serviceAccountId: account.id, revokedTokenIds } }
  })

/**
 * A command for the directory, with its context.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryCommand {
  readonly context: DecisionContext
  readonly command: CreateServiceAccount | IssueToken | RevokeToken | DeleteServiceAccount
}

/**
 * The directory as one `Decider`, for specifications and generic tooling.
 *
 * @since 0.1.0
 * @category deciders
 */
export const decider: Decider<
  DirectoryCommand,
  ServiceAccountEvent,
  DirectoryState,
  Created | Issued | Revoked | Deleted,
  DuplicateServiceAccountName | DuplicateTokenName | ServiceAccountNotFound | TokenNotFound | TokenAlreadyRevoked,
  SecureRandom
> = {
  initialState,
  evolve,
  decide: ({ command, context }, state) => {
    switch (command._tag) {
      case "CreateServiceAccount":
        return create(state, context, command)
      case "IssueToken":
        return issueToken(state, context, command)
      case "RevokeToken":
        return revokeToken(state, context, command)
      case "DeleteServiceAccount":
        return deleteServiceAccount(state, context, command)
    }
  }
}
