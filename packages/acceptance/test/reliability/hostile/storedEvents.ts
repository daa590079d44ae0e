/**
 * Stored events that are corrupt or hostile, written raw into an organisation's stream (`$org`) and then met by a
 * command of that organisation: each must be refused as a CorruptStoredEvent, never trusted.
 */
import type { HostileCase, StoredCase } from "./case.js"

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

/** Corrupt or hostile stored events. */
export const storedEvents: ReadonlyArray<HostileCase> = [
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
  })
]
