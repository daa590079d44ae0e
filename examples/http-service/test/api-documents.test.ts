/**
 * What the server serves beside the JSON endpoints: the management page (with its Content-Security-Policy) and the
 * OpenAPI document.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { useApi } from "./apiHarness.js"

const { call, url } = useApi()

describe("the page and the OpenAPI document", () => {
  it("serves the page with a strict Content-Security-Policy", async () => {
    const page = await fetch(`${url()}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(await page.text()).toContain("New Service Account")
    for (const asset of ["/assets/page.js", "/assets/page.css"])
      expect((await fetch(`${url()}${asset}`)).status).toBe(200)
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
    expect((await fetch(`${url()}/api/docs`)).status).toBe(200)
  })
})
