/**
 * The directory's decision state, kept private: a version of a world of native `Map`s (live accounts and the
 * account-name index, each account with its tokens and its active-token-name index), written in place while a fold
 * moves forward and rerooted when an older state is read (ADR 0006; `fast/versioned.ts`). From outside this module
 * a `DirectoryState` is an immutable value: `Directory` reads it only through the questions below, and `evolve` is
 * the one way to a new state.
 *
 * @internal
 */
import * as Versioned from "../../fast/versioned.js"
import type { ServiceAccountEvent } from "../Events.js"
import type { ServiceAccountId, TokenId } from "../Ids.js"
import { nameKey } from "../Names.js"
import type { ApiTokenState } from "../ApiToken.js"
import type { ServiceAccountState } from "../ServiceAccount.js"
import * as Accounts from "./accounts.js"

/** The directory's world: live accounts, and the account-name uniqueness index. */
interface World {
  readonly accounts: Map<ServiceAccountId, Accounts.AccountEntry>
  /** Live accounts by name key. */
  readonly accountNames: Map<string, ServiceAccountId>
}

/**
 * The state the directory decides on: its live accounts with their tokens, and the account-name uniqueness index.
 * Opaque: read it with `Directory.account`, `accounts` and `accountNamed`.
 *
 * @since 0.1.0
 * @category models
 */
export interface DirectoryState extends Versioned.Version<World> {}

const newWorld = (): World => ({ accounts: new Map(), accountNames: new Map() })

export const initialState: DirectoryState = Versioned.empty<World>()

/** The state's world, made current (`undefined`: no event folded yet). Read it before reading any other state. */
const worldOf = (state: DirectoryState): World | undefined => Versioned.read(state)

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

export const evolve = (state: DirectoryState, event: ServiceAccountEvent): DirectoryState =>
  Versioned.update(state, newWorld, applyEvent, event)

/** The live account holding a name key, if any. */
export const accountKeyed = (state: DirectoryState, key: string): ServiceAccountId | undefined =>
  worldOf(state)?.accountNames.get(key)

/** Whether a live account has this id. */
export const hasAccount = (state: DirectoryState, id: ServiceAccountId): boolean =>
  worldOf(state)?.accounts.has(id) === true

/** The active token of a live account holding a name key, if any. */
export const activeTokenKeyed = (state: DirectoryState, id: ServiceAccountId, key: string): TokenId | undefined => {
  const entry = worldOf(state)?.accounts.get(id)
  return entry === undefined ? undefined : Accounts.activeTokenKeyed(entry, key)
}

/** A token of a live account, active or revoked, if it exists. */
export const tokenOf = (state: DirectoryState, id: ServiceAccountId, tokenId: TokenId): ApiTokenState | undefined =>
  worldOf(state)?.accounts.get(id)?.tokens.get(tokenId)

/** The active tokens of a live account, in the order they were issued (none for an unknown account). */
export const activeTokenIds = (state: DirectoryState, id: ServiceAccountId): Array<TokenId> => {
  const entry = worldOf(state)?.accounts.get(id)
  return entry === undefined ? [] : Accounts.activeTokenIdsOf(entry)
}

/** A live account as readers see it: a snapshot later events never change. */
export const accountSnapshot = (state: DirectoryState, id: ServiceAccountId): ServiceAccountState | undefined => {
  const entry = worldOf(state)?.accounts.get(id)
  return entry === undefined ? undefined : Accounts.snapshot(entry)
}

/** Every live account, as snapshots, in no particular order. */
export const accountSnapshots = (state: DirectoryState): ReadonlyArray<ServiceAccountState> => {
  const world = worldOf(state)
  return world === undefined ? [] : Array.from(world.accounts.values(), Accounts.snapshot)
}
