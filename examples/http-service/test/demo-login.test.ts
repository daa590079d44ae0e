/**
 * The stand-in login in front of the package's API: it hands the library the caller its headers name, refuses a
 * request without a signed-in user (401, naming the headers it reads) and a request without a role (400, naming the
 * header) — nothing appended either way — and the library then decides with the role it was given.
 */
import { describe, expect, it } from "@effect/vitest"
import { decode, Listing, useApi } from "./apiHarness.js"

const { call, createAccount, issueToken, whoami, expectRefused } = useApi()

const acmeUser = { "x-demo-org": "acme", "x-demo-user": "alice@acme.example.com" }

describe("the demo login", () => {
  it("refuses a request without X-Demo-Role: 400 naming the header, nothing appended", async () => {
    for (const role of [undefined, "", "   "]) {
      const refused = await expectRefused(
        () =>
          call("POST", "/api/service-accounts", {
            as: "nobody",
            headers: { ...acmeUser, ...(role === undefined ? {} : { "x-demo-role": role }) },
            body: { name: "roleless" }
          }),
        { status: 400, tag: "InvalidInput", field: "X-Demo-Role" }
      )
      expect(refused.message).toContain("X-Demo-Role")
    }
  })

  it("refuses a request without a known organisation or a user: 401 naming every header it reads", async () => {
    const cases: ReadonlyArray<Record<string, string>> = [
      {},
      { "x-demo-user": "alice@acme.example.com", "x-demo-role": "administrator" },
      { "x-demo-org": "acme", "x-demo-role": "administrator" },
      { "x-demo-org": "initech", "x-demo-user": "alice@acme.example.com", "x-demo-role": "administrator" }
    ]
    for (const headers of cases) {
      const refused = await expectRefused(
        () => call("POST", "/api/service-accounts", { as: "nobody", headers, body: { name: "anonymous" } }),
        { status: 401, tag: "SignInRequired" }
      )
      for (const header of ["X-Demo-Org", "X-Demo-User", "X-Demo-Role"]) expect(refused.message).toContain(header)
    }
  })

  it("passes the role on: the library refuses a member and lets an administrator in", async () => {
    await expectRefused(() => call("GET", "/api/service-accounts", { as: "member" }), {
      status: 403,
      tag: "NotAuthorized"
    })
    expect((await call("GET", "/api/service-accounts")).status).toBe(200)
  })
})

describe("the package's API behind it", () => {
  it("tells the whole story: create, issue, authenticate, revoke, delete", async () => {
    const { serviceAccountId } = await createAccount("story-bot")
    const token = await issueToken(serviceAccountId, "ci")
    expect(await whoami(token.value)).toMatchObject({ status: 200, json: { serviceAccountId, tokenId: token.tokenId } })
    const revoke = `/api/service-accounts/${serviceAccountId}/tokens/${token.tokenId}/revoke`
    expect((await call("POST", revoke)).status).toBe(200)
    const refused = await whoami(token.value)
    expect({ status: refused.status, body: refused.text }).toEqual({ status: 401, body: "" })
    expect(refused.headers.get("www-authenticate")).toBe('Bearer realm="service-accounts"')
    expect((await call("DELETE", `/api/service-accounts/${serviceAccountId}`)).status).toBe(200)
    const listing = decode(Listing)(await call("GET", "/api/service-accounts"))
    expect(listing.accounts.map((a) => a.serviceAccountId)).not.toContain(serviceAccountId)
  })
})
