/**
 * Oversize input: strings past each field's limit, from one character over to a million, in every field a caller
 * or a command carries.
 */
import type { HostileCase } from "./case.js"
import { admin, caller, createDescription, createName, issue, organization } from "./build.js"

/** One character over each limit, and far over it. */
export const oversize: ReadonlyArray<HostileCase> = [
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
  )
]
