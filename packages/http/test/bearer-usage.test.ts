/**
 * The bearer check records each accepted request as a use of its token — `authenticate(value, { record: true })` — by
 * default, and records nothing when `HttpService.layer` is given `recordUsage: false`. The servers here flush only
 * when they close (an hour's interval), so what was recorded is exactly what the store holds after closing.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Created, decode, Issued } from "./support/apiHarness.js"
import { client, type ServerOptions, startServer } from "./support/server.js"
import { storedRequests } from "./support/usage.js"

/** Three accepted requests and two refused ones on a server with these options; what it had pending, and stored. */
const threeRequests = async (options: Pick<ServerOptions, "recordUsage">) => {
  const server = await startServer({ ...options, service: { usage: { flushInterval: "1 hour" } } })
  let closed = false
  try {
    const { call } = client(server.url)
    const { serviceAccountId } = decode(Created)(
      await call("POST", "/api/service-accounts", { body: { name: "recorded-or-not" } })
    )
    const token = decode(Issued)(
      await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name: "ci" } })
    )
    const whoami = (value: string) => call("GET", "/api/whoami", { headers: { authorization: `Bearer ${value}` } })
    for (let i = 0; i < 3; i++) expect((await whoami(token.value)).status).toBe(200)
    for (let i = 0; i < 2; i++) expect((await whoami(token.value.slice(0, -2))).status).toBe(401)
    const pending = (await Effect.runPromise(server.service.readiness)).usagePending
    // Closing flushes what the recorder summed.
    await server.close()
    closed = true
    return { tokenId: token.tokenId, pending, stored: await storedRequests(server.store) }
  } finally {
    if (!closed) await server.close()
  }
}

describe("Security.bearerLayer and usage", () => {
  it("records each accepted request as one use of its token, by default", async () => {
    const { tokenId, pending, stored } = await threeRequests({})
    expect(pending).toBe(1)
    expect([...stored]).toEqual([[tokenId, 3]])
  })

  it("records nothing with recordUsage: false", async () => {
    const { pending, stored } = await threeRequests({ recordUsage: false })
    expect(pending).toBe(0)
    expect([...stored]).toEqual([])
  })
})
