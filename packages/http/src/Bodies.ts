/**
 * The request and response bodies of the management API, as `Schema`s: what the OpenAPI document describes and what
 * the handlers encode. They are structural only (a string where a string belongs); the library decides what a valid
 * name, description or scope is and answers `InvalidInput` naming the field, in messages that never repeat the input.
 *
 * @example
 * ```ts
 * import { Bodies } from "@service-accounts/http"
 * import { Schema } from "effect"
 *
 * // A client decodes an answer with the same schema the server encodes it with.
 * const created = Schema.decodeUnknownSync(Bodies.CreatedServiceAccount)({
 *   serviceAccountId: "0b6a6c1e-4a8f-4d5e-9f3a-2c7d1e0f9a11",
 *   name: "deploy-bot"
 * })
 * const request: typeof Bodies.IssueTokenRequest.Type = { name: "ci", scopes: ["read"] }
 * ```
 *
 * @since 0.1.0
 */
import { Scope } from "@service-accounts/domain"
import { Schema } from "effect"

// The message of a structural failure names the field and never quotes what was sent (it may be a pasted secret).
const text = (what: string) => Schema.String.annotations({ message: () => `${what} must be a string` })

const Actor = Schema.Struct({ userId: Schema.String, role: Schema.String })

/**
 * `POST /api/service-accounts`: the new account's name and an optional description.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreateServiceAccountRequest = Schema.Struct({
  name: text("name"),
  description: Schema.optionalWith(text("description"), { exact: true })
}).annotations({ identifier: "CreateServiceAccountRequest" })

/**
 * The answer to a create: the new account's id and its name as the library normalised it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CreatedServiceAccount = Schema.Struct({
  serviceAccountId: Schema.String,
  name: Schema.String
}).annotations({ identifier: "CreatedServiceAccount" })

/**
 * A token as a listing shows it: never its value, only its `hint` (the last characters: enough to recognise a token,
 * useless to an attacker), and when it was last used.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenView = Schema.Struct({
  tokenId: Schema.String,
  name: Schema.String,
  hint: Schema.String,
  scopes: Schema.Array(Schema.String),
  status: Schema.Literal("active", "revoked"),
  issuedAt: Schema.DateTimeUtc,
  issuedBy: Actor,
  revokedAt: Schema.optional(Schema.DateTimeUtc),
  revokedBy: Schema.optional(Actor),
  revocationReason: Schema.optional(Schema.Literal("Manual", "ServiceAccountDeleted")),
  /** When it was last used, to the precision of the usage recorders' flushes; absent when never (as far as is kept). */
  lastUsedAt: Schema.optional(Schema.DateTimeUtc)
}).annotations({ identifier: "Token" })

/**
 * One live service account with its tokens.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServiceAccountView = Schema.Struct({
  serviceAccountId: Schema.String,
  name: Schema.String,
  description: Schema.optional(Schema.String),
  status: Schema.Literal("active", "deleted"),
  createdAt: Schema.DateTimeUtc,
  createdBy: Actor,
  tokens: Schema.Array(TokenView)
}).annotations({ identifier: "ServiceAccount" })

/**
 * The organisation's live accounts, with its tenant URL on top.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Directory = Schema.Struct({
  organizationId: Schema.String,
  tenantUrl: Schema.String,
  accounts: Schema.Array(ServiceAccountView)
}).annotations({ identifier: "Directory" })

/**
 * The answer to a delete: the account and the tokens revoked with it.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DeletedServiceAccount = Schema.Struct({
  serviceAccountId: Schema.String,
  revokedTokenIds: Schema.Array(Schema.String)
}).annotations({ identifier: "DeletedServiceAccount" })

/**
 * `POST /api/service-accounts/{serviceAccountId}/tokens`: the token's name and its scopes (default
 * `["read", "write"]`).
 *
 * @since 0.1.0
 * @category schemas
 */
export const IssueTokenRequest = Schema.Struct({
  name: text("name"),
  scopes: Schema.optionalWith(
    Schema.Array(
      Schema.Literal(...Scope.literals).annotations({
        message: () => ({
          message: `a scope must be one of ${Scope.literals.map((s) => `"${s}"`).join(", ")}`,
          override: true
        })
      })
    ).annotations({ message: () => "scopes must be an array" }),
    { exact: true }
  )
}).annotations({ identifier: "IssueTokenRequest" })

/**
 * The one response that carries a token value. `value` and `sessionJson` (the ready-to-save `session.json`:
 * `{"accessToken": …, "tenantURL": …, "scopes": […]}`) are `Redacted` until this body is written, so they cannot
 * reach a log on the way.
 *
 * @since 0.1.0
 * @category schemas
 */
export const IssuedToken = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  name: Schema.String,
  scopes: Schema.Array(Schema.String),
  hint: Schema.String,
  value: Schema.Redacted(Schema.String),
  sessionJson: Schema.Redacted(Schema.String)
}).annotations({ identifier: "IssuedToken" })

/**
 * The answer to a revoke.
 *
 * @since 0.1.0
 * @category schemas
 */
export const RevokedToken = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String
}).annotations({ identifier: "RevokedToken" })

/**
 * One line of the audit trail: who did what, when, at which position of the store.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AuditEntry = Schema.Struct({
  position: Schema.BigInt,
  occurredAt: Schema.DateTimeUtc,
  actor: Actor,
  action: Schema.String,
  serviceAccountId: Schema.String,
  tokenId: Schema.optional(Schema.String),
  summary: Schema.String
}).annotations({ identifier: "AuditEntry" })

/**
 * `GET /api/whoami`: who the bearer token stands for.
 *
 * @since 0.1.0
 * @category schemas
 */
export const WhoAmI = Schema.Struct({
  organizationId: Schema.String,
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  scopes: Schema.Array(Schema.String)
}).annotations({ identifier: "WhoAmI" })

// A number of days from the URL: the library checks it is whole and within the days it keeps. The message never
// quotes what was sent.
const daysParam = (description: string) =>
  Schema.NumberFromString.annotations({
    message: () => ({ message: "must be a whole number of days", override: true }),
    description
  })

// The query schemas carry no identifier: the OpenAPI document lists their fields as parameters only when they are
// inline.

/**
 * `GET /api/usage?serviceAccountId=…&days=…`: one account (by default every live account of the organisation) over
 * the last `days` days, today included (default 30).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageQuery = Schema.Struct({
  serviceAccountId: Schema.optionalWith(
    text("serviceAccountId").annotations({ description: "One account (default: every live account)" }),
    { exact: true }
  ),
  days: Schema.optionalWith(daysParam("The window: this many days up to today, today included (default 30)"), {
    exact: true
  })
})

/**
 * `GET /api/usage/unused-tokens?days=…`: the active tokens nobody used for the last `days` days.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnusedTokensQuery = Schema.Struct({
  days: daysParam("Tokens nobody used for this many days (and issued before them)")
})

/**
 * Requests, and the units the host charged for them (what a unit is, the host decides).
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageCounts = Schema.Struct({ requests: Schema.Number, units: Schema.Number }).annotations({
  identifier: "UsageCounts"
})

/**
 * One UTC day's requests and units; `day` is `YYYY-MM-DD`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const DayUsage = Schema.Struct({
  day: Schema.String,
  requests: Schema.Number,
  units: Schema.Number
}).annotations({ identifier: "DayUsage" })

/**
 * One token's usage: its last use, the report's window and every day kept in total, and the window's days that saw
 * any use (oldest first; a day without use is not listed).
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenUsage = Schema.Struct({
  tokenId: Schema.String,
  name: Schema.String,
  status: Schema.Literal("active", "revoked"),
  lastUsedAt: Schema.optional(Schema.DateTimeUtc),
  window: UsageCounts,
  total: UsageCounts,
  days: Schema.Array(DayUsage)
}).annotations({ identifier: "TokenUsage" })

/**
 * One account's usage: its tokens', summed, and each token's.
 *
 * @since 0.1.0
 * @category schemas
 */
export const AccountUsage = Schema.Struct({
  serviceAccountId: Schema.String,
  name: Schema.String,
  lastUsedAt: Schema.optional(Schema.DateTimeUtc),
  window: UsageCounts,
  total: UsageCounts,
  days: Schema.Array(DayUsage),
  tokens: Schema.Array(TokenUsage)
}).annotations({ identifier: "AccountUsage" })

/**
 * The organisation's usage (or one account's): `since` is the window's first day (`YYYY-MM-DD`, UTC), and the window
 * ends today.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UsageReport = Schema.Struct({
  organizationId: Schema.String,
  since: Schema.String,
  window: UsageCounts,
  total: UsageCounts,
  days: Schema.Array(DayUsage),
  accounts: Schema.Array(AccountUsage)
}).annotations({ identifier: "UsageReport" })

/**
 * An active token nobody used for the days asked about (or ever, when it was issued before them): a candidate to
 * revoke.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnusedToken = Schema.Struct({
  serviceAccountId: Schema.String,
  accountName: Schema.String,
  tokenId: Schema.String,
  name: Schema.String,
  issuedAt: Schema.DateTimeUtc,
  lastUsedAt: Schema.optional(Schema.DateTimeUtc)
}).annotations({ identifier: "UnusedToken" })

/**
 * The answer to `GET /api/usage/unused-tokens`: the days asked about and the tokens.
 *
 * @since 0.1.0
 * @category schemas
 */
export const UnusedTokens = Schema.Struct({ days: Schema.Number, tokens: Schema.Array(UnusedToken) }).annotations({
  identifier: "UnusedTokens"
})
