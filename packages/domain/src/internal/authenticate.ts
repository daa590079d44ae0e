/**
 * `authenticate`: a token value to the principal it stands for — one SHA-256 and one look-up in the token index.
 * Every refusal is the same `AuthenticationFailed`; the cause goes to a debug log and a metric only.
 *
 * Only values of a token's length are hashed. The checksum is checked when the digest is not in the index, to name
 * the cause (a mistyped or made-up value against an unknown one): a value whose digest is in the index was issued
 * here, so it is well-formed, and checking its checksum first would only add work to every accepted request.
 * Which values are refused does not depend on the order — a malformed value is never in the index.
 */
import { Effect, HashMap, Metric, Option, Redacted } from "effect"
import { AuthenticationFailed } from "../Errors.js"
import type { Principal, ServiceAccountsShape } from "../ServiceAccounts.js"
import { directoryStream } from "../StoredEvent.js"
import * as Token from "../Token.js"
import * as TokenIndex from "../TokenIndex.js"
import type { ReadModelsState } from "./readModels.js"

const authenticationFailures = Metric.counter("service_accounts_authentication_failures", {
  description: "authentications refused, by cause"
})

type FailureCause =
  | Token.MalformedReason
  | "not-a-string"
  | "unknown"
  | "revoked"
  | "account-deleted"
  | "other-organization"
  | "corrupt-history"

export const makeAuthenticate = (current: () => ReadModelsState): ServiceAccountsShape["authenticate"] => {
  const refuse = (cause: FailureCause) =>
    Effect.logDebug("authentication failed").pipe(
      Effect.annotateLogs({ cause }),
      Effect.zipRight(Metric.increment(Metric.tagged(authenticationFailures, "cause", cause))),
      Effect.zipRight(Effect.fail(new AuthenticationFailed()))
    )

  // One step (a suspension reading the read models as they are when it runs), everything else synchronous: this
  // runs on every request.
  const authenticate: ServiceAccountsShape["authenticate"] = (value, authOptions) =>
    Effect.suspend(() => {
      const state = current()
      // Whatever arrives — a string, a Redacted, or anything else a careless caller passes — is only ever read.
      const raw: unknown =
        typeof value === "string" ? value : Redacted.isRedacted(value) ? Redacted.value(value) : undefined
      if (typeof raw !== "string") return refuse("not-a-string")
      if (raw.length !== Token.TOKEN_LENGTH) return refuse("wrong-length")
      const token = TokenIndex.get(state.tokens, Token.digest(raw))
      if (token === undefined) return refuse(Token.checkFormat(raw) ?? "unknown")
      // A token whose organisation's history cannot be read fails closed: a revocation may be what is unreadable.
      if (
        HashMap.size(state.quarantined) > 0 &&
        HashMap.has(state.quarantined, directoryStream(token.organizationId))
      ) {
        return refuse("corrupt-history")
      }
      if (Option.isSome(token.revoked)) return refuse(token.revoked.value === "Manual" ? "revoked" : "account-deleted")
      if (authOptions?.organizationId !== undefined && authOptions.organizationId !== token.organizationId) {
        return refuse("other-organization")
      }
      const principal: Principal = {
        organizationId: token.organizationId,
        serviceAccountId: token.serviceAccountId,
        tokenId: token.tokenId,
        scopes: token.scopes
      }
      return Effect.succeed(principal)
    })

  return authenticate
}
