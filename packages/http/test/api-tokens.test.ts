/**
 * The token endpoints over HTTP — issue, revoke, and the bearer endpoint a token opens: what each answers, what it
 * refuses (every kind of bad bearer token gets a bare 401), and that a token value is in no answer but the issue's.
 */
import { describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import { decode, Issued, Listing, missingId, useApi } from "./support/apiHarness.js"

const { call, createAccount, issueToken, whoami, expectRefused, answers } = useApi()

describe("POST /api/service-accounts/:id/tokens (issue)", () => {
  it("answers the value and session.json once, with Cache-Control: no-store", async () => {
    const { serviceAccountId } = await createAccount("issue-to-me")
    const answer = await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, {
      body: { name: "reader", scopes: ["read"] }
    })
    expect(answer.status).toBe(201)
    expect(answer.headers.get("cache-control")).toBe("no-store")
    const issued = decode(Issued)(answer)
    expect(issued).toMatchObject({ serviceAccountId, name: "reader", scopes: ["read"] })
    expect(Token.findTokens(issued.value)).toEqual([issued.value])
    expect(issued.value.endsWith(issued.hint)).toBe(true)
    expect(JSON.parse(issued.sessionJson)).toEqual({
      accessToken: issued.value,
      tenantURL: "https://acme.example.com",
      scopes: ["read"]
    })
    expect(await whoami(issued.value)).toMatchObject({ status: 200, json: { serviceAccountId, scopes: ["read"] } })
  })

  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a name over 100 characters", { name: "t".repeat(101) }, "name"],
    ["an unknown scope", { name: "ok", scopes: ["admin"] }, "scopes"],
    ["no scope at all", { name: "ok", scopes: [] }, "scopes"],
    ["scopes that are not a list", { name: "ok", scopes: "read" }, "scopes"],
    ["no name", {}, "name"]
  ])("refuses %s: 400 with a message and the field, nothing appended", async (_, body, field) => {
    const { serviceAccountId } = await createAccount(`bad-token-input-${field}-${JSON.stringify(body).length}`)
    const refused = await expectRefused(
      () => call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body }),
      { status: 400, tag: "InvalidInput", field }
    )
    expect(refused.message).not.toContain("t".repeat(101))
    expect(refused.message).not.toContain("admin")
  })

  it("refuses a malformed account id (400) and a name taken among the active tokens (409)", async () => {
    await expectRefused(() => call("POST", "/api/service-accounts/xyz/tokens", { body: { name: "ci" } }), {
      status: 400,
      tag: "InvalidInput",
      field: "serviceAccountId"
    })
    const { serviceAccountId } = await createAccount("token-names")
    await issueToken(serviceAccountId, "ci")
    await expectRefused(
      () => call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name: "CI" } }),
      { status: 409, tag: "DuplicateTokenName", field: "name" }
    )
  })

  it("answers 404 for another organisation's account and an unknown one, 403 for a member", async () => {
    const { serviceAccountId } = await createAccount("not-yours-to-issue")
    await expectRefused(
      () =>
        call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { as: "globexAdmin", body: { name: "x" } }),
      { status: 404, tag: "ServiceAccountNotFound" }
    )
    await expectRefused(() => call("POST", `/api/service-accounts/${missingId}/tokens`, { body: { name: "x" } }), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(
      () => call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { as: "member", body: { name: "x" } }),
      { status: 403, tag: "NotAuthorized" }
    )
  })

  it("never shows a value twice: a repeated Idempotency-Key answers 409 TokenAlreadyIssued, without the value", async () => {
    const { serviceAccountId } = await createAccount("idempotent-issue")
    const headers = { "idempotency-key": "issue-once-1" }
    const path = `/api/service-accounts/${serviceAccountId}/tokens`
    const first = await call("POST", path, { body: { name: "ci" }, headers })
    expect(first.status).toBe(201)
    const { value, tokenId } = decode(Issued)(first)
    const again = await expectRefused(() => call("POST", path, { body: { name: "ci" }, headers }), {
      status: 409,
      tag: "TokenAlreadyIssued"
    })
    expect(again).toMatchObject({ tokenId })
    expect(JSON.stringify(again)).not.toContain(value)
  })
})

describe("POST /api/service-accounts/:id/tokens/:tokenId/revoke (revoke)", () => {
  it("revokes the token: from then on it gets 401, and revoking again is 409", async () => {
    const { serviceAccountId } = await createAccount("revoke-mine")
    const token = await issueToken(serviceAccountId, "ci")
    const path = `/api/service-accounts/${serviceAccountId}/tokens/${token.tokenId}/revoke`
    const answer = await call("POST", path)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({ serviceAccountId, tokenId: token.tokenId })
    expect((await whoami(token.value)).status).toBe(401)
    await expectRefused(() => call("POST", path), { status: 409, tag: "TokenAlreadyRevoked" })
    const listing = decode(Listing)(await call("GET", "/api/service-accounts"))
    const account = listing.accounts.find((a) => a.serviceAccountId === serviceAccountId)
    expect(account?.tokens).toEqual([expect.objectContaining({ tokenId: token.tokenId, status: "revoked" })])
  })

  it("answers 404 for another organisation's token and an unknown token, 400 for malformed ids, 403 for a member", async () => {
    const { serviceAccountId } = await createAccount("revoke-refusals")
    const token = await issueToken(serviceAccountId, "ci")
    const path = `/api/service-accounts/${serviceAccountId}/tokens/${token.tokenId}/revoke`
    await expectRefused(() => call("POST", path, { as: "globexAdmin" }), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(() => call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${missingId}/revoke`), {
      status: 404,
      tag: "TokenNotFound"
    })
    await expectRefused(() => call("POST", `/api/service-accounts/${serviceAccountId}/tokens/nope/revoke`), {
      status: 400,
      tag: "InvalidInput",
      field: "tokenId"
    })
    await expectRefused(() => call("POST", `/api/service-accounts/nope/tokens/${token.tokenId}/revoke`), {
      status: 400,
      tag: "InvalidInput",
      field: "serviceAccountId"
    })
    await expectRefused(() => call("POST", path, { as: "member" }), { status: 403, tag: "NotAuthorized" })
    await expectRefused(() => call("POST", path, { as: "teamAdmin" }), { status: 403, tag: "PlanNotEligible" })
    expect((await whoami(token.value)).status).toBe(200)
  })
})

describe("GET /api/whoami (a service-account bearer token)", () => {
  it("answers the principal for a live token", async () => {
    const { serviceAccountId } = await createAccount("automation")
    const token = await issueToken(serviceAccountId, "ci")
    const answer = await whoami(token.value)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({
      organizationId: "acme",
      serviceAccountId,
      tokenId: token.tokenId,
      scopes: ["read", "write"]
    })
  })

  it("answers every failure with the same bare 401: no body, no detail", async () => {
    const { serviceAccountId } = await createAccount("automation-failures")
    const revoked = await issueToken(serviceAccountId, "revoked")
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${revoked.tokenId}/revoke`)
    const live = await issueToken(serviceAccountId, "live")
    const lastChar = live.value.slice(-1) === "A" ? "B" : "A"
    const failures: Record<string, Record<string, string>> = {
      "no Authorization header": {},
      "an empty bearer token": { authorization: "Bearer " },
      "a random string": { authorization: "Bearer hello" },
      "a token with a bad checksum": { authorization: `Bearer ${live.value.slice(0, -1)}${lastChar}` },
      "a truncated token": { authorization: `Bearer ${live.value.slice(0, -3)}` },
      "a revoked token": { authorization: `Bearer ${revoked.value}` },
      "Basic credentials": { authorization: `Basic ${Buffer.from(`x:${live.value}`).toString("base64")}` }
    }
    for (const [what, headers] of Object.entries(failures)) {
      const answer = await call("GET", "/api/whoami", { headers })
      expect({ what, status: answer.status, body: answer.text }).toEqual({ what, status: 401, body: "" })
      expect(answer.headers.get("www-authenticate")).toBe('Bearer realm="service-accounts"')
    }
    expect((await whoami(live.value)).status).toBe(200)
  })

  it("does not take a management login instead of a token", async () => {
    const answer = await call("GET", "/api/whoami", { as: "admin" })
    expect(answer.status).toBe(401)
    expect(answer.text).toBe("")
  })
})

describe("the token value", () => {
  it("appears in the issue response and in no other response", async () => {
    const { serviceAccountId } = await createAccount("secret-keeper")
    const token = await issueToken(serviceAccountId, "ci")
    // Every other endpoint, once more, after the issue.
    await call("GET", "/api/service-accounts")
    await call("GET", `/api/service-accounts/${serviceAccountId}`)
    await call("GET", "/api/audit-trail")
    await whoami(token.value)
    await call("GET", "/api/usage")
    await call("GET", "/api/usage/unused-tokens?days=1")
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name: "ci" } })
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${token.tokenId}/revoke`)
    await whoami(token.value)
    await call("DELETE", `/api/service-accounts/${serviceAccountId}`)

    const issues = answers().filter((a) => a.method === "POST" && a.path.endsWith("/tokens") && a.answer.status === 201)
    const values = issues.map((a) => decode(Issued)(a.answer).value)
    expect(values).toContain(token.value)
    for (const { method, path, answer } of answers()) {
      if (issues.some((issue) => issue.answer === answer)) continue
      const everything = `${answer.text}\n${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}`
      expect({ method, path, tokens: Token.findTokens(everything) }).toEqual({ method, path, tokens: [] })
    }
  })
})
