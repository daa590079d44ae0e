/**
 * The directory decider written as plain, mutable JavaScript: what the raw baseline and the Emmett peer decide
 * with. It checks what the library's decider checks for these commands (the account exists and is live, account
 * names and active token names are unique, compared NFKC-normalised and case-folded) and draws a token the same
 * way (256 bits from the CSPRNG, `sat_` format with CRC-32, SHA-256 digest).
 */
import { randomUUID } from "node:crypto"
import type { ActorJson, CreatedJson, EventJson, TokenIssuedJson } from "./history.js"
import { newToken, sha256Hex } from "./tokens.js"

export interface PlainAccount {
  readonly id: string
  readonly name: string
  /** Active tokens by name key. */
  readonly activeTokenNames: Map<string, string>
  /** Every token (active or not): its name and whether it is active. */
  readonly tokens: Map<string, { readonly name: string; active: boolean }>
}

export interface PlainDirectory {
  readonly accounts: Map<string, PlainAccount>
  readonly accountNames: Map<string, string>
}

export const emptyDirectory = (): PlainDirectory => ({ accounts: new Map(), accountNames: new Map() })

export const nameKey = (name: string): string => name.normalize("NFKC").toUpperCase().toLowerCase().trim()

/** Folds one event into the state, in place. */
export const evolve = (state: PlainDirectory, event: EventJson): PlainDirectory => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      state.accounts.set(event.serviceAccountId, {
        id: event.serviceAccountId,
        name: event.name,
        activeTokenNames: new Map(),
        tokens: new Map()
      })
      state.accountNames.set(nameKey(event.name), event.serviceAccountId)
      break
    case "TokenIssued": {
      const account = state.accounts.get(event.serviceAccountId)
      account?.tokens.set(event.tokenId, { name: event.name, active: true })
      account?.activeTokenNames.set(nameKey(event.name), event.tokenId)
      break
    }
    case "TokenRevoked": {
      const token = state.accounts.get(event.serviceAccountId)?.tokens.get(event.tokenId)
      if (token?.active === true) {
        token.active = false
        state.accounts.get(event.serviceAccountId)?.activeTokenNames.delete(nameKey(token.name))
      }
      break
    }
    case "ServiceAccountDeleted": {
      const account = state.accounts.get(event.serviceAccountId)
      if (account !== undefined) {
        state.accounts.delete(event.serviceAccountId)
        state.accountNames.delete(nameKey(account.name))
      }
      break
    }
  }
  return state
}

export interface PlainContext {
  readonly organizationId: string
  readonly actor: ActorJson
  readonly tenantUrl: string
}

export const decideCreate = (state: PlainDirectory, context: PlainContext, name: string): CreatedJson => {
  if (state.accountNames.has(nameKey(name))) throw new Error("duplicate service account name")
  return {
    _tag: "ServiceAccountCreated",
    organizationId: context.organizationId,
    actor: context.actor,
    occurredAt: new Date().toISOString(),
    serviceAccountId: randomUUID(),
    name: name.trim()
  }
}

/** A decided `issueToken`: the event, and the value that exists only here. */
export interface PlainIssued {
  readonly event: TokenIssuedJson
  readonly value: string
  readonly sessionJson: string
}

export const decideIssue = (
  state: PlainDirectory,
  context: PlainContext,
  serviceAccountId: string,
  name: string
): PlainIssued => {
  const account = state.accounts.get(serviceAccountId)
  if (account === undefined) throw new Error("service account not found")
  if (account.activeTokenNames.has(nameKey(name))) throw new Error("duplicate token name")
  const value = newToken()
  const scopes = ["read", "write"] as const
  const event: TokenIssuedJson = {
    _tag: "TokenIssued",
    organizationId: context.organizationId,
    actor: context.actor,
    occurredAt: new Date().toISOString(),
    serviceAccountId,
    tokenId: randomUUID(),
    name: name.trim(),
    scopes,
    secretHash: sha256Hex(value),
    hint: value.slice(-4)
  }
  const sessionJson = JSON.stringify({ accessToken: value, tenantURL: context.tenantUrl, scopes })
  return { event, value, sessionJson }
}
