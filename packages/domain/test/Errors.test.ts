/**
 * The errors' manners: `String(error)` starts with the error's tag (no field shadows `name`), and the message is a
 * plain own property, so it shows in `JSON.stringify` and a spread like the error's fields.
 */
import { describe, expect, it } from "vitest"
import {
  AuthenticationFailed,
  CommandIdReused,
  ConcurrencyConflict,
  CorruptStoredEvent,
  DuplicateServiceAccountName,
  DuplicateTokenName,
  EventStoreUnavailable,
  InputIssue,
  InvalidInput,
  NotAuthorized,
  PlanNotEligible,
  ServiceAccountNotFound,
  StreamDeleted,
  TokenAlreadyIssued,
  TokenAlreadyRevoked,
  TokenNotFound
} from "../src/index.js"

const id = "0b5c3a1e-7d2f-4e8a-9b6c-1d2e3f4a5b6c"

const errors: ReadonlyArray<Error & { readonly _tag: string }> = [
  new AuthenticationFailed(),
  new CommandIdReused({ commandId: "request-1" }),
  new ConcurrencyConflict({ streamId: "s", expected: "1", actual: "2" }),
  new CorruptStoredEvent({ streamId: "s", revision: 1n, reason: "broken" }),
  new DuplicateServiceAccountName({ accountName: "deploy-bot" }),
  new DuplicateTokenName({ serviceAccountId: id, tokenName: "ci" }),
  new EventStoreUnavailable({ operation: "append", reason: "down", retryable: true }),
  new InvalidInput({ input: "caller", field: "name", issues: [new InputIssue({ path: "name", message: "is empty" })] }),
  new NotAuthorized({ action: "create service accounts", role: "member" }),
  new PlanNotEligible({ organizationId: "acme", plan: "team" }),
  new ServiceAccountNotFound({ serviceAccountId: id }),
  new StreamDeleted({ streamId: "s" }),
  new TokenAlreadyIssued({ commandId: "request-1", serviceAccountId: id, tokenId: id }),
  new TokenAlreadyRevoked({ serviceAccountId: id, tokenId: id }),
  new TokenNotFound({ serviceAccountId: id, tokenId: id })
]

describe("the errors", () => {
  it("each says its tag first, and carries its message as a plain own property", () => {
    for (const error of errors) {
      expect(String(error), error._tag).toBe(`${error._tag}: ${error.message}`)
      expect(error.name).toBe(error._tag)
      expect(Object.getOwnPropertyDescriptor(error, "message")?.value, error._tag).toBe(error.message)
      expect(JSON.parse(JSON.stringify(error)).message, error._tag).toBe(error.message)
      expect(error.message.length, error._tag).toBeGreaterThan(0)
    }
  })

  it("names what the duplicate names are, without shadowing the error's own name", () => {
    const account = new DuplicateServiceAccountName({ accountName: "deploy-bot" })
    expect(account.accountName).toBe("deploy-bot")
    expect(String(account)).toBe(
      'DuplicateServiceAccountName: a service account named "deploy-bot" already exists in this organisation'
    )
    expect(new DuplicateTokenName({ serviceAccountId: id, tokenName: "ci" }).tokenName).toBe("ci")
  })

  it("quote what came from input safely: control and invisible characters escaped, token values redacted", () => {
    // An ESC and a C1 CSI (a terminal acts on both), a right-to-left override, a zero-width space, a token's start.
    const hostile = "admin\u001b[31m\u009b2J\u202e\u200bsat_abc123"
    const made = [
      new NotAuthorized({ action: "create service accounts", role: hostile }),
      new PlanNotEligible({ organizationId: hostile, plan: hostile }),
      new InvalidInput({
        input: "create",
        field: hostile,
        issues: [new InputIssue({ path: hostile, message: hostile })]
      })
    ]
    for (const error of made) {
      const shown = [error.message, JSON.stringify(error), String(error)].join("\n")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
      expect(shown, error._tag).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u200b\u202e]/)
      expect(shown, error._tag).not.toContain("sat_abc123")
      expect(error.message, error._tag).toContain("\\u001b[31m")
      expect(error.message, error._tag).toContain("[REDACTED]")
    }
  })
})
