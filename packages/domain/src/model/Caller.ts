/**
 * Who is calling: the organisation (with its plan and tenant URL), the acting user and role, and an
 * optional command id. The host authenticates its users; this library only authorises them.
 *
 * @example
 * ```ts
 * import { Caller } from "@service-accounts/domain"
 * import { Either, Schema } from "effect"
 *
 * // What the host knows about its signed-in user, in the form every command and query takes.
 * const input = {
 *   organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
 *   actor: { userId: "alice", role: "administrator" },
 *   commandId: "request-7f3a" // optional: the same command sent again with this id is not applied twice
 * }
 * const caller = Schema.decodeUnknownSync(Caller)(input)
 *
 * // A tenant URL with credentials in it is refused: it would be copied into every session.json.
 * const withPassword = { ...input.organization, tenantUrl: "https://ops:hunter2@acme.example.com" }
 * Either.isLeft(Schema.decodeUnknownEither(Caller)({ ...input, organization: withPassword })) // true
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { CommandId, OrganizationId, UserId } from "./Ids.js"
import { tokenFree } from "./tokenFree.js"

/**
 * The role that may manage service accounts.
 *
 * @since 0.1.0
 * @category constants
 */
export const ADMINISTRATOR = "administrator"

/**
 * The plan that includes service accounts.
 *
 * @since 0.1.0
 * @category constants
 */
export const ENTERPRISE = "enterprise"

/**
 * A role as the host names it. Only `administrator` may manage service accounts; any other role is refused. A role
 * holding a token value is not a role at all: it is invalid input (it would be recorded in events).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Role = Schema.String.pipe(
  Schema.minLength(1, { message: () => "a role must not be empty" }),
  Schema.maxLength(64, { message: () => "a role must be at most 64 characters" }),
  tokenFree("a role")
)

/** Tenant URLs already checked (an organisation sends the same one with every call), bounded. */
const checkedTenantUrls = new Map<string, boolean>()
const CHECKED_TENANT_URLS = 1024

const isTenantUrl = (s: string): boolean => {
  const known = checkedTenantUrls.get(s)
  if (known !== undefined) return known
  let ok: boolean
  try {
    const url = new URL(s)
    ok = (url.protocol === "https:" || url.protocol === "http:") && url.username === "" && url.password === ""
  } catch {
    ok = false
  }
  if (checkedTenantUrls.size >= CHECKED_TENANT_URLS) checkedTenantUrls.clear()
  checkedTenantUrls.set(s, ok)
  return ok
}

/**
 * The tenant URL: where the organisation's API lives; it goes into every `session.json`. It must hold no token value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TenantUrl = Schema.String.pipe(
  Schema.maxLength(2048, { message: () => "a tenant URL must be at most 2048 characters" }),
  Schema.filter(isTenantUrl, {
    message: () => "a tenant URL must be an absolute http(s) URL without credentials"
  }),
  tokenFree("a tenant URL")
)

/**
 * The caller's organisation. None of its fields may hold a token value.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Organization = Schema.Struct({
  id: OrganizationId,
  plan: Schema.String.pipe(
    Schema.maxLength(64, { message: () => "a plan must be at most 64 characters" }),
    tokenFree("a plan")
  ),
  tenantUrl: TenantUrl
})
/**
 * @since 0.1.0
 * @category models
 */
export type Organization = typeof Organization.Type

/**
 * The acting user and their role in the organisation. It is recorded in every event.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Actor = Schema.Struct({ userId: UserId, role: Role })
/**
 * @since 0.1.0
 * @category models
 */
export type Actor = typeof Actor.Type

/**
 * Everything a command or query needs to know about its caller.
 *
 * @since 0.1.0
 * @category schemas
 */
export const Caller = Schema.Struct({
  organization: Organization,
  actor: Actor,
  /** An idempotency key: the same command sent again with the same id is not applied twice. */
  commandId: Schema.optional(CommandId)
})
/**
 * @since 0.1.0
 * @category models
 */
export type Caller = typeof Caller.Type
