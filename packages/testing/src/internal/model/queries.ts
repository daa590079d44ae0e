/**
 * The read steps of a model-based sequence: `get` and `list`, each answer compared field by field with the model —
 * an account of another organisation and a deleted account are not found, a live one shows its name,
 * description and every token it ever had, and a listing shows exactly the organisation's live accounts, in the
 * order they were created.
 *
 * @internal
 */
import type { DirectoryView, ServiceAccountsShape } from "@service-accounts/domain"
import { Cause, Effect, Exit, Option } from "effect"
import { administrator } from "../../Arbitraries.js"
import type { ModelAccount, ModelToken } from "./state.js"
import { pick } from "./state.js"
import { ORGS, UNKNOWN_ID } from "./steps.js"

/** What a read step did, what the model expected of it, and how its answer differs from the model's, if it does. */
export interface QueryOutcome {
  readonly exit: Exit.Exit<unknown, unknown>
  readonly expected: string
  readonly problem: string | undefined
}

const modelledToken = (token: ModelToken) => ({
  tokenId: token.id,
  name: token.name,
  scopes: token.scopes,
  status: token.active ? "active" : "revoked"
})

const modelledAccount = (account: ModelAccount) => ({
  serviceAccountId: account.id,
  name: account.name,
  ...(account.description === undefined ? {} : { description: account.description }),
  status: account.live ? "active" : "deleted",
  tokens: account.tokens.map(modelledToken)
})

/** The fields of a served account the model keeps, in the model's shape. */
const servedAccount = (account: DirectoryView.AccountView) => ({
  serviceAccountId: account.serviceAccountId,
  name: account.name,
  ...(account.description === undefined ? {} : { description: account.description }),
  status: account.status,
  tokens: account.tokens.map((token) => ({
    tokenId: token.tokenId,
    name: token.name,
    scopes: token.scopes,
    status: token.status
  }))
})

const differs = (what: string, served: unknown, modelled: unknown): string | undefined => {
  const a = JSON.stringify(served)
  const b = JSON.stringify(modelled)
  return a === b ? undefined : `${what}: the service shows ${a}, the model ${b}`
}

/**
 * `get` of one of the organisation's accounts (deleted ones included) or of an unknown id, by another
 * administrator of the organisation or, when `foreign`, by an administrator of the other organisation.
 */
export const runGet = (
  service: ServiceAccountsShape,
  step: { readonly org: number; readonly account: number; readonly foreign: boolean },
  accounts: ReadonlyMap<string, ReadonlyArray<ModelAccount>>
): Effect.Effect<QueryOutcome> =>
  Effect.gen(function* () {
    const owner = ORGS[step.org] ?? "org-a"
    const account = pick(accounts.get(owner) ?? [], step.account)
    const asker = step.foreign
      ? administrator(ORGS[(step.org + 1) % ORGS.length] ?? "org-b", "foreign-admin")
      : administrator(owner, "reader")
    const id = account?.id ?? UNKNOWN_ID
    const exit = yield* Effect.exit(service.get(asker, id))
    const expected = account === undefined || !account.live || step.foreign ? "ServiceAccountNotFound" : "success"
    let problem: string | undefined
    if (Exit.isSuccess(exit) && account !== undefined) {
      problem = differs("get", servedAccount(exit.value), modelledAccount(account))
    } else if (Exit.isFailure(exit)) {
      // The refusal names the id asked for: a foreign or deleted account looks exactly like one that never existed.
      const error = Option.getOrUndefined(Cause.failureOption(exit.cause))
      const named =
        typeof error === "object" && error !== null && "serviceAccountId" in error ? error.serviceAccountId : ""
      if (named !== id) problem = `get: the refusal names ${JSON.stringify(named)}, not the id asked for`
    }
    return { exit, expected, problem }
  })

/** `list` by another administrator of the organisation: exactly its live accounts, in creation order. */
export const runList = (
  service: ServiceAccountsShape,
  step: { readonly org: number },
  accounts: ReadonlyMap<string, ReadonlyArray<ModelAccount>>
): Effect.Effect<QueryOutcome> =>
  Effect.gen(function* () {
    const owner = ORGS[step.org] ?? "org-a"
    const caller = administrator(owner, "reader")
    const exit = yield* Effect.exit(service.list(caller))
    let problem: string | undefined
    if (Exit.isSuccess(exit)) {
      const listing = exit.value
      problem =
        differs(
          "list (organisation and tenant URL)",
          [listing.organizationId, listing.tenantUrl],
          [owner, caller.organization.tenantUrl]
        ) ??
        differs(
          "list",
          listing.accounts.map(servedAccount),
          (accounts.get(owner) ?? []).filter((account) => account.live).map(modelledAccount)
        )
    }
    return { exit, expected: "success", problem }
  })
