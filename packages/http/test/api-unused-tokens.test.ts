/**
 * `GET /api/usage/unused-tokens?days=…`: the active tokens nobody used for that many days — and issued before them —
 * the candidates to revoke when rotating. The server's clock starts ten days back, so that tokens can be issued
 * "ten days ago"; then it is put right, and some of the tokens are used.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { Created, decode, Issued } from "./support/apiHarness.js"
import { type CallOptions, client, type RunningServer, startServer } from "./support/server.js"
import { DAY, eventually, movableClock, Report, Unused } from "./support/usage.js"

const moved = movableClock()
let server: RunningServer
let call: (method: string, path: string, options?: CallOptions) => ReturnType<ReturnType<typeof client>["call"]>

beforeAll(async () => {
  moved.set(-10 * DAY)
  // Unbounded staleness: putting the clock right must not make the read models look ten days behind.
  server = await startServer({
    clock: moved.clock,
    service: { maxStaleness: "unbounded", usage: { flushInterval: "50 millis" } }
  })
  call = client(server.url).call
})
afterAll(() => server?.close())

const created = async (name: string) =>
  decode(Created)(await call("POST", "/api/service-accounts", { body: { name } })).serviceAccountId
const issued = async (serviceAccountId: string, name: string) =>
  decode(Issued)(await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name } }))
const unused = async (query: string) => {
  const answer = await call("GET", `/api/usage/unused-tokens${query}`)
  expect(answer.status).toBe(200)
  return decode(Unused)(answer)
}

describe("GET /api/usage/unused-tokens", () => {
  it("lists the active tokens not used for the days asked about, with their last use if any", async () => {
    const tenDaysAgo = Date.now() - 10 * DAY
    const pipeline = await created("unused-pipeline")
    const idle = await issued(pipeline, "idle")
    const busy = await issued(pipeline, "busy")
    const retired = await issued(pipeline, "retired")
    const longAgo = await issued(pipeline, "used-long-ago")
    await call("POST", `/api/service-accounts/${pipeline}/tokens/${retired.tokenId}/revoke`)

    moved.set(0)
    const fresh = await issued(pipeline, "fresh")
    // `busy` is used today through the bearer check; `used-long-ago` was used eight days ago.
    expect((await call("GET", "/api/whoami", { headers: { authorization: `Bearer ${busy.value}` } })).status).toBe(200)
    const eightDaysAgo = Date.now() - 8 * DAY
    await Effect.runPromise(
      Effect.flatMap(server.service.authenticate(longAgo.value), (principal) =>
        server.service.recordUsage(principal, { at: eightDaysAgo })
      )
    )
    await eventually(
      async () => decode(Report)(await call("GET", "/api/usage?days=30")).total.requests,
      (requests) => requests === 2
    )

    const week = await unused("?days=7")
    expect(week.days).toBe(7)
    expect(week.tokens.map((token) => token.name).sort()).toEqual(["idle", "used-long-ago"])
    const idleToken = week.tokens.find((token) => token.tokenId === idle.tokenId)
    expect(idleToken).toMatchObject({ serviceAccountId: pipeline, accountName: "unused-pipeline", name: "idle" })
    expect(idleToken).not.toHaveProperty("lastUsedAt")
    // Issued when the clock said ten days ago.
    expect(Math.abs(Date.parse(idleToken?.issuedAt ?? "") - tenDaysAgo)).toBeLessThan(DAY)
    const usedLongAgo = week.tokens.find((token) => token.tokenId === longAgo.tokenId)
    expect(Date.parse(usedLongAgo?.lastUsedAt ?? "")).toBe(eightDaysAgo)

    // Over nine days, the token used eight days ago is no candidate; nor is one issued today, over any number of days.
    expect((await unused("?days=9")).tokens.map((token) => token.name)).toEqual(["idle"])
    expect((await unused("?days=1")).tokens.map((token) => token.tokenId)).not.toContain(fresh.tokenId)
  })

  it("refuses a missing, fractional or out-of-range number of days: 400 naming days", async () => {
    for (const query of ["", "?days=0", "?days=2.5", "?days=401", "?days=seven"]) {
      const answer = await call("GET", `/api/usage/unused-tokens${query}`)
      expect({ query, status: answer.status, json: answer.json }).toMatchObject({
        query,
        status: 400,
        json: { _tag: "InvalidInput", field: "days" }
      })
    }
  })

  it("refuses a member (403) and shows another organisation none of the tokens", async () => {
    const member = await call("GET", "/api/usage/unused-tokens?days=1", { as: "member" })
    expect(member.status).toBe(403)
    expect(member.json).toMatchObject({ _tag: "NotAuthorized" })
    const globex = await call("GET", "/api/usage/unused-tokens?days=1", { as: "globexAdmin" })
    expect(globex.json).toEqual({ days: 1, tokens: [] })
  })
})
