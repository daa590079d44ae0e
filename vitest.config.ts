import { defineConfig } from "vitest/config"

// One run over every workspace project, so CI gets a single report with the totals.
export default defineConfig({
  test: {
    projects: ["packages/*", "examples/*", "bench"]
  }
})
