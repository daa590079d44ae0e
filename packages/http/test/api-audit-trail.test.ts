/**
 * The audit trail over HTTP: who did what, in order, for administrators only.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { useApi } from "./support/apiHarness.js"

const { call, createAccount, issueToken, expectRefused } = useApi()

describe("GET /api/audit-trail", () => {
  it("answers who did what, in order; refuses a member", async () => {
    const { serviceAccountId } = await createAccount("audited")
    await issueToken(serviceAccountId, "ci")
    const answer = await call("GET", "/api/audit-trail")
    expect(answer.status).toBe(200)
    const entries = Schema.decodeUnknownSync(
      Schema.Array(Schema.Struct({ action: Schema.String, serviceAccountId: Schema.String, position: Schema.String }))
    )(answer.json)
    expect(entries.filter((e) => e.serviceAccountId === serviceAccountId).map((e) => e.action)).toEqual([
      "ServiceAccountCreated",
      "TokenIssued"
    ])
    await expectRefused(() => call("GET", "/api/audit-trail", { as: "member" }), { status: 403, tag: "NotAuthorized" })
  })
})
