/**
 * Short constructors of the corpus's cases, so that each case reads as its id, its category and the one value that
 * makes it hostile. The stored-event cases have their own, in storedEvents.ts.
 */
import type { Category, Common, Expected, TokenRecipe } from "./case.js"

export const create = (id: string, category: Category, input: unknown, field: string, extra: Partial<Common> = {}) =>
  ({ kind: "input", id, category, target: "create", input, expect: "InvalidInput", field, ...extra }) as const
export const createName = (id: string, category: Category, name: unknown, extra: Partial<Common> = {}) =>
  create(id, category, { name }, "name", extra)
export const createDescription = (id: string, category: Category, description: unknown, extra: Partial<Common> = {}) =>
  create(id, category, { name: `described-${id}`, description }, "description", extra)
export const issue = (
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
export const duplicateAccount = (id: string, name: string, extra: Partial<Common> = {}) =>
  ({
    kind: "input",
    id,
    category: "case and normalisation",
    target: "create",
    input: { name },
    expect: "DuplicateServiceAccountName",
    ...extra
  }) as const
export const duplicateToken = (id: string, name: string) =>
  ({
    kind: "input",
    id,
    category: "case and normalisation",
    target: "issueToken",
    input: { serviceAccountId: "$account", name },
    expect: "DuplicateTokenName"
  }) as const

/** The well-formed caller that the caller cases vary one field of. */
export const admin = { userId: "admin", role: "administrator" }
export const organization = { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" }
export const caller = (id: string, category: Category, value: unknown, expect: Expected, field?: string) =>
  ({
    kind: "caller",
    id,
    category,
    target: "create",
    caller: value,
    expect,
    ...(field === undefined ? {} : { field })
  }) as const
export const token = (id: string, category: Category, recipe: TokenRecipe, extra: Partial<Common> = {}) =>
  ({ kind: "token", id, category, recipe, expect: "AuthenticationFailed", ...extra }) as const
