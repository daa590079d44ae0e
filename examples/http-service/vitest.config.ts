import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  // Starting the server (and Chromium) takes a few seconds on a busy machine. Tests wait on events (Playwright's
  // `waitFor`, `expect.poll`), never on time: the limits only stop a hung test, and stay far away on a busy machine
  // (`expect.poll` gives up after 1 s by default, which a page update can take under load).
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 30_000 } }
  }
})
