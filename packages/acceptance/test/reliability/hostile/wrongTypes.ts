/**
 * Input of the wrong type or shape: not an object, a field that is not a string, ids that are not ids, callers
 * without the fields they need, URLs that are not https, and objects whose reading throws.
 */
import type { HostileCase } from "./case.js"
import { admin, caller, create, createDescription, createName, issue, organization } from "./build.js"

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

/** Wrong types, wrong shapes and ids that name nothing. */
export const wrongTypes: ReadonlyArray<HostileCase> = [
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
  }
]
