import { defineProject } from "vitest/config"

export default defineProject({
  resolve: { conditions: ["source"] },
  ssr: { resolve: { conditions: ["source"] } },
  // Each test file starts a server. The limits only stop a hung test: tests wait on answers and conditions, never on
  // time, and a busy machine may take seconds to start a server.
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000
  }
})
