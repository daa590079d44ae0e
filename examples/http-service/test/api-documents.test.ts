/**
 * What the example serves beside the API's JSON endpoints: the management page (with its Content-Security-Policy),
 * the demo sign-in's organisations, and the OpenAPI document of `@service-accounts/http`'s API, which holds neither.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { useApi } from "./apiHarness.js"

const { call, url } = useApi()

describe("the page, the demo's organisations and the OpenAPI document", () => {
  it("serves the page with a strict Content-Security-Policy", async () => {
    const page = await fetch(`${url()}/`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'")
    expect(await page.text()).toContain("New Service Account")
    for (const asset of [
      "/assets/page.js",
      "/assets/page/api.js",
      "/assets/page/usageChart.js",
      "/assets/page.css",
      "/assets/usage.css"
    ])
      expect((await fetch(`${url()}${asset}`)).status).toBe(200)
  })

  it("serves the demo sign-in's organisations to anyone (they are the stand-in login's configuration)", async () => {
    const answer = await call("GET", "/api/demo/organizations", { as: "nobody" })
    expect(answer.status).toBe(200)
    expect(answer.json).toEqual([
      { id: "acme", name: "Acme Corp", plan: "enterprise", tenantUrl: "https://acme.example.com" },
      { id: "globex", name: "Globex", plan: "enterprise", tenantUrl: "https://globex.example.com" },
      { id: "small-co", name: "Small Co", plan: "team", tenantUrl: "https://small-co.example.com" }
    ])
  })

  it("serves the OpenAPI document of the package's API: every endpoint, nothing of the demo", async () => {
    const answer = await call("GET", "/api/openapi.json", { as: "nobody" })
    expect(answer.status).toBe(200)
    const paths = Schema.decodeUnknownSync(
      Schema.Struct({ paths: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
    )(answer.json).paths
    expect(Object.keys(paths).sort()).toEqual([
      "/api/audit-trail",
      "/api/service-accounts",
      "/api/service-accounts/{serviceAccountId}",
      "/api/service-accounts/{serviceAccountId}/tokens",
      "/api/service-accounts/{serviceAccountId}/tokens/{tokenId}/revoke",
      "/api/usage",
      "/api/usage/unused-tokens",
      "/api/whoami",
      "/healthz",
      "/readyz"
    ])
    expect((await fetch(`${url()}/api/docs`)).status).toBe(200)
  })
})
