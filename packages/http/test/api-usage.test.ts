/**
 * The usage endpoints over HTTP: the organisation's report per account, token and UTC day (over a window of days, or
 * for one account), each token's last use in the listings, and what they refuse — a malformed account id or number of
 * days (400 naming the field), another organisation's account (404), a member (403). Uses come from the bearer check
 * (each accepted request, as `Security.bearerLayer` records it) and from the service's `recordUsage` at known times.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { decode, missingId, useApi } from "./support/apiHarness.js"
import { DAY, dayOf, eventually, movableClock, Report } from "./support/usage.js"

// A short flush interval: the usage view learns of a use only once it is flushed. Uses are recorded up to 30 days
// back, and a use cannot come before its token was issued: the tokens are issued on the server's clock set back.
// Unbounded staleness: putting the clock right must not make the read models look days behind.
const moved = movableClock()
const { call, createAccount, issueToken, whoami, expectRefused, server } = useApi({
  clock: moved.clock,
  service: { maxStaleness: "unbounded", usage: { flushInterval: "50 millis" } }
})

/** Runs `setUp` with the server's clock `days` days back, then puts it right. */
const daysAgo = async <A>(days: number, setUp: () => Promise<A>): Promise<A> => {
  moved.set(-days * DAY)
  try {
    return await setUp()
  } finally {
    moved.set(0)
  }
}

const report = async (query: string) => {
  const answer = await call("GET", `/api/usage${query}`)
  expect(answer.status).toBe(200)
  return decode(Report)(answer)
}

const accountIn = (answer: typeof Report.Type, serviceAccountId: string) => {
  const found = answer.accounts.find((account) => account.serviceAccountId === serviceAccountId)
  if (found === undefined) throw new Error(`the report has no account ${serviceAccountId}`)
  return found
}

const tokenIn = (account: ReturnType<typeof accountIn>, tokenId: string) => {
  const found = account.tokens.find((token) => token.tokenId === tokenId)
  if (found === undefined) throw new Error(`the report has no token ${tokenId}`)
  return found
}

/** Reports `requests` and `units` of the token whose value is given, `daysAgo` days ago, through the service. */
const recordUse = (value: string, daysAgo: number, requests: number, units = 0) =>
  Effect.runPromise(
    Effect.flatMap(server().service.authenticate(value), (principal) =>
      server().service.recordUsage(principal, { requests, units, at: Date.now() - daysAgo * DAY })
    )
  )

describe("GET /api/usage (the usage report)", () => {
  it("reports per account, token and day, over the window and in total, with each token's last use", async () => {
    const { reported, ci, spare, other, runner } = await daysAgo(11, async () => {
      const reported = await createAccount("usage-reported")
      const ci = await issueToken(reported.serviceAccountId, "ci")
      const spare = await issueToken(reported.serviceAccountId, "spare")
      const other = await createAccount("usage-other")
      const runner = await issueToken(other.serviceAccountId, "runner")
      return { reported, ci, spare, other, runner }
    })

    // Outside a 7-day window, then inside it; and three requests through the bearer check, today.
    await recordUse(ci.value, 10, 7, 1)
    await recordUse(ci.value, 2, 4, 2.5)
    await recordUse(runner.value, 2, 5)
    await recordUse(runner.value, 1, 1, 3)
    const before = Date.now()
    for (let i = 0; i < 3; i++) expect((await whoami(ci.value)).status).toBe(200)
    const after = Date.now()

    const answer = await eventually(
      () => report("?days=7"),
      (r) => accountIn(r, reported.serviceAccountId).total.requests === 14 && r.window.requests >= 13
    )
    expect(answer.organizationId).toBe("acme")
    expect(answer.since).toBe(dayOf(Date.now() - 6 * DAY))

    // Each recorded use sits in its day; days without any are not listed.
    const days = (entries: ReadonlyArray<readonly [number, number, number]>) =>
      entries
        .map(([daysAgo, requests, units]) => ({ day: dayOf(before - daysAgo * DAY), requests, units }))
        .filter((day) => day.day >= answer.since)
    const mine = accountIn(answer, reported.serviceAccountId)
    expect(tokenIn(mine, ci.tokenId)).toMatchObject({
      name: "ci",
      status: "active",
      window: { requests: 7, units: 2.5 },
      total: { requests: 14, units: 3.5 },
      days: days([
        [2, 4, 2.5],
        [0, 3, 0]
      ])
    })
    const lastUse = Date.parse(tokenIn(mine, ci.tokenId).lastUsedAt ?? "")
    expect(lastUse).toBeGreaterThanOrEqual(before)
    expect(lastUse).toBeLessThanOrEqual(after)
    const unused = tokenIn(mine, spare.tokenId)
    expect(unused).toEqual({
      tokenId: spare.tokenId,
      name: "spare",
      status: "active",
      window: { requests: 0, units: 0 },
      total: { requests: 0, units: 0 },
      days: []
    })
    expect(mine).toMatchObject({ window: { requests: 7, units: 2.5 }, total: { requests: 14, units: 3.5 } })
    expect(mine.lastUsedAt).toBe(tokenIn(mine, ci.tokenId).lastUsedAt)

    const theirs = accountIn(answer, other.serviceAccountId)
    expect(theirs).toMatchObject({
      window: { requests: 6, units: 3 },
      total: { requests: 6, units: 3 },
      days: days([
        [2, 5, 0],
        [1, 1, 3]
      ])
    })

    // The organisation's sums are its accounts'.
    const sum = (key: "window" | "total") => answer.accounts.reduce((n, account) => n + account[key].requests, 0)
    expect(answer.window.requests).toBe(sum("window"))
    expect(answer.total.requests).toBe(sum("total"))

    // The listings show the same last use; a token never used has none.
    const account = await call("GET", `/api/service-accounts/${reported.serviceAccountId}`)
    expect(account.json).toMatchObject({
      tokens: expect.arrayContaining([
        expect.objectContaining({ tokenId: ci.tokenId, lastUsedAt: tokenIn(mine, ci.tokenId).lastUsedAt })
      ])
    })
    const listing = await call("GET", "/api/service-accounts")
    expect(JSON.stringify(listing.json)).toContain(`"lastUsedAt":"${tokenIn(mine, ci.tokenId).lastUsedAt}"`)
    const spareView = (account.json as { tokens: Array<Record<string, unknown>> }).tokens.find(
      (token) => token.tokenId === spare.tokenId
    )
    expect(spareView).toBeDefined()
    expect(spareView).not.toHaveProperty("lastUsedAt")
  })

  it("reports one account with ?serviceAccountId=, and the 30 days up to today by default", async () => {
    const { only, token } = await daysAgo(31, async () => {
      const only = await createAccount("usage-only-me")
      return { only, token: await issueToken(only.serviceAccountId, "ci") }
    })
    await createAccount("usage-not-me")
    await recordUse(token.value, 29, 2)
    await recordUse(token.value, 30, 100)
    const answer = await eventually(
      () => report(`?serviceAccountId=${only.serviceAccountId}`),
      (r) => r.total.requests === 102
    )
    expect(answer.accounts.map((account) => account.serviceAccountId)).toEqual([only.serviceAccountId])
    expect(answer.since).toBe(dayOf(Date.now() - 29 * DAY))
    expect(answer.window.requests).toBe(2)
    expect(answer.days).toEqual([{ day: dayOf(Date.now() - 29 * DAY), requests: 2, units: 0 }])
  })

  it("records nothing for a refused bearer request: a revoked token, a bad checksum", async () => {
    const { serviceAccountId } = await createAccount("usage-refused")
    const revoked = await issueToken(serviceAccountId, "revoked")
    await call("POST", `/api/service-accounts/${serviceAccountId}/tokens/${revoked.tokenId}/revoke`)
    const live = await issueToken(serviceAccountId, "live")
    const lastChar = live.value.slice(-1) === "A" ? "B" : "A"
    for (let i = 0; i < 4; i++) expect((await whoami(revoked.value)).status).toBe(401)
    for (let i = 0; i < 2; i++) expect((await whoami(`${live.value.slice(0, -1)}${lastChar}`)).status).toBe(401)
    expect((await whoami(live.value)).status).toBe(200)
    // The refused requests came first: had they been recorded, the flush that carries the last one would carry them.
    const answer = await eventually(
      () => report(`?serviceAccountId=${serviceAccountId}`),
      (r) => r.total.requests >= 1
    )
    const account = accountIn(answer, serviceAccountId)
    expect(tokenIn(account, live.tokenId).total.requests).toBe(1)
    expect(tokenIn(account, revoked.tokenId).total.requests).toBe(0)
    expect(account.total.requests).toBe(1)
  })

  it.each([
    ["a malformed account id", "?serviceAccountId=nope", "serviceAccountId"],
    ["no days", "?days=0", "days"],
    ["more days than are kept", "?days=401", "days"],
    ["a fraction of a day", "?days=1.5", "days"],
    ["days that are not a number", "?days=abc", "days"],
    ["days that are not finite", "?days=Infinity", "days"]
  ])("refuses %s: 400 naming the field, nothing appended", async (_, query, field) => {
    const refused = await expectRefused(() => call("GET", `/api/usage${query}`), {
      status: 400,
      tag: "InvalidInput",
      field
    })
    expect(refused.message).not.toContain("abc")
    expect(refused.message).not.toContain("nope")
  })

  it("answers 404 for an unknown account and another organisation's; 403 for a member or a plan without accounts", async () => {
    const { serviceAccountId } = await createAccount("usage-not-yours")
    await expectRefused(() => call("GET", `/api/usage?serviceAccountId=${missingId}`), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(() => call("GET", `/api/usage?serviceAccountId=${serviceAccountId}`, { as: "globexAdmin" }), {
      status: 404,
      tag: "ServiceAccountNotFound"
    })
    await expectRefused(() => call("GET", "/api/usage", { as: "member" }), { status: 403, tag: "NotAuthorized" })
    await expectRefused(() => call("GET", "/api/usage", { as: "teamAdmin" }), { status: 403, tag: "PlanNotEligible" })
    await expectRefused(() => call("GET", "/api/usage", { as: "nobody" }), { status: 401, tag: "SignInRequired" })
  })

  it("shows another organisation none of the accounts", async () => {
    const answer = await call("GET", "/api/usage", { as: "globexAdmin" })
    expect(answer.status).toBe(200)
    expect(decode(Report)(answer)).toMatchObject({ organizationId: "globex", accounts: [], total: { requests: 0 } })
  })
})
