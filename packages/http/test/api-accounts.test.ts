/**
 * The account endpoints over HTTP — list, create, get, delete: what each answers, and what it refuses: bad input
 * (400 with a message and the field, nothing appended), a caller who is not an administrator (403), another
 * organisation's account (404).
 */
import { describe, expect, it } from "@effect/vitest"
import { Created, decode, Listing, missingId, useApi } from "./support/apiHarness.js"

const { call, createAccount, issueToken, whoami, expectRefused } = useApi()

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
      () => call("GET", "/api/service-accounts", { headers: { "x-test-user": "alice with spaces" } }),
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
