/**
 * The shapes of the hostile-input corpus's cases: what each kind of case presents to the service, and the typed
 * error it must be refused with. The cases themselves are in the files beside this one, one per kind of input.
 */

export type Category =
  | "oversize"
  | "control characters"
  | "bidi overrides"
  | "case and normalisation"
  | "invisible characters"
  | "lone surrogates"
  | "wrong types"
  | "huge arrays"
  | "prototype pollution"
  | "privilege spelling"
  | "malformed tokens"
  | "stored events"
  | "secrets in text"

export type Expected =
  | "InvalidInput"
  | "NotAuthorized"
  | "PlanNotEligible"
  | "DuplicateServiceAccountName"
  | "DuplicateTokenName"
  | "ServiceAccountNotFound"
  | "TokenNotFound"
  | "AuthenticationFailed"
  | "CorruptStoredEvent"

export interface Common {
  readonly id: string
  readonly category: Category
  readonly expect: Expected
  /** For `InvalidInput`: the field it must name. */
  readonly field?: string
  /** Not refused yet: why it should be (run as a `.fails` test). */
  readonly gap?: string
  /** Was a gap, found by this corpus and since fixed in the domain: why it must be refused. */
  readonly fixed?: string
  /** Passed as it is: no placeholder substitution, which would touch its getters or traps. */
  readonly exotic?: boolean
}

/** A command or query with hostile input, from a well-formed administrator. */
export interface InputCase extends Common {
  readonly kind: "input"
  readonly target: "create" | "issueToken" | "revokeToken" | "delete" | "get"
  readonly input: unknown
}

/** A hostile caller, with otherwise valid input. */
export interface CallerCase extends Common {
  readonly kind: "caller"
  readonly target: "create" | "list" | "auditTrail"
  readonly caller: unknown
}

/** How to turn a freshly issued, valid token value into the value presented to `authenticate`. */
export type TokenRecipe =
  | { readonly _tag: "Literal"; readonly value: unknown }
  | { readonly _tag: "Repeat"; readonly text: string; readonly times: number }
  | { readonly _tag: "FlipBody"; readonly at: number }
  | { readonly _tag: "FlipChecksum" }
  | { readonly _tag: "Prefix"; readonly prefix: string }
  | { readonly _tag: "Affix"; readonly before: string; readonly after: string }
  | { readonly _tag: "Replace"; readonly at: number; readonly with: string }
  | { readonly _tag: "Truncate"; readonly by: number }
  | { readonly _tag: "UpperCase" }
  | { readonly _tag: "NeverIssued" }
  | { readonly _tag: "Revoked" }
  | { readonly _tag: "OfDeletedAccount" }
  | { readonly _tag: "OtherOrganization" }
  | { readonly _tag: "RedactedNonString"; readonly value: unknown }

export interface TokenCase extends Common {
  readonly kind: "token"
  readonly recipe: TokenRecipe
}

/**
 * An event written raw into an organisation's stream, then met by a command of that organisation. `$value` in
 * `data` stands for a freshly made token value.
 */
export interface StoredCase extends Common {
  readonly kind: "stored"
  readonly type: string
  readonly data: unknown
  readonly metadata?: unknown
}

export type HostileCase = InputCase | CallerCase | TokenCase | StoredCase
