/**
 * What the browser tests share: Debian's Chromium, driven by playwright-core, headless, with a profile of its own and
 * no network but this machine's loopback; and where screenshots go.
 *
 * Without Chromium at /usr/bin/chromium the browser tests are skipped, and reported as skipped; under CI (where
 * `.ci/run` installs it) a missing Chromium is a failure (`requireChromiumInCi`).
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { type BrowserContext, chromium, type Page } from "playwright-core"

export const executablePath = "/usr/bin/chromium"
export const hasChromium = existsSync(executablePath)

const here = dirname(fileURLToPath(import.meta.url))
/** Screenshots of the tests (ignored by git). */
export const outputDir = join(here, "..", "test-output")
/** The picture of the page in the docs, retaken with `SA_UPDATE_DOCS_SCREENSHOT=1`. */
export const docsScreenshot = join(here, "..", "..", "..", "docs", "images", "management-page.png")

// Root, no display, no network but this machine's loopback.
const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic"
]

/** Under CI, a test that fails when Chromium is missing (elsewhere the browser tests are only skipped). */
export const requireChromiumInCi = () => {
  if (!hasChromium && (process.env.CI ?? "") !== "") {
    describe("in CI", () => {
      it("Chromium is installed (.ci/run installs the chromium package)", () => {
        expect.fail(`no Chromium at ${executablePath}: the browser tests would not run`)
      })
    })
  }
}

export interface Browser {
  readonly context: BrowserContext
  readonly page: Page
  readonly close: () => Promise<void>
}

/** Chromium with a fresh profile, its first page open at `url` once the page says it is ready. */
export const openPage = async (url: string, options: { readonly clipboard?: boolean } = {}): Promise<Browser> => {
  mkdirSync(outputDir, { recursive: true })
  const profile = mkdtempSync(join(tmpdir(), "sa-chromium-"))
  let context: BrowserContext | undefined
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath,
      headless: true,
      args: chromiumFlags,
      viewport: { width: 1100, height: 720 },
      acceptDownloads: true,
      ...(options.clipboard === true ? { permissions: ["clipboard-read", "clipboard-write"] } : {})
    })
    const page = context.pages()[0] ?? (await context.newPage())
    await page.goto(url)
    await page.locator("body[data-ready=true]").waitFor()
    const opened = context
    return {
      context: opened,
      page,
      close: async () => {
        await opened.close()
        rmSync(profile, { recursive: true, force: true })
      }
    }
  } catch (error) {
    await context?.close()
    rmSync(profile, { recursive: true, force: true })
    throw error
  }
}
