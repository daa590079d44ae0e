/**
 * Every endpoint over HTTP: what it answers, and what it refuses — bad input (400 with a message and the field,
 * nothing appended), a caller who is not an administrator (403), another organisation's account (404), and
 * every kind of bad bearer token (a bare 401).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import { Schema } from "effect"
import { type Answer, type CallOptions, client, type RunningServer, startServer } from "./testServer.js"

let server: RunningServer
let call: (method: string, path: string, options?: CallOptions) => Promise<Answer>
let answers: ReturnType<typeof client>["answers"]

beforeAll(async () => {
  server = await startServer()
  ;({ call, answers } = client(server.url))
})
afterAll(() => server.close())

const Created = Schema.Struct({ serviceAccountId: Schema.String, name: Schema.String })
const Issued = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  name: Schema.String,
  scopes: Schema.Array(Schema.String),
  hint: Schema.String,
  value: Schema.String,
  sessionJson: Schema.String
})
const ErrorBody = Schema.Struct({ _tag: Schema.String, message: Schema.String, field: Schema.optional(Schema.String) })
const Listing = Schema.Struct({
  organizationId: Schema.String,
  tenantUrl: Schema.String,
  accounts: Schema.Array(
    Schema.Struct({
      serviceAccountId: Schema.String,
      name: Schema.String,
      tokens: Schema.Array(Schema.Struct({ tokenId: Schema.String, status: Schema.String }))
    })
  )
})

// Fields the schema does not name are kept, so a test can look at them too.
const decode =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (answer: Answer): A =>
    Schema.decodeUnknownSync(schema, { onExcessProperty: "preserve" })(answer.json)

const createAccount = async (name: string, as: CallOptions["as"] = "admin") => {
  const answer = await call("POST", "/api/service-accounts", { as, body: { name } })
  expect(answer.status).toBe(201)
  return decode(Created)(answer)
}

const issueToken = async (serviceAccountId: string, name: string) => {
  const answer = await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name } })
  expect(answer.status).toBe(201)
  return decode(Issued)(answer)
}

const whoami = (value: string) => call("GET", "/api/whoami", { headers: { authorization: `Bearer ${value}` } })

/** The request is refused with the status and error, and the store holds as many events as before. */
const expectRefused = async (
  request: () => Promise<Answer>,
  expected: { readonly status: number; readonly tag: string; readonly field?: string }
) => {
  const before = await server.eventCount()
  const answer = await request()
  expect(answer.status).toBe(expected.status)
  const body = decode(ErrorBody)(answer)
  expect(body._tag).toBe(expected.tag)
  expect(body.message.length).toBeGreaterThan(0)
  if (expected.field !== undefined) expect(body.field).toBe(expected.field)
  expect(await server.eventCount()).toBe(before)
  return body
}

const missingId = "00000000-0000-4000-8000-000000000000"

describe("GET /api/service-accounts (list)", () => {
  it("lists the organisation's accounts with the tenant URL on top", async () => {
    const { serviceAccountId } = await createAccount("list-me")
    const answer = await call("GET", "/api/service-accounts")
    expect(answer.status).toBe(200)
    const listing = decode(Listing)(answer)
    expect(listing.organizationId).toBe("acme")
    expect(listing.tenantUrl).toBe("https://acme.example.com")
    expect(listing.accounts.map((a) => a.serviceAccountId)).toContain(serviceAccountId)
  })

  it("shows another organisation none of them", async () => {
    const answer = await call("GET", "/api/service-accounts", { as: "globexAdmin" })
    expect(answer.status).toBe(200)
    expect(decode(Listing)(answer)).toMatchObject({ organizationId: "globex", accounts: [] })
  })

  it("refuses a member (403), an organisation without the Enterprise plan (403) and no login (401)", async () => {
    await expectRefused(() => call("GET", "/api/service-accounts", { as: "member" }), {
      status: 403,
      tag: "NotAuthorized"
    })
    await expectRefused(() => call("GET", "/api/service-accounts", { as: "teamAdmin" }), {
      status: 403,
      tag: "PlanNotEligible"
    })
    await expectRefused(() => call("GET", "/api/service-accounts", { as: "nobody" }), {
      status: 401,
      tag: "SignInRequired"
    })
  })

  it("answers 400 naming the field when the login hands over a user id the library refuses", async () => {
    await expectRefused(
      () => call("GET", "/api/service-accounts", { headers: { "x-demo-user": "alice with spaces" } }),
      { status: 400, tag: "InvalidInput", field: "actor" }
    )
  })
})

describe("POST /api/service-accounts (create)", () => {
  it("creates an account (201) that the list then shows", async () => {
    const answer = await call("POST", "/api/service-accounts", {
      body: { name: "  create-me ", description: "Deploys main" }
    })
    expect(answer.status).toBe(201)
    const created = decode(Created)(answer)
    expect(created.name).toBe("create-me")
    const listing = decode(Listing)(await call("GET", "/api/service-accounts"))
    expect(listing.accounts.find((a) => a.serviceAccountId === created.serviceAccountId)?.name).toBe("create-me")
  })

  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a name over 100 characters", { name: "n".repeat(101) }, "name"],
    ["a name with a control character", { name: "bad\u0007name" }, "name"],
    ["a name with a bidirectional override", { name: "evil\u202Etxt" }, "name"],
    ["a description over 500 characters", { name: "ok-name", description: "d".repeat(501) }, "description"],
    ["a name that is not a string", { name: 42 }, "name"],
    ["no name", { description: "nameless" }, "name"],
    ["a description that is not a string", { name: "ok-name", description: ["x"] }, "description"]
  ])("refuses %s: 400 with a message and the field, nothing appended", async (_, body, field) => {
    const refused = await expectRefused(() => call("POST", "/api/service-accounts", { body }), {
      status: 400,
      tag: "InvalidInput",
      field
    })
    // The message says what is wrong without repeating the input.
    expect(refused.message).not.toContain("n".repeat(101))
    expect(refused.message).not.toContain("d".repeat(501))
    expect(refused.message).not.toContain("42")
  })

  it("refuses a body that is not JSON, or not an object: 400, nothing appended", async () => {
    for (const rawBody of ['{"name": "unfinished', "", "[1, 2]", '"just a string"']) {
      await expectRefused(() => call("POST", "/api/service-accounts", { rawBody }), {
        status: 400,
        tag: "InvalidInput"
      })
    }
  })

  it("refuses a name taken in the organisation, however it is cased or spaced: 409 on the name field", async () => {
    await createAccount("Deploy-Bot")
    await expectRefused(() => call("POST", "/api/service-accounts", { body: { name: " deploy-bot " } }), {
      status: 409,
      tag: "DuplicateServiceAccountName",
      field: "name"
    })
  })

  it("lets another organisation use the same name", async () => {
    await createAccount("shared-name")
    await createAccount("shared-name", "globexAdmin")
  })

  it("refuses a member and an organisation without the Enterprise plan (403), nothing appended", async () => {
    await expectRefused(() => call("POST", "/api/service-accounts", { as: "member", body: { name: "sneaky" } }), {
      status: 403,
      tag: "NotAuthorized"
    })
    await expectRefused(() => call("POST", "/api/service-accounts", { as: "teamAdmin", body: { name: "sneaky" } }), {
      status: 403,
      tag: "PlanNotEligible"
    })
    await expectRefused(() => call("POST", "/api/service-accounts", { as: "nobody", body: { name: "sneaky" } }), {
      status: 401,
      tag: "SignInRequired"
    })
  })

  it("creates once for one Idempotency-Key, and refuses the key for a different request (422)", async () => {
    const headers = { "idempotency-key": "create-once-1" }
    const first = await call("POST", "/api/service-accounts", { body: { name: "once" }, headers })
    const again = await call("POST", "/api/service-accounts", { body: { name: "once" }, headers })
    expect(first.status).toBe(201)
    expect(again.status).toBe(201)
    expect(decode(Created)(again)).toEqual(decode(Created)(first))
    await expectRefused(() => call("POST", "/api/service-accounts", { body: { name: "twice" }, headers }), {
      status: 422,
      tag: "CommandIdReused"
    })
  })
})

describe("GET /api/service-accounts/:id (get)", () => {
  it("answers the account with its tokens", async () => {
    const { serviceAccountId } = await createAccount("get-me")
    const token = await issueToken(serviceAccountId, "ci")
    const answer = await call("GET", `/api/service-accounts/${serviceAccountId}`)
    expect(answer.status).toBe(200)
    expect(answer.json).toMatchObject({
      serviceAccountId,
      name: "get-me",
      status: "active",
      createdBy: { userId: "alice@acme.example.com", role: "administrator" },
      tokens: [{ tokenId: token.tokenId, name: "ci", hint: token.hint, status: "active", scopes: ["read", "write"] }]
    })
  })

  it("answers 404 for another organisation's account and for an unknown id", async () => {
    const { serviceAccountId } = await createAccount("not-yours-to-get")
    await expectRefused(() => call("GET", `/api/service-accounts/${serviceAccountId}`, { as: "globexAdmin" }), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(() => call("GET", `/api/service-accounts/${missingId}`), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
  })

  it("answers 400 for an id that is not one, 403 for a member", async () => {
    await expectRefused(() => call("GET", "/api/service-accounts/not-a-uuid"), {
      status: 400,
      tag: "InvalidInput",
      field: "serviceAccountId"
    })
    const { serviceAccountId } = await createAccount("members-cannot-get")
    await expectRefused(() => call("GET", `/api/service-accounts/${serviceAccountId}`, { as: "member" }), {
      status: 403,
      tag: "NotAuthorized"
    })
  })
})

describe("DELETE /api/service-accounts/:id (delete)", () => {
  it("deletes the account and revokes its tokens with it (the cascade)", async () => {
    const { serviceAccountId } = await createAccount("delete-me")
    const first = await issueToken(serviceAccountId, "one")
    const second = await issueToken(serviceAccountId, "two")
    expect((await whoami(first.value)).status).toBe(200)
    const answer = await call("DELETE", `/api/service-accounts/${serviceAccountId}`)
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual({
      serviceAccountId,
      revokedTokenIds: expect.arrayContaining([first.tokenId, second.tokenId])
    })
    expect((await whoami(first.value)).status).toBe(401)
    expect((await whoami(second.value)).status).toBe(401)
    await expectRefused(() => call("GET", `/api/service-accounts/${serviceAccountId}`), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(() => call("DELETE", `/api/service-accounts/${serviceAccountId}`), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
  })

  it("answers 404 for another organisation's account, which lives on", async () => {
    const { serviceAccountId } = await createAccount("not-yours-to-delete")
    await expectRefused(() => call("DELETE", `/api/service-accounts/${serviceAccountId}`, { as: "globexAdmin" }), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    expect((await call("GET", `/api/service-accounts/${serviceAccountId}`)).status).toBe(200)
  })

  it("answers 400 for a malformed id and 403 for a member, nothing appended", async () => {
    await expectRefused(() => call("DELETE", "/api/service-accounts/NOT-A-UUID"), {
      status: 400,
      tag: "InvalidInput",
      field: "serviceAccountId"
    })
    const { serviceAccountId } = await createAccount("members-cannot-delete")
    await expectRefused(() => call("DELETE", `/api/service-accounts/${serviceAccountId}`, { as: "member" }), {
      status: 403,
      tag: "NotAuthorized"
    })
    await expectRefused(() => call("DELETE", `/api/service-accounts/${serviceAccountId}`, { as: "teamAdmin" }), {
      status: 403,
      tag: "PlanNotEligible"
    })
  })
})

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

describe("the page and the OpenAPI document", () => {
  it("serves the page with a strict Content-Security-Policy", async () => {
    const page = await fetch(`${server.url}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(await page.text()).toContain("New Service Account")
    for (const asset of ["/assets/page.js", "/assets/page.css"])
      expect((await fetch(`${server.url}${asset}`)).status).toBe(200)
  })

  it("serves the OpenAPI document with every endpoint", async () => {
    const answer = await call("GET", "/api/openapi.json", { as: "nobody" })
    expect(answer.status).toBe(200)
    const paths = Schema.decodeUnknownSync(
      Schema.Struct({ paths: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    )(answer.json).paths
    expect(Object.keys(paths).sort()).toEqual([
      "/api/audit-trail",
      "/api/demo/organizations",
      "/api/service-accounts",
      "/api/service-accounts/{serviceAccountId}",
      "/api/service-accounts/{serviceAccountId}/tokens",
      "/api/service-accounts/{serviceAccountId}/tokens/{tokenId}/revoke",
      "/api/whoami"
    ])
    expect((await fetch(`${server.url}/api/docs`)).status).toBe(200)
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
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name: "ci" } })
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${token.tokenId}/revoke`)
    await whoami(token.value)
    await call("DELETE", `/api/service-accounts/${serviceAccountId}`)

    const issues = answers.filter((a) => a.method === "POST" && a.path.endsWith("/tokens") && a.answer.status === 201)
    const values = issues.map((a) => decode(Issued)(a.answer).value)
    expect(values).toContain(token.value)
    for (const { method, path, answer } of answers) {
      if (issues.some((issue) => issue.answer === answer)) continue
      const everything = `${answer.text}\n${[...answer.headers].map(([k, v]) => `${k}: ${v}`).join("\n")}`
      expect({ method, path, tokens: Token.findTokens(everything) }).toEqual({ method, path, tokens: [] })
    }
  })
})
