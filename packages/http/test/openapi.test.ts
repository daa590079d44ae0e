/**
 * The OpenAPI document `HttpService.layer` serves: every endpoint, the bearer scheme on the automation endpoint, and
 * for each management endpoint the statuses the error table and the login can answer it with.
 */
import { describe, expect, it } from "@effect/vitest"
import { Schema } from "effect"
import { useApi } from "./support/apiHarness.js"

const { call, url } = useApi()

const Document = Schema.Struct({
  info: Schema.Struct({ title: Schema.String }),
  paths: Schema.Record({
    key: Schema.String,
    value: Schema.Record({
      key: Schema.String,
      value: Schema.Struct({
        responses: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
        parameters: Schema.optional(
          Schema.Array(Schema.Struct({ name: Schema.String, in: Schema.String, required: Schema.Boolean }))
        ),
        security: Schema.optional(Schema.Array(Schema.Record({ key: Schema.String, value: Schema.Unknown })))
      })
    })
  }),
  components: Schema.Struct({ securitySchemes: Schema.Record({ key: Schema.String, value: Schema.Unknown }) })
})

describe("the OpenAPI document", () => {
  it("lists every endpoint, with the statuses each can answer", async () => {
    const answer = await call("GET", "/api/openapi.json", { as: "nobody" })
    expect(answer.status).toBe(200)
    const document = Schema.decodeUnknownSync(Document)(answer.json)
    expect(document.info.title).toBe("Service accounts")
    expect(Object.keys(document.paths).sort()).toEqual([
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
    const statuses = (path: string, method: string) =>
      Object.keys(document.paths[path]?.[method]?.responses ?? {}).sort()
    expect(statuses("/api/service-accounts", "post")).toEqual(["201", "400", "401", "403", "409", "422", "503"])
    expect(statuses("/api/service-accounts/{serviceAccountId}", "get")).toEqual([
      "200",
      "400",
      "401",
      "403",
      "404",
      "409",
      "422",
      "503"
    ])
    expect(statuses("/api/service-accounts/{serviceAccountId}/tokens/{tokenId}/revoke", "post")).toEqual([
      "200",
      "400",
      "401",
      "403",
      "404",
      "409",
      "422",
      "503"
    ])
    expect(statuses("/api/audit-trail", "get")).toEqual(["200", "400", "401", "403", "503"])
    // Usage is read from the read models: no store error can answer it.
    expect(statuses("/api/usage", "get")).toEqual(["200", "400", "401", "403", "404"])
    expect(statuses("/api/usage/unused-tokens", "get")).toEqual(["200", "400", "401", "403"])
    const parameters = (path: string) =>
      (document.paths[path]?.get?.parameters ?? []).map(({ name, in: where, required }) => ({ name, where, required }))
    expect(parameters("/api/usage")).toEqual([
      { name: "serviceAccountId", where: "query", required: false },
      { name: "days", where: "query", required: false }
    ])
    expect(parameters("/api/usage/unused-tokens")).toEqual([{ name: "days", where: "query", required: true }])
    expect(statuses("/readyz", "get")).toEqual(["200", "400", "503"])
    // Automation authenticates with a bearer token; the management endpoints with the host's login, which the
    // document cannot describe.
    expect(document.components.securitySchemes).toHaveProperty("bearer")
    expect(document.paths["/api/whoami"]?.get?.security).toEqual([{ bearer: [] }])
    expect(statuses("/api/whoami", "get")).toEqual(["200", "400", "401"])
  })

  it("can be browsed at /api/docs", async () => {
    const page = await fetch(`${url()}/api/docs`)
    expect(page.status).toBe(200)
    expect(page.headers.get("content-type")).toContain("text/html")
  })
})
