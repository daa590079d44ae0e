/**
 * The organisation's service-account directory: the one consistency boundary of the model.
 *
 * All strong invariants — unique account names in an organisation, unique active token names in an account,
 * the cascade from account deletion to token revocation — are checked here, against one state folded from
 * one stream per organisation, and appended with an expected revision (see docs/adr/0001).
 *
 * @since 0.1.0
 */
import { DateTime, Effect, Option, Redacted } from "effect"
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
import { SecureRandom, type SecureRandomShape, withRandomBytes } from "../service/SecureRandom.js"
import * as Accounts from "./directory/accounts.js"
import { utcAt } from "../fast/compact.js"
import * as Versioned from "../fast/versioned.js"
import type * as ServiceAccount from "./ServiceAccount.js"
import * as Token from "./Token.js"

/** The directory's world: live accounts, and the account-name uniqueness index. */
interface World {
  readonly accounts: Map<ServiceAccountId, Accounts.AccountEntry>
  /** Live accounts by name key. */
  readonly accountNames: Map<string, ServiceAccountId>
}

const newWorld = (): World => ({ accounts: new Map(), accountNames: new Map() })

declare const DirectoryStateBrand: unique symbol

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
export interface DirectoryState {
  readonly [DirectoryStateBrand]: "DirectoryState"
}

const versionOf = (state: DirectoryState): Versioned.Version<World> => state as unknown as Versioned.Version<World>
const stateOf = (version: Versioned.Version<World>): DirectoryState => version as unknown as DirectoryState

/** The state's world, made current (`undefined`: no event folded yet). Use it before reading any other state. */
const worldOf = (state: DirectoryState): World | undefined => Versioned.read(versionOf(state))

/** A live account as kept (read it before reading any other state). */
const liveEntry = (state: DirectoryState, id: ServiceAccountId): Accounts.AccountEntry | undefined =>
  worldOf(state)?.accounts.get(id)

/**
 * An organisation without service accounts.
 *
 * @since 0.1.0
 * @category constructors
 */
export const initialState: DirectoryState = stateOf(Versioned.empty<World>())

const applyEvent = (world: World, event: ServiceAccountEvent): void => {
  switch (event._tag) {
    case "ServiceAccountCreated": {
      if (world.accounts.has(event.serviceAccountId)) return
      Versioned.set(
        world.accounts,
        event.serviceAccountId,
        Accounts.entry(event.serviceAccountId, event.name, event.description)
      )
      Versioned.set(world.accountNames, nameKey(event.name), event.serviceAccountId)
      return
    }
    case "TokenIssued": {
      const account = world.accounts.get(event.serviceAccountId)
      if (account !== undefined) Accounts.issueInto(account, event.tokenId, event.name)
      return
    }
    case "TokenRevoked": {
      const account = world.accounts.get(event.serviceAccountId)
      if (account !== undefined) Accounts.revokeInto(account, event.tokenId)
      return
    }
    case "ServiceAccountDeleted": {
      const account = world.accounts.get(event.serviceAccountId)
      if (account === undefined) return
      Versioned.remove(world.accounts, event.serviceAccountId)
      const key = nameKey(account.name)
      if (world.accountNames.get(key) === event.serviceAccountId) Versioned.remove(world.accountNames, key)
      return
    }
  }
}

/**
 * Folds one event into the state. Events that cannot apply (a token of an unknown account, say) leave the state
 * unchanged: `checkInvariants` reports such histories, and a fold never fails.
 *
 * @since 0.1.0
 * @category evolve
 */
export const evolve = (state: DirectoryState, event: ServiceAccountEvent): DirectoryState =>
  stateOf(Versioned.update(versionOf(state), newWorld, applyEvent, event))

/**
 * A live account, as of this state.
 *
 * @since 0.2.0
 * @category getters
 */
export const account = (
  state: DirectoryState,
  serviceAccountId: ServiceAccountId
): Option.Option<ServiceAccount.ServiceAccountState> => {
  const entry = liveEntry(state, serviceAccountId)
  return entry === undefined ? Option.none() : Option.some(Accounts.snapshot(entry))
}

/**
 * The live accounts, as of this state, in no particular order.
 *
 * @since 0.2.0
 * @category getters
 */
export const accounts = (state: DirectoryState): ReadonlyArray<ServiceAccount.ServiceAccountState> => {
  const world = worldOf(state)
  return world === undefined ? [] : Array.from(world.accounts.values(), Accounts.snapshot)
}

/**
 * The live account holding this name (compared by name key), if any.
 *
 * @since 0.2.0
 * @category getters
 */
export const accountNamed = (state: DirectoryState, name: string): Option.Option<ServiceAccountId> =>
  Option.fromNullable(worldOf(state)?.accountNames.get(nameKey(name)))

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
  if (worldOf(state)?.accountNames.has(nameKey(command.name)) === true) {
    return Effect.fail(new DuplicateServiceAccountName({ name: command.name }))
  }
  // The draw and the clock are read when the effect runs (in `clockWith`), in the order the decision needs them.
  return Effect.clockWith((clock) =>
    withRandomBytes(random, 16, (idBytes) => {
      const occurredAt = utcAt(clock.unsafeCurrentTimeMillis())
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
  const account = liveEntry(state, command.serviceAccountId)
  if (account === undefined) {
    return Effect.fail(new ServiceAccountNotFound({ serviceAccountId: command.serviceAccountId }))
  }
  if (Accounts.activeTokenKeyed(account, nameKey(command.name)) !== undefined) {
    return Effect.fail(new DuplicateTokenName({ serviceAccountId: account.id, name: command.name }))
  }
  const serviceAccountId = account.id
  // The draws and the clock are read when the effect runs (in `clockWith`), in the order the decision needs them.
  return Effect.clockWith((clock) =>
    withRandomBytes(random, 16, (idBytes) =>
      withRandomBytes(random, Token.TOKEN_ENTROPY_BYTES, (entropy) => {
        const occurredAt = utcAt(clock.unsafeCurrentTimeMillis())
        // The id (a UUID formatted here) and the digest (SHA-256 hex) need no check against their schemas.
        const tokenId = TokenId.make(uuidFromBytes(idBytes), true)
        const value = Token.fromEntropy(entropy)
        const hint = Token.hint(value)
        const event: ServiceAccountEvent = {
          _tag: "TokenIssued",
          organizationId: context.organizationId,
          actor: context.actor,
          occurredAt,
          serviceAccountId,
          tokenId,
          name: command.name,
          scopes: command.scopes,
          secretHash: SecretHash.make(Token.digest(value), true),
          hint
        }
        const output: Issued = {
          _tag: "Issued",
          serviceAccountId,
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
> => {
  // Everything the decision needs from the state is read before the effect runs: it holds no account record.
  const { serviceAccountId, tokenId } = command
  const account = liveEntry(state, serviceAccountId)
  if (account === undefined) return Effect.fail(new ServiceAccountNotFound({ serviceAccountId }))
  const token = account.tokens.get(tokenId)
  if (token === undefined) return Effect.fail(new TokenNotFound({ serviceAccountId, tokenId }))
  if (!token.active) return Effect.fail(new TokenAlreadyRevoked({ serviceAccountId, tokenId }))
  return Effect.map(DateTime.now, (occurredAt) => {
    const event: ServiceAccountEvent = {
      _tag: "TokenRevoked",
      organizationId: context.organizationId,
      actor: context.actor,
      occurredAt,
      serviceAccountId,
      tokenId,
      reason: "Manual"
    }
    return { events: [event], output: { _tag: "Revoked", serviceAccountId, tokenId } }
  })
}

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
): Effect.Effect<Decision<ServiceAccountEvent, Deleted>, ServiceAccountNotFound> => {
  const { serviceAccountId } = command
  const account = liveEntry(state, serviceAccountId)
  if (account === undefined) return Effect.fail(new ServiceAccountNotFound({ serviceAccountId }))
  const revokedTokenIds = Accounts.activeTokenIdsOf(account)
  return Effect.map(DateTime.now, (occurredAt) => {
    const common = { organizationId: context.organizationId, actor: context.actor, occurredAt }
    const events: Array<ServiceAccountEvent> = revokedTokenIds.map((tokenId) => ({
      _tag: "TokenRevoked",
      ...common,
      serviceAccountId,
      tokenId,
      reason: "ServiceAccountDeleted"
    }))
    events.push({ _tag: "ServiceAccountDeleted", ...common, serviceAccountId, revokedTokenIds })
    return { events, output: { _tag: "Deleted", serviceAccountId, revokedTokenIds } }
  })
}

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
