/**
 * The hostile-input corpus: inputs a careless or malicious caller, or a damaged store, can present to the service.
 * Every case must be refused with the typed error it names, with a short human message, appending nothing and
 * without a defect; hostile.test.ts runs them all and prints how many were.
 *
 * Cases are data. A few hold values that only JavaScript can express (a getter that throws, a Proxy, an object
 * whose fields are inherited): those are marked `exotic` and passed as they are. Strings `$account`, `$token` and
 * `$deleted` stand for a live account's id, one of its active tokens' id and a deleted account's id, filled in at
 * test time. No token value is ever written here: token cases are recipes applied to values made at test time
 * with `Token.fromEntropy`.
 *
 * A case with `gap` is something the library does not refuse yet: the reason says what and why it should. Those
 * run as `.fails` tests, so they cannot pass silently and flip the day the domain refuses them.
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

interface Common {
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

/** Names created before the corpus runs, which the "case and normalisation" cases collide with. */
export const BASE_ACCOUNT_NAMES = ["deploy-bot", "straße", "file-sync", "café", "k-service", "ⅸ-tool"] as const
/** A token name given to `$account`'s token before the corpus runs. */
export const BASE_TOKEN_NAME = "ci-token"

const create = (id: string, category: Category, input: unknown, field: string, extra: Partial<Common> = {}) =>
  ({ kind: "input", id, category, target: "create", input, expect: "InvalidInput", field, ...extra }) as const
const createName = (id: string, category: Category, name: unknown, extra: Partial<Common> = {}) =>
  create(id, category, { name }, "name", extra)
const createDescription = (id: string, category: Category, description: unknown, extra: Partial<Common> = {}) =>
  create(id, category, { name: `described-${id}`, description }, "description", extra)
const issue = (
  id: string,
  category: Category,
  input: Record<string, unknown>,
  field: string,
  extra: Partial<Common> = {}
) =>
  ({
    kind: "input",
    id,
    category,
    target: "issueToken",
    input: { serviceAccountId: "$account", name: `token-${id}`, ...input },
    expect: "InvalidInput",
    field,
    ...extra
  }) as const
const duplicateAccount = (id: string, name: string, extra: Partial<Common> = {}) =>
  ({
    kind: "input",
    id,
    category: "case and normalisation",
    target: "create",
    input: { name },
    expect: "DuplicateServiceAccountName",
    ...extra
  }) as const
const duplicateToken = (id: string, name: string) =>
  ({
    kind: "input",
    id,
    category: "case and normalisation",
    target: "issueToken",
    input: { serviceAccountId: "$account", name },
    expect: "DuplicateTokenName"
  }) as const

const admin = { userId: "admin", role: "administrator" }
const organization = { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" }
const caller = (id: string, category: Category, value: unknown, expect: Expected, field?: string) =>
  ({
    kind: "caller",
    id,
    category,
    target: "create",
    caller: value,
    expect,
    ...(field === undefined ? {} : { field })
  }) as const
const token = (id: string, category: Category, recipe: TokenRecipe, extra: Partial<Common> = {}) =>
  ({ kind: "token", id, category, recipe, expect: "AuthenticationFailed", ...extra }) as const

const at = "2026-01-01T00:00:00.000Z"
const actor = { userId: "admin", role: "administrator" }
const accountId = "0b5c3a1e-7d2f-4e8a-9b6c-1d2e3f4a5b6c"
const created = (fields: Record<string, unknown> = {}) => ({
  _tag: "ServiceAccountCreated",
  organizationId: "$org",
  actor,
  occurredAt: at,
  serviceAccountId: accountId,
  name: "stored",
  ...fields
})
const issued = (fields: Record<string, unknown> = {}) => ({
  _tag: "TokenIssued",
  organizationId: "$org",
  actor,
  occurredAt: at,
  serviceAccountId: accountId,
  tokenId: "2c6d4b2f-8e3a-4f9b-8c7d-2e3f4a5b6c7d",
  name: "stored-token",
  scopes: ["read"],
  secretHash: "a".repeat(64),
  hint: "abcd",
  ...fields
})
const stored = (id: string, type: string, data: unknown, extra: Partial<StoredCase> = {}): StoredCase => ({
  kind: "stored",
  id,
  category: "stored events",
  type,
  data,
  expect: "CorruptStoredEvent",
  ...extra
})

let nested: unknown = "deep"
for (let i = 0; i < 1_000; i++) nested = [nested]

const throwingGetter = {
  get name(): string {
    throw new Error("a getter that throws")
  }
}
const trappedProxy = new Proxy(
  { name: "proxied" },
  {
    ownKeys: () => {
      throw new Error("an ownKeys trap that throws")
    }
  }
)
const inheritedName: unknown = Object.create({ name: "inherited-name" })
const inheritedRole: unknown = {
  organization,
  actor: Object.create({ role: "administrator" }, { userId: { value: "eve", enumerable: true } })
}

export const corpus: ReadonlyArray<HostileCase> = [
  // — oversize —
  createName("name-101-characters", "oversize", "n".repeat(101)),
  createName("name-1-million-characters", "oversize", "n".repeat(1_000_000)),
  createName("name-101-astral-characters", "oversize", "🔑".repeat(101)),
  createName("name-zalgo-151-code-points", "oversize", `e${"\u0301".repeat(150)}`),
  createDescription("description-501-characters", "oversize", "d".repeat(501)),
  createDescription("description-1-million-characters", "oversize", "d".repeat(1_000_000)),
  issue("token-name-101-characters", "oversize", { name: "t".repeat(101) }, "name"),
  issue("token-name-100-thousand-characters", "oversize", { name: "t".repeat(100_000) }, "name"),
  {
    kind: "input",
    id: "revoke-token-id-100-thousand-characters",
    category: "oversize",
    target: "revokeToken",
    input: { serviceAccountId: "$account", tokenId: "f".repeat(100_000) },
    expect: "InvalidInput",
    field: "tokenId"
  },
  {
    kind: "input",
    id: "get-id-1-million-characters",
    category: "oversize",
    target: "get",
    input: "0".repeat(1_000_000),
    expect: "InvalidInput"
  },
  caller(
    "command-id-201-characters",
    "oversize",
    { organization, actor: admin, commandId: "c".repeat(201) },
    "InvalidInput",
    "commandId"
  ),
  caller(
    "organization-id-201-characters",
    "oversize",
    { organization: { ...organization, id: "o".repeat(201) }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "user-id-201-characters",
    "oversize",
    { organization, actor: { ...admin, userId: "u".repeat(201) } },
    "InvalidInput",
    "actor"
  ),
  caller(
    "role-65-characters",
    "oversize",
    { organization, actor: { ...admin, role: "r".repeat(65) } },
    "InvalidInput",
    "actor"
  ),
  caller(
    "plan-65-characters",
    "oversize",
    { organization: { ...organization, plan: "p".repeat(65) }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "tenant-url-2049-characters",
    "oversize",
    { organization: { ...organization, tenantUrl: `https://acme.example.com/${"x".repeat(2030)}` }, actor: admin },
    "InvalidInput",
    "organization"
  ),

  // — control characters —
  createName("name-nul", "control characters", "bad\u0000name"),
  createName("name-bell", "control characters", "a\u0007b"),
  createName("name-tab-inside", "control characters", "tab\tinside"),
  createName("name-newline", "control characters", "line\nbreak"),
  createName("name-carriage-return", "control characters", "carriage\rreturn"),
  createName("name-ansi-escape", "control characters", "\u001b[31mred\u001b[0m"),
  createName("name-delete", "control characters", "del\u007fete"),
  createName("name-next-line-c1", "control characters", "next\u0085line"),
  createName("name-csi-c1", "control characters", "csi\u009b31m"),
  createName("name-trailing-nul", "control characters", "trailing\u0000"),
  createDescription("description-nul", "control characters", "bad\u0000text"),
  createDescription("description-newline", "control characters", "two\nlines"),
  issue("token-name-escape", "control characters", { name: "esc\u001bape" }, "name"),
  createName("name-line-separator", "control characters", "line\u2028separator", {
    fixed:
      "U+2028 LINE SEPARATOR breaks a line like \\n does (in UIs, logs, JSON-in-JS); names refuse \\n but accept it"
  }),
  createName("name-paragraph-separator", "control characters", "paragraph\u2029separator", {
    fixed: "U+2029 PARAGRAPH SEPARATOR breaks a line like \\n does; names refuse \\n but accept it"
  }),

  // — bidi overrides —
  createName("name-lre", "bidi overrides", "abc\u202adef"),
  createName("name-rle", "bidi overrides", "abc\u202bdef"),
  createName("name-pdf", "bidi overrides", "abc\u202cdef"),
  createName("name-lro", "bidi overrides", "abc\u202ddef"),
  createName("name-rlo-trojan-source", "bidi overrides", "invoice\u202egpj.exe"),
  createName("name-lri", "bidi overrides", "abc\u2066def"),
  createName("name-rli", "bidi overrides", "abc\u2067def"),
  createName("name-fsi", "bidi overrides", "abc\u2068def"),
  createName("name-pdi", "bidi overrides", "abc\u2069def"),
  createDescription("description-rlo", "bidi overrides", "harmless\u202eeno suoregnad"),
  issue("token-name-rli", "bidi overrides", { name: "ci\u2067-token" }, "name"),
  createName("name-left-to-right-mark", "bidi overrides", "deploy\u200ebot", {
    fixed:
      "U+200E LEFT-TO-RIGHT MARK is a Bidi_Control character like the overrides refused: invisible, it makes names that look alike differ"
  }),
  createName("name-right-to-left-mark", "bidi overrides", "deploy\u200fbot", {
    fixed: "U+200F RIGHT-TO-LEFT MARK is a Bidi_Control character like the overrides refused"
  }),
  createName("name-arabic-letter-mark", "bidi overrides", "deploy\u061cbot", {
    fixed: "U+061C ARABIC LETTER MARK is a Bidi_Control character like the overrides refused"
  }),

  // — case and normalisation: the same name as one of BASE_ACCOUNT_NAMES —
  duplicateAccount("upper-case", "DEPLOY-BOT"),
  duplicateAccount("mixed-case", "Deploy-Bot"),
  duplicateAccount("padded", "   deploy-bot   "),
  duplicateAccount("fullwidth", "ｄｅｐｌｏｙ-ｂｏｔ"),
  duplicateAccount("fullwidth-upper", "ＤＥＰＬＯＹ-ＢＯＴ"),
  duplicateAccount("trailing-byte-order-mark", "deploy-bot\ufeff"),
  duplicateAccount("sharp-s-upper", "STRASSE"),
  duplicateAccount("sharp-s-capital", "Straße"),
  duplicateAccount("ligature-fi", "ﬁle-sync"),
  duplicateAccount("decomposed-e-acute", "cafe\u0301"),
  duplicateAccount("upper-e-acute", "CAFÉ"),
  duplicateAccount("kelvin-sign", "\u212a-service"),
  duplicateAccount("roman-numeral-nine-ascii", "IX-tool"),
  duplicateAccount("roman-numeral-nine-fullwidth", "ｉｘ-TOOL"),
  duplicateToken("token-upper-case", "CI-TOKEN"),
  duplicateToken("token-fullwidth", "ｃｉ-token"),
  duplicateToken("token-padded", "  ci-token "),

  // — invisible characters: the same name to the eye —
  duplicateAccount("zero-width-space", "deploy\u200b-bot", {
    category: "invisible characters",
    fixed:
      "U+200B ZERO WIDTH SPACE is invisible and NFKC keeps it: 'deploy\\u200b-bot' lives next to 'deploy-bot'; the name key should drop Default_Ignorable_Code_Point characters"
  }),
  duplicateAccount("word-joiner", "deploy\u2060-bot", {
    category: "invisible characters",
    fixed: "U+2060 WORD JOINER is invisible (Default_Ignorable); the name key keeps it"
  }),
  duplicateAccount("soft-hyphen", "deploy\u00ad-bot", {
    category: "invisible characters",
    fixed: "U+00AD SOFT HYPHEN is invisible (Default_Ignorable); the name key keeps it"
  }),
  duplicateAccount("zero-width-joiner", "deploy-\u200dbot", {
    category: "invisible characters",
    fixed: "U+200D ZERO WIDTH JOINER is invisible outside joining scripts (Default_Ignorable); the name key keeps it"
  }),

  // — lone surrogates —
  createName("name-lone-high-surrogate", "lone surrogates", "\ud800"),
  createName("name-lone-low-surrogate", "lone surrogates", "\udfff"),
  createName("name-high-surrogate-at-end", "lone surrogates", "abc\ud83d"),
  createName("name-low-surrogate-at-start", "lone surrogates", "\ude00abc"),
  createName("name-reversed-pair", "lone surrogates", "\ude00\ud83d"),
  createDescription("description-lone-surrogate", "lone surrogates", "x\udc00y"),
  issue("token-name-lone-surrogate", "lone surrogates", { name: "\udbff" }, "name"),

  // — wrong types —
  create("create-input-null", "wrong types", null, "(input)"),
  create("create-input-string", "wrong types", "deploy-bot", "(input)"),
  create("create-input-number", "wrong types", 42, "(input)"),
  create("create-input-array", "wrong types", ["deploy-bot"], "(input)"),
  create("create-input-boolean", "wrong types", true, "(input)"),
  create("create-input-missing-name", "wrong types", {}, "name"),
  createName("name-number", "wrong types", 42),
  createName("name-null", "wrong types", null),
  createName("name-boolean", "wrong types", true),
  createName("name-array", "wrong types", ["deploy-bot"]),
  createName("name-object", "wrong types", { name: "deploy-bot" }),
  createName("name-empty", "wrong types", ""),
  createName("name-white-space-only", "wrong types", " \t "),
  createDescription("description-number", "wrong types", 7),
  createDescription("description-null", "wrong types", null),
  createDescription("description-array", "wrong types", ["text"]),
  create("create-unknown-field", "wrong types", { name: "ok-name", admin: true }, "admin"),
  issue("issue-account-id-number", "wrong types", { serviceAccountId: 42 }, "serviceAccountId"),
  issue("issue-account-id-null", "wrong types", { serviceAccountId: null }, "serviceAccountId"),
  issue("issue-account-id-object", "wrong types", { serviceAccountId: { id: "$account" } }, "serviceAccountId"),
  issue("issue-account-id-path", "wrong types", { serviceAccountId: "../../etc/passwd" }, "serviceAccountId"),
  issue(
    "issue-account-id-upper-case-uuid",
    "wrong types",
    { serviceAccountId: "0B5C3A1E-7D2F-4E8A-9B6C-1D2E3F4A5B6C" },
    "serviceAccountId"
  ),
  issue("issue-scopes-string", "wrong types", { scopes: "read" }, "scopes"),
  issue("issue-scopes-numbers", "wrong types", { scopes: [1] }, "scopes"),
  issue("issue-scopes-object", "wrong types", { scopes: { 0: "read" } }, "scopes"),
  issue("issue-scopes-null", "wrong types", { scopes: null }, "scopes"),
  issue("issue-scopes-with-null", "wrong types", { scopes: [null] }, "scopes"),
  issue("issue-scopes-unknown", "wrong types", { scopes: ["admin"] }, "scopes"),
  issue("issue-scopes-empty", "wrong types", { scopes: [] }, "scopes"),
  issue("issue-scopes-repeated", "wrong types", { scopes: ["read", "read"] }, "scopes"),
  issue("issue-scopes-upper-case", "wrong types", { scopes: ["READ"] }, "scopes"),
  {
    kind: "input",
    id: "revoke-token-id-number",
    category: "wrong types",
    target: "revokeToken",
    input: { serviceAccountId: "$account", tokenId: 42 },
    expect: "InvalidInput",
    field: "tokenId"
  },
  {
    kind: "input",
    id: "revoke-token-id-missing",
    category: "wrong types",
    target: "revokeToken",
    input: { serviceAccountId: "$account" },
    expect: "InvalidInput",
    field: "tokenId"
  },
  {
    kind: "input",
    id: "revoke-token-id-not-a-uuid",
    category: "wrong types",
    target: "revokeToken",
    input: { serviceAccountId: "$account", tokenId: "not-a-uuid" },
    expect: "InvalidInput",
    field: "tokenId"
  },
  {
    kind: "input",
    id: "delete-account-id-boolean",
    category: "wrong types",
    target: "delete",
    input: { serviceAccountId: true },
    expect: "InvalidInput",
    field: "serviceAccountId"
  },
  {
    kind: "input",
    id: "delete-account-id-missing",
    category: "wrong types",
    target: "delete",
    input: {},
    expect: "InvalidInput",
    field: "serviceAccountId"
  },
  {
    kind: "input",
    id: "delete-account-id-sql",
    category: "wrong types",
    target: "delete",
    input: { serviceAccountId: "' OR 1=1 --" },
    expect: "InvalidInput",
    field: "serviceAccountId"
  },
  { kind: "input", id: "get-id-number", category: "wrong types", target: "get", input: 42, expect: "InvalidInput" },
  { kind: "input", id: "get-id-null", category: "wrong types", target: "get", input: null, expect: "InvalidInput" },
  {
    kind: "input",
    id: "get-id-object",
    category: "wrong types",
    target: "get",
    input: { id: "$account" },
    expect: "InvalidInput"
  },
  {
    kind: "input",
    id: "get-id-path",
    category: "wrong types",
    target: "get",
    input: "../../etc/passwd",
    expect: "InvalidInput"
  },
  {
    kind: "input",
    id: "get-deleted-account",
    category: "wrong types",
    target: "get",
    input: "$deleted",
    expect: "ServiceAccountNotFound"
  },
  {
    kind: "input",
    id: "revoke-unknown-token",
    category: "wrong types",
    target: "revokeToken",
    input: { serviceAccountId: "$account", tokenId: "00000000-0000-4000-8000-00000000beef" },
    expect: "TokenNotFound"
  },
  {
    kind: "input",
    id: "issue-for-deleted-account",
    category: "wrong types",
    target: "issueToken",
    input: { serviceAccountId: "$deleted", name: "too-late" },
    expect: "ServiceAccountNotFound"
  },
  caller("caller-null", "wrong types", null, "InvalidInput", "(input)"),
  caller("caller-string", "wrong types", "administrator", "InvalidInput", "(input)"),
  caller("caller-array", "wrong types", [organization, admin], "InvalidInput", "(input)"),
  caller("caller-empty-object", "wrong types", {}, "InvalidInput", "organization"),
  caller("caller-without-actor", "wrong types", { organization }, "InvalidInput", "actor"),
  caller("caller-role-number", "wrong types", { organization, actor: { ...admin, role: 7 } }, "InvalidInput", "actor"),
  caller("caller-role-empty", "wrong types", { organization, actor: { ...admin, role: "" } }, "InvalidInput", "actor"),
  caller(
    "caller-plan-null",
    "wrong types",
    { organization: { ...organization, plan: null }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "tenant-url-javascript",
    "wrong types",
    { organization: { ...organization, tenantUrl: "javascript:alert(1)" }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "tenant-url-file",
    "wrong types",
    { organization: { ...organization, tenantUrl: "file:///etc/passwd" }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "tenant-url-credentials",
    "wrong types",
    { organization: { ...organization, tenantUrl: "https://user:secret@acme.example.com" }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "tenant-url-relative",
    "wrong types",
    { organization: { ...organization, tenantUrl: "//acme.example.com" }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  caller(
    "command-id-number",
    "wrong types",
    { organization, actor: admin, commandId: 42 },
    "InvalidInput",
    "commandId"
  ),
  caller("command-id-empty", "wrong types", { organization, actor: admin, commandId: "" }, "InvalidInput", "commandId"),
  caller(
    "command-id-with-space",
    "wrong types",
    { organization, actor: admin, commandId: "a b" },
    "InvalidInput",
    "commandId"
  ),
  caller(
    "command-id-non-ascii",
    "wrong types",
    { organization, actor: admin, commandId: "ключ" },
    "InvalidInput",
    "commandId"
  ),
  caller(
    "user-id-newline",
    "wrong types",
    { organization, actor: { ...admin, userId: "eve\nadmin" } },
    "InvalidInput",
    "actor"
  ),
  caller(
    "organization-id-space",
    "wrong types",
    { organization: { ...organization, id: "acme corp" }, actor: admin },
    "InvalidInput",
    "organization"
  ),
  {
    kind: "input",
    id: "name-getter-that-throws",
    category: "wrong types",
    target: "create",
    input: throwingGetter,
    expect: "InvalidInput",
    exotic: true,
    fixed:
      "a getter that throws is read by the `tagged` spread outside any catch: the call dies (a defect) instead of failing with InvalidInput"
  },
  {
    kind: "input",
    id: "input-proxy-with-throwing-trap",
    category: "wrong types",
    target: "create",
    input: trappedProxy,
    expect: "InvalidInput",
    exotic: true,
    fixed:
      "a Proxy whose ownKeys trap throws makes the `tagged` spread throw: the call dies (a defect) instead of failing with InvalidInput"
  },

  // — huge arrays —
  issue(
    "scopes-100-thousand-repeats",
    "huge arrays",
    { scopes: Array.from({ length: 100_000 }, () => "read") },
    "scopes"
  ),
  createName(
    "name-array-of-100-thousand",
    "huge arrays",
    Array.from({ length: 100_000 }, () => "deploy-bot")
  ),
  create(
    "create-input-array-of-100-thousand",
    "huge arrays",
    Array.from({ length: 100_000 }, (_, i) => i),
    "(input)"
  ),
  caller(
    "caller-organization-array-of-100-thousand",
    "huge arrays",
    { organization: Array.from({ length: 100_000 }, () => organization), actor: admin },
    "InvalidInput",
    "organization"
  ),
  issue(
    "scopes-10-thousand-unknown",
    "huge arrays",
    { scopes: Array.from({ length: 10_000 }, () => "admin") },
    "scopes",
    {
      fixed:
        "every element's problem is collected (errors: 'all'): 10,000 unknown scopes make a 600 KB message and cost about a second of CPU (1,000,000 make 65 MB and 24 s); the message must stay short (cap the issues, check the array's length first)"
    }
  ),

  // — prototype pollution —
  create(
    "proto-key-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","__proto__":{"polluted":true}}'),
    "__proto__"
  ),
  create(
    "constructor-prototype-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","constructor":{"prototype":{"polluted":true}}}'),
    "constructor"
  ),
  create(
    "prototype-key-in-create",
    "prototype pollution",
    JSON.parse('{"name":"polluter","prototype":{"polluted":true}}'),
    "prototype"
  ),
  create(
    "name-only-under-proto-key",
    "prototype pollution",
    JSON.parse('{"__proto__":{"name":"hidden"}}'),
    "__proto__"
  ),
  { ...create("name-only-inherited", "prototype pollution", inheritedName, "name"), exotic: true },
  issue("proto-key-in-issue", "prototype pollution", JSON.parse('{"__proto__":{"scopes":["admin"]}}'), "__proto__"),
  caller(
    "proto-key-in-organization",
    "prototype pollution",
    {
      organization: JSON.parse(
        '{"id":"acme","plan":"enterprise","tenantUrl":"https://acme.example.com","__proto__":{"plan":"enterprise"}}'
      ),
      actor: admin
    },
    "InvalidInput",
    "organization"
  ),
  caller(
    "proto-key-in-actor",
    "prototype pollution",
    { organization, actor: JSON.parse('{"userId":"eve","role":"member","__proto__":{"role":"administrator"}}') },
    "InvalidInput",
    "actor"
  ),
  {
    ...caller("role-only-inherited", "prototype pollution", inheritedRole, "InvalidInput", "actor"),
    exotic: true,
    fixed:
      "the caller is decoded through the prototype chain: an actor whose `role` is inherited (from a defaults object, or from a polluted Object.prototype when the host forgot the field) is authorised as administrator; callers should be decoded from own properties only"
  },

  // — privilege spelling: near-misses of the one role and the one plan that are allowed —
  caller(
    "role-capitalised",
    "privilege spelling",
    { organization, actor: { ...admin, role: "Administrator" } },
    "NotAuthorized"
  ),
  caller(
    "role-upper-case",
    "privilege spelling",
    { organization, actor: { ...admin, role: "ADMINISTRATOR" } },
    "NotAuthorized"
  ),
  caller(
    "role-trailing-space",
    "privilege spelling",
    { organization, actor: { ...admin, role: "administrator " } },
    "NotAuthorized"
  ),
  caller(
    "role-fullwidth",
    "privilege spelling",
    { organization, actor: { ...admin, role: "ａｄｍｉｎｉｓｔｒａｔｏｒ" } },
    "NotAuthorized"
  ),
  caller("role-admin", "privilege spelling", { organization, actor: { ...admin, role: "admin" } }, "NotAuthorized"),
  caller("role-root", "privilege spelling", { organization, actor: { ...admin, role: "root" } }, "NotAuthorized"),
  caller(
    "plan-capitalised",
    "privilege spelling",
    { organization: { ...organization, plan: "Enterprise" }, actor: admin },
    "PlanNotEligible"
  ),
  caller(
    "plan-trailing-space",
    "privilege spelling",
    { organization: { ...organization, plan: "enterprise " }, actor: admin },
    "PlanNotEligible"
  ),
  caller(
    "plan-empty",
    "privilege spelling",
    { organization: { ...organization, plan: "" }, actor: admin },
    "PlanNotEligible"
  ),

  // — malformed tokens (each made at test time from a fresh, valid value) —
  token("token-empty", "malformed tokens", { _tag: "Literal", value: "" }),
  token("token-prefix-only", "malformed tokens", { _tag: "Literal", value: "sat_" }),
  token("token-1-million-characters", "malformed tokens", { _tag: "Repeat", text: "a", times: 1_000_000 }),
  token("token-body-character-changed", "malformed tokens", { _tag: "FlipBody", at: 10 }),
  token("token-first-body-character-changed", "malformed tokens", { _tag: "FlipBody", at: 4 }),
  token("token-checksum-changed", "malformed tokens", { _tag: "FlipChecksum" }),
  token("token-other-prefix", "malformed tokens", { _tag: "Prefix", prefix: "ghp_" }),
  token("token-prefix-upper-case", "malformed tokens", { _tag: "UpperCase" }),
  token("token-leading-space", "malformed tokens", { _tag: "Affix", before: " ", after: "" }),
  token("token-trailing-newline", "malformed tokens", { _tag: "Affix", before: "", after: "\n" }),
  token("token-bearer-prefix", "malformed tokens", { _tag: "Affix", before: "Bearer ", after: "" }),
  token("token-nul-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "\u0000" }),
  token("token-non-ascii-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "é" }),
  token("token-fullwidth-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "Ａ" }),
  token("token-truncated", "malformed tokens", { _tag: "Truncate", by: 1 }),
  token("token-never-issued", "malformed tokens", { _tag: "NeverIssued" }),
  token("token-revoked", "malformed tokens", { _tag: "Revoked" }),
  token("token-of-deleted-account", "malformed tokens", { _tag: "OfDeletedAccount" }),
  token("token-of-other-organization", "malformed tokens", { _tag: "OtherOrganization" }),
  token(
    "token-number",
    "malformed tokens",
    { _tag: "Literal", value: 42 },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-null",
    "malformed tokens",
    { _tag: "Literal", value: null },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-object",
    "malformed tokens",
    { _tag: "Literal", value: { value: "sat_" } },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-undefined",
    "malformed tokens",
    { _tag: "Literal", value: undefined },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token("token-redacted-number", "malformed tokens", { _tag: "RedactedNonString", value: 42 }),

  // — stored events, written raw into the organisation's stream ($org) —
  stored("stored-data-null", "ServiceAccountCreated", null),
  stored("stored-data-string", "ServiceAccountCreated", "ServiceAccountCreated"),
  stored("stored-data-number", "ServiceAccountCreated", 42),
  stored("stored-data-array", "ServiceAccountCreated", [created()]),
  stored("stored-unknown-type", "TokenStolen", { ...created(), _tag: "TokenStolen" }),
  stored("stored-type-and-tag-differ", "TokenRevoked", created()),
  stored("stored-missing-name", "ServiceAccountCreated", { ...created(), name: undefined }),
  stored("stored-extra-field", "ServiceAccountCreated", created({ admin: true })),
  stored(
    "stored-proto-key",
    "ServiceAccountCreated",
    JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(created()).slice(1)}`)
  ),
  stored("stored-name-with-override", "ServiceAccountCreated", created({ name: "evil\u202egnp.exe" })),
  stored("stored-name-10-thousand-characters", "ServiceAccountCreated", created({ name: "n".repeat(10_000) })),
  stored("stored-account-id-path", "ServiceAccountCreated", created({ serviceAccountId: "../../etc/passwd" })),
  stored("stored-time-not-a-date", "ServiceAccountCreated", created({ occurredAt: "not-a-date" })),
  stored("stored-role-empty", "ServiceAccountCreated", created({ actor: { userId: "admin", role: "" } })),
  stored("stored-deeply-nested-name", "ServiceAccountCreated", created({ name: nested })),
  stored("stored-secret-hash-not-hex", "TokenIssued", issued({ secretHash: "z".repeat(64) })),
  stored("stored-hint-too-long", "TokenIssued", issued({ hint: "abcde" })),
  stored("stored-scope-unknown", "TokenIssued", issued({ scopes: ["admin"] })),
  stored("stored-schema-version-99", "ServiceAccountCreated", created(), { metadata: { schemaVersion: 99 } }),
  stored("stored-schema-version-string", "ServiceAccountCreated", created(), { metadata: { schemaVersion: "1" } }),
  stored("stored-other-organization", "ServiceAccountCreated", created({ organizationId: "globex" }), {
    fixed:
      "an event in one organisation's stream that names another organisation is read as the other organisation's (domain-findings D6)"
  }),
  stored("stored-token-value-as-name", "ServiceAccountCreated", created({ name: "$value" }), {
    category: "secrets in text",
    fixed:
      "a stored name holding a token value is served by list, get and the audit trail; checkInvariants reports it (I6), reading does not"
  }),

  // — secrets in text: a token value pasted where text goes —
  createName("token-value-as-account-name", "secrets in text", "$value", {
    fixed:
      "a token value as a name is stored in the event, the read models and the audit trail for ever (checkInvariants then reports I6); names should refuse well-formed token values (Token.findTokens), as secret scanners do"
  }),
  createDescription("token-value-in-description", "secrets in text", "the key is $value", {
    fixed: "a token value in a description is stored for ever; descriptions should refuse well-formed token values"
  }),
  issue("token-value-as-token-name", "secrets in text", { name: "$value" }, "name", {
    fixed: "a token value as a token name is stored for ever; token names should refuse well-formed token values"
  })
]
