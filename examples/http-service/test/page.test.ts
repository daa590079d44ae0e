// The functions passed to page.evaluate run in the browser.
/// <reference lib="dom" />
/// <reference lib="dom.iterable" />
/**
 * The management page in a real browser: Debian's Chromium driven by playwright-core. The whole story through the
 * page — create an account, issue a token (its value shown exactly once, copied and downloaded as session.json),
 * use the downloaded session.json against the bearer endpoint, revoke it, delete the account — with role-based
 * locators, so the accessible names are tested too. Screenshots go to `test-output/` (not committed). Usage — the
 * last-use column and the charts — is `page-usage.test.ts`'s.
 *
 * Without Chromium at /usr/bin/chromium the story is skipped, and reported as skipped; under CI (where `.ci/run`
 * installs it) a missing Chromium is a failure.
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import type { BrowserContext, Locator, Page } from "playwright-core"
import { type Browser, hasChromium, openPage, outputDir, requireChromiumInCi } from "./browser.js"
import { type RunningServer, startServer } from "./testServer.js"

requireChromiumInCi()

describe.skipIf(!hasChromium)("the management page in Chromium", () => {
  let server: RunningServer
  let browser: Browser
  let context: BrowserContext
  let page: Page

  // A token value is never written anywhere, screenshots included: its field is masked.
  const screenshot = (name: string) =>
    page.screenshot({ path: join(outputDir, `${name}.png`), mask: [page.locator("#token-value")] })

  /** How many times the value is in the page: its markup and every field's current value. */
  const occurrences = (value: string) =>
    page.evaluate((needle) => {
      const count = (text: string) => text.split(needle).length - 1
      const fields = [...document.querySelectorAll("input, textarea")].map((field) =>
        field instanceof HTMLInputElement || field instanceof HTMLTextAreaElement ? field.value : ""
      )
      return count(document.documentElement.outerHTML) + fields.reduce((n, text) => n + count(text), 0)
    }, value)

  const account = (name: string): Locator =>
    page.getByRole("list", { name: "Service accounts" }).getByRole("article", { name, exact: true })

  const whoami = (value: string) =>
    fetch(`${server.url}/api/whoami`, { headers: { authorization: `Bearer ${value}` } }).then(async (response) => ({
      status: response.status,
      body: await response.text()
    }))

  const issueThroughPage = async (accountName: string, tokenName: string) => {
    await account(accountName).getByRole("button", { name: "Add API token" }).click()
    const dialog = page.getByRole("dialog", { name: "Add API token" })
    await dialog.getByLabel("Token name").fill(tokenName)
    await dialog.getByRole("button", { name: "Create token" }).click()
    const issued = page.getByRole("dialog", { name: "Copy your API token" })
    const value = await issued.getByLabel("API token").inputValue()
    return { issued, value }
  }

  beforeAll(async () => {
    server = await startServer()
    browser = await openPage(server.url, { clipboard: true })
    context = browser.context
    page = browser.page
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
  })

  // The story's steps share the page; they run in order.
  let value = ""
  let session: { accessToken: string; tenantURL: string; scopes: Array<string> } | undefined
  let serviceAccountId = ""

  it("shows the tenant URL on top and an empty list", async () => {
    await expect.poll(() => page.locator("#tenant-url").textContent()).toBe("https://acme.example.com")
    await expect.poll(() => page.getByText("No service accounts yet").isVisible()).toBe(true)
    await screenshot("01-empty")
  })

  it("creates a service account through the New Service Account dialog", async () => {
    await page.getByRole("button", { name: "New Service Account" }).click()
    const dialog = page.getByRole("dialog", { name: "New Service Account" })
    await dialog.waitFor()
    // The dialog takes the focus, on its first field.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("create-name")
    await dialog.getByLabel("Name").fill("deploy-bot")
    await dialog.getByLabel("Description (optional)").fill("Deploys main to production")
    await dialog.getByRole("button", { name: "Create" }).click()
    await dialog.waitFor({ state: "hidden" })
    await account("deploy-bot").waitFor()
    expect(await account("deploy-bot").getByText("Deploys main to production").isVisible()).toBe(true)
    // Focus is back on the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("New Service Account")
  })

  it("shows a taken name, and any other refused name, inline on the field", async () => {
    await page.getByRole("button", { name: "New Service Account" }).click()
    const dialog = page.getByRole("dialog", { name: "New Service Account" })
    await dialog.getByLabel("Name").fill("Deploy-Bot")
    await dialog.getByRole("button", { name: "Create" }).click()
    const error = dialog.locator("#create-name-error")
    await expect.poll(() => error.textContent()).toContain("already exists")
    expect(await dialog.getByLabel("Name").getAttribute("aria-invalid")).toBe("true")
    await screenshot("02-name-taken")
    // The library's own validation shows on the field too, in its words.
    await dialog.getByLabel("Name").fill("x".repeat(101))
    await dialog.getByRole("button", { name: "Create" }).click()
    await expect.poll(() => error.textContent()).toBe("A service account name must be at most 100 characters")
    await page.keyboard.press("Escape")
    await dialog.waitFor({ state: "hidden" })
  })

  it("issues a token whose value is shown exactly once, with Copy and Download session.json", async () => {
    const { issued, value: shown } = await issueThroughPage("deploy-bot", "ci")
    value = shown
    expect(Token.findTokens(value)).toEqual([value])
    expect(await occurrences(value)).toBe(1)
    expect(await issued.getByText("This is the only time the token is shown").isVisible()).toBe(true)

    await issued.getByRole("button", { name: "Copy" }).click()
    await expect.poll(() => issued.getByRole("status").textContent()).toContain("Copied")
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(value)

    const [download] = await Promise.all([
      page.waitForEvent("download"),
      issued.getByRole("button", { name: "Download session.json" }).click()
    ])
    expect(download.suggestedFilename()).toBe("session.json")
    session = JSON.parse(readFileSync(await download.path(), "utf8"))
    expect(session).toEqual({ accessToken: value, tenantURL: "https://acme.example.com", scopes: ["read", "write"] })
    // Still exactly once: downloading and copying put it nowhere else in the page.
    expect(await occurrences(value)).toBe(1)
    await screenshot("03-token-shown-once")
  })

  it("forgets the value when the dialog closes: not in the page, not in its memory", async () => {
    await page.getByRole("dialog", { name: "Copy your API token" }).getByRole("button", { name: "Done" }).click()
    await page.getByRole("dialog", { name: "Copy your API token" }).waitFor({ state: "hidden" })
    const row = account("deploy-bot").getByRole("row", { name: /ci/ })
    await row.waitFor()
    expect(await row.textContent()).toContain(`…${value.slice(-4)}`)
    expect(await occurrences(value)).toBe(0)
    expect(await page.content()).not.toContain(value)

    // The page's JavaScript heap, after a garbage collection, holds no copy of the value.
    const cdp = await context.newCDPSession(page)
    await cdp.send("HeapProfiler.enable")
    await cdp.send("HeapProfiler.collectGarbage")
    const chunks: Array<string> = []
    cdp.on("HeapProfiler.addHeapSnapshotChunk", ({ chunk }) => {
      chunks.push(chunk)
    })
    await cdp.send("HeapProfiler.takeHeapSnapshot", { reportProgress: false })
    await cdp.detach()
    const snapshot = chunks.join("")
    expect(snapshot.length).toBeGreaterThan(1000)
    expect(snapshot.includes(value)).toBe(false)
  })

  it("the downloaded session.json authenticates against the bearer endpoint", async () => {
    expect(session?.accessToken).toBe(value)
    const answer = await whoami(session?.accessToken ?? "")
    expect(answer.status).toBe(200)
    serviceAccountId = JSON.parse(answer.body).serviceAccountId
    expect(serviceAccountId).toMatch(/^[0-9a-f-]{36}$/)
  })

  it("lists several accounts with their tokens", async () => {
    await issueThroughPage("deploy-bot", "ci-next").then(({ issued }) =>
      issued.getByRole("button", { name: "Done" }).click()
    )
    await page.getByRole("button", { name: "New Service Account" }).click()
    const dialog = page.getByRole("dialog", { name: "New Service Account" })
    await dialog.getByLabel("Name").fill("nightly-report")
    await dialog.getByLabel("Description (optional)").fill("Builds the nightly usage report")
    await dialog.getByRole("button", { name: "Create" }).click()
    await account("nightly-report").waitFor()
    await issueThroughPage("nightly-report", "report-runner").then(({ issued }) =>
      issued.getByRole("button", { name: "Done" }).click()
    )
    await account("nightly-report")
      .getByRole("row", { name: /report-runner/ })
      .waitFor()
    await account("deploy-bot")
      .getByRole("row", { name: /ci-next/ })
      .waitFor()
    await screenshot("04-list")
  })

  it("revokes the token from its menu, after a confirmation; the same request then gets 401", async () => {
    const menuButton = account("deploy-bot").getByRole("button", { name: "Actions for token ci", exact: true })
    await menuButton.click()
    expect(await menuButton.getAttribute("aria-expanded")).toBe("true")
    await account("deploy-bot").getByRole("menuitem", { name: "Revoke" }).click()
    const dialog = page.getByRole("dialog", { name: /Revoke token “ci”/ })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain("permanent")
    // The safe choice has the focus.
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Cancel")
    await screenshot("05-revoke-confirm")
    await dialog.getByRole("button", { name: "Revoke token" }).click()
    await dialog.waitFor({ state: "hidden" })
    const row = account("deploy-bot").getByRole("row", { name: /^ci / })
    await expect.poll(() => row.textContent()).toContain("Revoked")
    expect(await whoami(value)).toEqual({ status: 401, body: "" })
    await screenshot("06-revoked")
  })

  it("deletes the account from Manage, after a confirmation that says its tokens go too", async () => {
    const { issued, value: backup } = await issueThroughPage("deploy-bot", "backup")
    await issued.getByRole("button", { name: "Done" }).click()
    expect((await whoami(backup)).status).toBe(200)

    await account("deploy-bot").getByRole("button", { name: "Manage deploy-bot" }).click()
    await account("deploy-bot").getByRole("menuitem", { name: "Delete Account" }).click()
    const dialog = page.getByRole("dialog", { name: /Delete service account “deploy-bot”/ })
    await dialog.waitFor()
    const text = await dialog.textContent()
    expect(text).toContain("2 active API tokens are revoked with it")
    expect(text).toContain("permanent")
    await screenshot("07-delete-confirm")
    await dialog.getByRole("button", { name: "Delete Account" }).click()
    await dialog.waitFor({ state: "hidden" })
    await account("deploy-bot").waitFor({ state: "detached" })
    expect(await account("nightly-report").isVisible()).toBe(true)
    expect(await whoami(backup)).toEqual({ status: 401, body: "" })
    await screenshot("08-after-delete")
  })

  it("shows the library's refusal to a member in the page's alert", async () => {
    await page.getByLabel("Role").selectOption("member")
    await expect.poll(() => page.getByRole("alert").first().textContent()).toContain("only an administrator")
    expect(await page.getByRole("button", { name: "New Service Account" }).isDisabled()).toBe(true)
    await page.getByLabel("Role").selectOption("administrator")
    await account("nightly-report").waitFor()
  })
})
