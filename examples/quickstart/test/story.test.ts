import { describe, expect, it } from "@effect/vitest"
import { ServiceAccounts, Token } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Effect, Layer } from "effect"
import { story } from "../src/story.js"

describe("the quick start", () => {
  it.live("tells the whole story and every step behaves as it says", () =>
    Effect.gen(function* () {
      const lines: Array<string> = []
      yield* story((line) => lines.push(line)).pipe(
        Effect.provide(
          ServiceAccounts.layerWith({ usage: { flushInterval: "20 millis" } }).pipe(Layer.provide(memoryStore))
        )
      )
      const text = lines.join("\n")
      // Two values are shown: "ci" once, "backup" once as the value and once inside its session.json.
      const values = Token.findTokens(text)
      expect(values).toHaveLength(3)
      expect(new Set(values).size).toBe(2)
      expect(text).toContain("refused with NotAuthorized")
      expect(text).toContain("refused with PlanNotEligible")
      expect(text).toContain("refused with DuplicateServiceAccountName")
      expect(text).toMatch(/old ci +✗ AuthenticationFailed/)
      expect(text).toMatch(/new ci-2 +✓/)
      expect(text).toMatch(/backup +✗ AuthenticationFailed/)
      expect(text).toContain("revoked 2 token(s)")
      expect(text).toContain("(no service accounts)")
      expect(text).toContain("<redacted>")
      expect(lines.filter((line) => line.includes("#")).length).toBe(8)
      // Usage: each request the automation made recorded by authenticate (ci once, backup once, ci-2 three times), and
      // two more of backup (with five units) reported by hand.
      expect(text).toContain("deploy-bot: 7 requests, 5 units in the last 7 days")
      expect(text).toMatch(/token "ci": 1 request, last used \d{4}-/)
      expect(text).toMatch(/token "backup": 3 requests, last used \d{4}-/)
      expect(text).toMatch(/token "ci-2": 3 requests, last used \d{4}-/)
      expect(text).toMatch(/token "ci-2" …\w{4} +active .* last used \d{4}-/)
      // Rotation is safe to finish when the old token's last use is behind it: the listing shows it.
      expect(text).toMatch(/token "ci" …\w{4} +revoked .* last used \d{4}-/)
    })
  )
})
