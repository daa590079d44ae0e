/**
 * A running service meets an event it cannot decode in one organisation's stream (written by another process, or
 * damaged in the store): that stream is quarantined, and its organisation's tokens fail closed — a revocation may
 * be what cannot be read — while every other organisation's tokens are still accepted.
 */
import { describe, expect, it } from "@effect/vitest"
import { EventStore, ServiceAccounts } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Effect, Exit, Metric, Schedule } from "effect"
import { authenticationFailures, servicesOnMemoryLogging } from "./support.js"

const acme = administrator("acme")
const globex = administrator("globex")

describe("a corrupt event appended to a running service's organisation", () => {
  it.live("refuses that organisation's tokens and still accepts the others'", () => {
    const lines: Array<string> = []
    return Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const store = yield* EventStore
      const issue = (caller: typeof acme) =>
        Effect.gen(function* () {
          const account = yield* service.create(caller, { name: "ci" })
          return yield* service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: "deploy" })
        })
      const acmeToken = yield* issue(acme)
      const globexToken = yield* issue(globex)
      expect((yield* service.authenticate(acmeToken.value)).organizationId).toBe("acme")
      expect((yield* service.authenticate(globexToken.value)).organizationId).toBe("globex")

      // Another process appends an event of acme that this version cannot read (a revocation, say).
      yield* store.append(
        "serviceAccountDirectory-acme",
        [
          {
            eventId: crypto.randomUUID(),
            type: "TokenRevoked",
            data: { _tag: "TokenRevoked", organizationId: "acme", tokenId: acmeToken.tokenId, reason: "Unreadable" },
            metadata: { schemaVersion: 1 }
          }
        ],
        "any"
      )
      // The read models' subscription meets it and says so (polled: no timing assumed, a generous overall limit).
      yield* Effect.suspend(() =>
        lines.some((line) => line.includes("stream is quarantined")) ? Effect.void : Effect.fail("not yet")
      ).pipe(Effect.retry(Schedule.spaced("5 millis")), Effect.timeout("60 seconds"), Effect.orDie)
      expect(lines.find((line) => line.includes("stream is quarantined"))).toContain(
        "streamId=serviceAccountDirectory-acme"
      )

      const corrupt = authenticationFailures("corrupt-history")
      const before = (yield* Metric.value(corrupt)).count
      const refused = yield* Effect.exit(service.authenticate(acmeToken.value))
      expect(Exit.isFailure(refused), "acme's token is refused").toBe(true)
      expect(JSON.stringify(refused)).toContain("AuthenticationFailed")
      expect((yield* Metric.value(corrupt)).count).toBe(before + 1)
      // Through `yield*` in a generator too (authenticate's other path).
      const refusedInGen = yield* Effect.exit(
        Effect.gen(function* () {
          return yield* service.authenticate(acmeToken.value)
        })
      )
      expect(Exit.isFailure(refusedInGen), "acme's token is refused through yield*").toBe(true)
      expect((yield* Metric.value(corrupt)).count).toBe(before + 2)

      // Only acme's history is in doubt: globex's token is still accepted, as often as asked.
      for (let i = 0; i < 3; i++) {
        expect((yield* service.authenticate(globexToken.value)).tokenId).toBe(globexToken.tokenId)
      }
      // And a token globex issues now is accepted too.
      const second = yield* service.issueToken(globex, { serviceAccountId: globexToken.serviceAccountId, name: "next" })
      expect((yield* service.authenticate(second.value)).tokenId).toBe(second.tokenId)
    }).pipe(Effect.provide(servicesOnMemoryLogging("quarantine", lines)))
  })
})
