// The functions passed to evaluate run in the browser.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * Usage on the management page, in Chromium: each token's last use (or "Never") and each account's daily chart — one
 * bar per day of the window, each as tall as its day's requests in proportion to the busiest day, with a title and a
 * text alternative that lists the numbers. The data is the example's demo data (`src/DemoData.ts`: two weeks of
 * uses, today's through `authenticate`), then requests through the bearer check, as automation makes them.
 * `SA_UPDATE_DOCS_SCREENSHOT=1` retakes the picture of the page in the docs.
 */
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { ServiceAccounts } from "@service-accounts/domain"
import { Effect, Logger, LogLevel, Schema } from "effect"
import type { Locator, Page } from "playwright-core"
import * as DemoData from "../src/DemoData.js"
import { type Browser, docsScreenshot, hasChromium, openPage, outputDir, requireChromiumInCi } from "./browser.js"
import { client, type RunningServer, startServer } from "./testServer.js"

requireChromiumInCi()

const DAY = 86_400_000
const dayOf = (millis: number) => new Date(millis).toISOString().slice(0, 10)

const Report = Schema.Struct({
  since: Schema.String,
  total: Schema.Struct({ requests: Schema.Number }),
  accounts: Schema.Array(
    Schema.Struct({ serviceAccountId: Schema.String, total: Schema.Struct({ requests: Schema.Number }) })
  )
})
const Listing = Schema.Struct({
  accounts: Schema.Array(
    Schema.Struct({
      name: Schema.String,
      tokens: Schema.Array(
        Schema.Struct({ tokenId: Schema.String, name: Schema.String, lastUsedAt: Schema.optional(Schema.String) })
      )
    })
  )
})

/** What a chart shows, read from the page: its bars' attributes, its accessible name and text alternative. */
interface Chart {
  readonly name: string
  readonly description: string
  readonly caption: string
  readonly bars: ReadonlyArray<{ day: string; requests: number; x: number; y: number; height: number }>
  readonly table: ReadonlyArray<{ day: string; requests: number }>
}

const readChart = (figure: Locator): Promise<Chart> =>
  figure.evaluate((node) => {
    const svg = node.querySelector("svg")
    const textOf = (ids: string | null | undefined) =>
      (ids ?? "")
        .split(" ")
        .map((id) => document.getElementById(id)?.textContent ?? "")
        .join(" ")
    const number = (element: Element, name: string) => Number(element.getAttribute(name))
    return {
      name: textOf(svg?.getAttribute("aria-labelledby")),
      description: textOf(svg?.getAttribute("aria-describedby")),
      caption: node.querySelector("figcaption")?.textContent ?? "",
      bars: [...node.querySelectorAll("svg rect.bar")].map((bar) => ({
        day: bar.getAttribute("data-day") ?? "",
        requests: number(bar, "data-requests"),
        x: number(bar, "x"),
        y: number(bar, "y"),
        height: number(bar, "height")
      })),
      table: [...node.querySelectorAll("details tbody tr")].map((row) => ({
        day: row.querySelector("time")?.getAttribute("datetime") ?? "",
        requests: Number(row.querySelector("td.number")?.textContent)
      }))
    }
  })

/**
 * The chart shows exactly `expected` (requests per day; days not in it had none) over `days` consecutive days up to
 * `today`: one bar per day, in order, on one baseline, each as tall as its count in proportion to the busiest day's;
 * its text alternative and its table hold the same numbers.
 */
const expectChart = (chart: Chart, expected: ReadonlyMap<string, number>, days: number, today: string) => {
  const windowDays = Array.from({ length: days }, (_, i) =>
    dayOf(Date.parse(`${today}T00:00:00Z`) - (days - 1 - i) * DAY)
  )
  const counts = windowDays.map((day) => expected.get(day) ?? 0)
  expect(chart.bars.map((bar) => bar.day)).toEqual(windowDays)
  expect(chart.bars.map((bar) => bar.requests)).toEqual(counts)
  const most = Math.max(...counts)
  const tallest = Math.max(...chart.bars.map((bar) => bar.height))
  if (most === 0) {
    expect(tallest).toBe(0)
  } else {
    expect(tallest).toBeGreaterThan(50)
    for (const [i, bar] of chart.bars.entries()) {
      expect(bar.height).toBeCloseTo(((counts[i] ?? 0) / most) * tallest, 6)
    }
  }
  const baselines = new Set(chart.bars.map((bar) => Math.round((bar.y + bar.height) * 1000)))
  expect(baselines.size).toBe(1)
  expect(chart.bars.every((bar, i) => i === 0 || bar.x > (chart.bars[i - 1]?.x ?? 0))).toBe(true)

  const total = counts.reduce((sum, count) => sum + count, 0)
  expect(chart.description).toContain(`${total} request${total === 1 ? "" : "s"} in total`)
  for (const [i, day] of windowDays.entries()) expect(chart.description).toContain(`${day}: ${counts[i]}`)
  expect(chart.table).toEqual(windowDays.map((day, i) => ({ day, requests: counts[i] })))
}

describe.skipIf(!hasChromium)("usage on the management page in Chromium", () => {
  let server: RunningServer
  let browser: Browser
  let page: Page
  let seeded: DemoData.Seeded
  let today = ""

  const api = () => client(server.url)
  const account = (name: string): Locator =>
    page.getByRole("list", { name: "Service accounts" }).getByRole("article", { name, exact: true })
  const chartOf = (name: string) => account(name).locator("figure.usage")
  const lastUsedCell = (accountName: string, tokenName: string) =>
    account(accountName)
      .getByRole("row", { name: new RegExp(`^${tokenName} `) })
      .locator("td.last-used")

  /** Asks the API until its usage report holds what `check` wants; the limit only turns a hang into a failure. */
  const usageUntil = async (check: (report: typeof Report.Type) => boolean) => {
    for (let i = 0; i < 4000; i++) {
      const report = Schema.decodeUnknownSync(Report)((await api().call("GET", "/api/usage?days=30")).json)
      if (check(report)) return report
      await new Promise((resolve) => setTimeout(resolve, 10))
    }
    throw new Error("the usage report never showed the uses")
  }

  /** Requests per day of an account of the demo data. */
  const seededDays = (name: string) => {
    const sums = new Map<string, number>()
    for (const token of seeded.accounts.find((a) => a.name === name)?.tokens ?? [])
      for (const { day, requests } of token.days) sums.set(day, (sums.get(day) ?? 0) + requests)
    return sums
  }

  beforeAll(async () => {
    // A short flush interval: the usage view learns of uses once they are flushed.
    server = await startServer(undefined, { service: { usage: { flushInterval: "50 millis" } } })
    const result = await Effect.runPromise(
      DemoData.seed().pipe(
        Effect.provideService(ServiceAccounts, server.service),
        Logger.withMinimumLogLevel(LogLevel.Warning)
      )
    )
    if (result === undefined) throw new Error("the demo data was not seeded")
    seeded = result
    const requests = seeded.accounts.flatMap((a) => a.tokens.flatMap((t) => t.days.map((d) => d.requests)))
    const total = requests.reduce((sum, n) => sum + n, 0)
    await usageUntil((report) => report.total.requests === total)
    const before = Date.now()
    browser = await openPage(server.url)
    page = browser.page
    // The page asked for the window up to the server's today: the day of a moment while it loaded.
    today = dayOf(before)
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  it("shows each token's last use, and Never for a token nobody used", async () => {
    const listing = Schema.decodeUnknownSync(Listing)((await api().call("GET", "/api/service-accounts")).json)
    for (const seededAccount of seeded.accounts) {
      for (const token of seededAccount.tokens) {
        const cell = lastUsedCell(seededAccount.name, token.name)
        await cell.waitFor()
        const lastDay = token.days.at(-1)?.day
        if (lastDay === undefined) {
          expect(await cell.textContent()).toBe("Never")
          expect(await cell.locator("time").count()).toBe(0)
          continue
        }
        const when = await cell.locator("time").getAttribute("datetime")
        const listed = listing.accounts.flatMap((a) => a.tokens).find((t) => t.tokenId === token.tokenId)
        expect(when).toBe(listed?.lastUsedAt)
        // The day of its last use is the last day the demo data used it on (ci: six days ago).
        expect(dayOf(Date.parse(when ?? ""))).toBe(lastDay)
        expect(await cell.textContent()).not.toBe("Never")
      }
    }
    const header = account("deploy-bot").getByRole("columnheader", { name: "Last used" })
    expect(await header.isVisible()).toBe(true)
  })

  it("draws each account's requests per day of the last 14 days: one bar a day, in proportion", async () => {
    for (const { name } of seeded.accounts) {
      const figure = chartOf(name)
      const image = figure.getByRole("img", { name: `Requests per day of ${name}, last 14 days` })
      expect(await image.count()).toBe(1)
      expectChart(await readChart(figure), seededDays(name), 14, today)
    }
    expect((await readChart(chartOf("backup-sync"))).caption).toBe("No requests in the last 14 days")
    expect((await readChart(chartOf("deploy-bot"))).caption).toMatch(/^Requests per day, last 14 days: \d+ requests/)
    await page.screenshot({ path: join(outputDir, "09-usage.png"), fullPage: true })
    // The picture in docs/embedding.md: the demo data's accounts, their charts, the last-use column.
    if (process.env.SA_UPDATE_DOCS_SCREENSHOT === "1") {
      // Narrower, and only as tall as the content.
      await page.setViewportSize({ width: 960, height: 400 })
      await page.screenshot({ path: docsScreenshot, fullPage: true })
      await page.setViewportSize({ width: 1100, height: 720 })
    }
  })

  it("counts requests through the bearer check: the token's last use and today's bar, over a 7-day window", async () => {
    const backup = seeded.accounts.find((a) => a.name === "backup-sync")
    const issued = await api().call("POST", `/api/service-accounts/${backup?.serviceAccountId}/tokens`, {
      body: { name: "sync-next" }
    })
    const { value } = Schema.decodeUnknownSync(Schema.Struct({ value: Schema.String }))(issued.json)
    const before = Date.now()
    for (let i = 0; i < 5; i++) {
      const answer = await fetch(`${server.url}/api/whoami`, { headers: { authorization: `Bearer ${value}` } })
      expect(answer.status).toBe(200)
    }
    const after = Date.now()
    const report = await usageUntil(
      (r) => r.accounts.find((a) => a.serviceAccountId === backup?.serviceAccountId)?.total.requests === 5
    )
    expect(report.accounts.length).toBe(3)

    // Choosing another window loads the page's data again.
    await page.getByLabel("Usage over the last").selectOption("7")
    const figure = chartOf("backup-sync")
    await figure.getByRole("img", { name: "Requests per day of backup-sync, last 7 days" }).waitFor()
    const chart = await readChart(figure)
    const day = chart.bars.at(-1)?.day ?? ""
    expect([dayOf(before), dayOf(after)]).toContain(day)
    expectChart(chart, new Map([[day, 5]]), 7, day)
    expect(chart.caption).toBe("Requests per day, last 7 days: 5 requests in total")
    expectChart(await readChart(chartOf("nightly-report")), seededDays("nightly-report"), 7, day)

    const cell = lastUsedCell("backup-sync", "sync-next")
    const when = Date.parse((await cell.locator("time").getAttribute("datetime")) ?? "")
    expect(when).toBeGreaterThanOrEqual(before)
    expect(when).toBeLessThanOrEqual(after)
    expect(await lastUsedCell("backup-sync", "sync").textContent()).toBe("Never")
  })
})
