/**
 * The domain's typed errors. Each has a human `message` (a plain own property, so it shows wherever the error's
 * fields do) and its tag as its `name` (`String(error)` starts with it); none ever carries a token value: the errors that hold
 * text taken from an input (a field name, a path, a role, a plan, a stored stream's name) pass it through
 * `Token.quoteSafely` as they are made — token values redacted, control and invisible characters escaped, the length
 * capped — so no way of building one can forget it (ADR 0003).
 *
 * @example
 * ```ts
 * import { type CallerInput, DuplicateServiceAccountName, ServiceAccounts } from "@service-accounts/domain"
 * import { Effect } from "effect"
 *
 * // Every error has a `_tag` to match on and a human `message` that never repeats a token value.
 * new DuplicateServiceAccountName({ accountName: "deploy-bot" }).message
 * // 'a service account named "deploy-bot" already exists in this organisation'
 *
 * // The service's errors are typed failures: handle the ones you expect by tag, let the others through.
 * const ensureAccount = (caller: CallerInput, name: string) =>
 *   Effect.flatMap(ServiceAccounts, (accounts) => accounts.create(caller, { name })).pipe(
 *     Effect.map((created) => `created ${created.serviceAccountId}`),
 *     Effect.catchTag("DuplicateServiceAccountName", (error) => Effect.succeed(`${error.accountName} exists already`))
 *   )
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { ownMessage, quoted } from "./errorText.js"
import { quoteSafely } from "./Token.js"

/**
 * One problem found in an input: where (a dotted path such as `name` or `scopes.1`) and what is wrong.
 *
 * @since 0.1.0
 * @category models
 */
export class InputIssue extends Schema.Class<InputIssue>("InputIssue")({
  path: Schema.String,
  message: Schema.String
}) {
  constructor(props: { readonly path: string; readonly message: string }, options?: Schema.MakeOptions) {
    super({ path: quoteSafely(props.path), message: quoteSafely(props.message) }, options)
  }
}

/**
 * The caller is not allowed to do this: only an organisation's administrator may manage its service accounts.
 * Nothing was looked up.
 *
 * @since 0.1.0
 * @category errors
 */
export class NotAuthorized extends Schema.TaggedError<NotAuthorized>()("NotAuthorized", {
  action: Schema.String,
  role: Schema.String
}) {
  constructor(props: { readonly action: string; readonly role: string }, options?: Schema.MakeOptions) {
    super({ action: props.action, role: quoteSafely(props.role) }, options)
    ownMessage(this, `only an administrator may ${this.action}; the caller's role is ${quoted(this.role)}`)
  }
}

/**
 * The organisation's plan does not include service accounts (they need the Enterprise plan).
 *
 * @since 0.1.0
 * @category errors
 */
export class PlanNotEligible extends Schema.TaggedError<PlanNotEligible>()("PlanNotEligible", {
  organizationId: Schema.String,
  plan: Schema.String
}) {
  constructor(props: { readonly organizationId: string; readonly plan: string }, options?: Schema.MakeOptions) {
    super({ organizationId: quoteSafely(props.organizationId), plan: quoteSafely(props.plan) }, options)
    ownMessage(
      this,
      `service accounts need the enterprise plan; organisation ${this.organizationId} is on ${quoted(this.plan)}`
    )
  }
}

/**
 * An input did not decode. `field` names the first offending field; `issues` lists every problem.
 * The input values themselves are never repeated here: a pasted secret must not reach a log through an error.
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidInput extends Schema.TaggedError<InvalidInput>()("InvalidInput", {
  input: Schema.String,
  field: Schema.String,
  issues: Schema.Array(InputIssue)
}) {
  // The field may be a key the caller made up (an unknown field): it is quoted safely like the issues' paths.
  constructor(
    props: { readonly input: string; readonly field: string; readonly issues: ReadonlyArray<InputIssue> },
    options?: Schema.MakeOptions
  ) {
    super({ input: props.input, field: quoteSafely(props.field), issues: props.issues }, options)
    const details = this.issues.map((issue) => (issue.path === "" ? issue.message : `${issue.path}: ${issue.message}`))
    ownMessage(this, `invalid ${this.input}: ${details.join("; ")}`)
  }
}

/**
 * Another live service account of the organisation already has this name (compared trimmed, NFKC, case-folded).
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateServiceAccountName extends Schema.TaggedError<DuplicateServiceAccountName>()(
  "DuplicateServiceAccountName",
  { accountName: Schema.String }
) {
  constructor(props: { readonly accountName: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `a service account named "${this.accountName}" already exists in this organisation`)
  }
}

/**
 * Another active token of the account already has this name.
 *
 * @since 0.1.0
 * @category errors
 */
export class DuplicateTokenName extends Schema.TaggedError<DuplicateTokenName>()("DuplicateTokenName", {
  serviceAccountId: Schema.String,
  tokenName: Schema.String
}) {
  constructor(props: { readonly serviceAccountId: string; readonly tokenName: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `service account ${this.serviceAccountId} already has an active token named "${this.tokenName}"`)
  }
}

/**
 * No live service account with this id exists in the caller's organisation.
 *
 * @since 0.1.0
 * @category errors
 */
export class ServiceAccountNotFound extends Schema.TaggedError<ServiceAccountNotFound>()("ServiceAccountNotFound", {
  serviceAccountId: Schema.String
}) {
  constructor(props: { readonly serviceAccountId: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `service account ${this.serviceAccountId} was not found`)
  }
}

/**
 * The service account has no token with this id.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenNotFound extends Schema.TaggedError<TokenNotFound>()("TokenNotFound", {
  serviceAccountId: Schema.String,
  tokenId: Schema.String
}) {
  constructor(props: { readonly serviceAccountId: string; readonly tokenId: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `token ${this.tokenId} was not found on service account ${this.serviceAccountId}`)
  }
}

/**
 * The token is already revoked; revocation is permanent and happens once.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenAlreadyRevoked extends Schema.TaggedError<TokenAlreadyRevoked>()("TokenAlreadyRevoked", {
  serviceAccountId: Schema.String,
  tokenId: Schema.String
}) {
  constructor(props: { readonly serviceAccountId: string; readonly tokenId: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `token ${this.tokenId} is already revoked`)
  }
}

/**
 * A stream was not at the revision the writer expected: somebody else appended first. Nothing was appended.
 * The application service retries such conflicts a bounded number of times before giving up with this error.
 *
 * @since 0.1.0
 * @category errors
 */
export class ConcurrencyConflict extends Schema.TaggedError<ConcurrencyConflict>()("ConcurrencyConflict", {
  streamId: Schema.String,
  expected: Schema.String,
  actual: Schema.String
}) {
  constructor(
    props: { readonly streamId: string; readonly expected: string; readonly actual: string },
    options?: Schema.MakeOptions
  ) {
    super(props, options)
    ownMessage(this, `stream ${this.streamId} was expected at revision ${this.expected} but is at ${this.actual}`)
  }
}

/**
 * A token value did not authenticate. The cause (malformed, bad checksum, unknown, revoked, account deleted)
 * is deliberately not part of the error: it goes to logs only.
 *
 * @since 0.1.0
 * @category errors
 */
export class AuthenticationFailed extends Schema.TaggedError<AuthenticationFailed>()("AuthenticationFailed", {}) {
  constructor(props: Record<string, never> = {}, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, "authentication failed")
  }
}

/**
 * A command id (idempotency key) was reused for a different command.
 *
 * @since 0.1.0
 * @category errors
 */
export class CommandIdReused extends Schema.TaggedError<CommandIdReused>()("CommandIdReused", {
  commandId: Schema.String
}) {
  constructor(props: { readonly commandId: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `command id ${this.commandId} was already used for a different command`)
  }
}

/**
 * This `issueToken` was already run under the same command id: the token exists, and its value was delivered
 * to whoever ran the command the first time. It is never shown a second time, so a repeat answers with the
 * token's id and this refusal instead of the value.
 *
 * @since 0.1.0
 * @category errors
 */
export class TokenAlreadyIssued extends Schema.TaggedError<TokenAlreadyIssued>()("TokenAlreadyIssued", {
  commandId: Schema.String,
  serviceAccountId: Schema.String,
  tokenId: Schema.String
}) {
  constructor(
    props: { readonly commandId: string; readonly serviceAccountId: string; readonly tokenId: string },
    options?: Schema.MakeOptions
  ) {
    super(props, options)
    ownMessage(
      this,
      `command ${this.commandId} already issued token ${this.tokenId}; its value was delivered then and is never shown again`
    )
  }
}

/**
 * The errors a command can fail with because of what the caller asked, as opposed to infrastructure failures.
 *
 * @since 0.1.0
 * @category errors
 */
export type DomainError =
  | NotAuthorized
  | PlanNotEligible
  | InvalidInput
  | DuplicateServiceAccountName
  | DuplicateTokenName
  | ServiceAccountNotFound
  | TokenNotFound
  | TokenAlreadyRevoked
  | ConcurrencyConflict
  | CommandIdReused
  | TokenAlreadyIssued

/**
 * The stream was permanently deleted (tombstoned): it can be neither read nor written again.
 *
 * @since 0.1.0
 * @category errors
 */
export class StreamDeleted extends Schema.TaggedError<StreamDeleted>()("StreamDeleted", { streamId: Schema.String }) {
  constructor(props: { readonly streamId: string }, options?: Schema.MakeOptions) {
    super(props, options)
    ownMessage(this, `stream ${this.streamId} has been deleted permanently`)
  }
}

/**
 * The store could not be reached or failed in a way the caller cannot fix. `retryable` says whether the
 * same call may succeed later; a write whose outcome is unknown (sent, but no answer came) says so in `unknownOutcome`.
 *
 * @since 0.1.0
 * @category errors
 */
export class EventStoreUnavailable extends Schema.TaggedError<EventStoreUnavailable>()("EventStoreUnavailable", {
  operation: Schema.String,
  reason: Schema.String,
  retryable: Schema.Boolean,
  unknownOutcome: Schema.optional(Schema.Boolean)
}) {
  // A store's own messages may quote what it holds (a stream name, say): quoted safely.
  constructor(
    props: {
      readonly operation: string
      readonly reason: string
      readonly retryable: boolean
      readonly unknownOutcome?: boolean | undefined
    },
    options?: Schema.MakeOptions
  ) {
    super({ ...props, reason: quoteSafely(props.reason, 1000) }, options)
    ownMessage(this, `event store ${this.operation} failed: ${this.reason}`)
  }
}

/**
 * An event in the store could not be read as JSON with the fields every event has. It names where it is, so
 * an operator can find it; nothing is skipped silently.
 *
 * @since 0.1.0
 * @category errors
 */
export class CorruptStoredEvent extends Schema.TaggedError<CorruptStoredEvent>()("CorruptStoredEvent", {
  streamId: Schema.String,
  revision: Schema.BigIntFromSelf,
  position: Schema.optional(Schema.BigIntFromSelf),
  reason: Schema.String
}) {
  // A stored event could hold anything, its stream name included: both are quoted safely (no token value, no control
  // character) and kept short. (Whoever keys anything by the stream uses the stream it read, not this copy.)
  constructor(
    props: {
      readonly streamId: string
      readonly revision: bigint
      readonly position?: bigint | undefined
      readonly reason: string
    },
    options?: Schema.MakeOptions
  ) {
    super({ ...props, streamId: quoteSafely(props.streamId, 1000), reason: quoteSafely(props.reason, 1000) }, options)
    ownMessage(this, `stored event ${this.streamId}@${this.revision} cannot be read: ${this.reason}`)
  }
  /** As JSON: the revision and position as decimal text (JSON has no 64-bit integers; `JSON.stringify` would throw). */
  override toJSON(): { readonly [key: string]: string } {
    return {
      _tag: this._tag,
      streamId: this.streamId,
      revision: String(this.revision),
      ...(this.position === undefined ? {} : { position: String(this.position) }),
      reason: this.reason,
      message: this.message
    }
  }
}

/**
 * Everything a store may fail with on an append.
 *
 * @since 0.1.0
 * @category errors
 */
export type AppendError = ConcurrencyConflict | StreamDeleted | EventStoreUnavailable

/**
 * Everything a store may fail with on a read or a subscription.
 *
 * @since 0.1.0
 * @category errors
 */
export type ReadError = StreamDeleted | EventStoreUnavailable | CorruptStoredEvent

/**
 * Failures of the store that a command or query can meet.
 *
 * @since 0.1.0
 * @category errors
 */
export type StoreError = ReadError | StreamDeleted | EventStoreUnavailable

/**
 * Refusals every call can meet before anything is looked up.
 *
 * @since 0.1.0
 * @category errors
 */
export type AccessError = InvalidInput | NotAuthorized | PlanNotEligible

/**
 * What any command can meet besides its own refusals: a reused command id, a conflict that outlasted the
 * retries, a store failure.
 *
 * @since 0.1.0
 * @category errors
 */
export type CommandError = AccessError | CommandIdReused | ConcurrencyConflict | StoreError
