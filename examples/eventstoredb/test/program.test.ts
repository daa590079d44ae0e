import { describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import { ConfigProvider, Effect } from "effect"
import { run } from "./run.js"

// The KurrentDB adapter's runs are in kurrentdb.test.ts: a file of its own, so a process of its own (the two clients
// break each other's appends in one process).
describe("the quick start on EventStoreDB", () => {
  it.live("tells the whole story on the test server, and the events are in the organisation's stream", () =>
    Effect.gen(function* () {
      // Whatever the environment says: this test always runs on a fresh test server.
      const text = yield* run(ConfigProvider.fromMap(new Map()))
      expect(text).toContain("the in-process EventStoreDB test server at esdb://127.0.0.1:")
      expect(text).toContain("through the EventStoreDB adapter (@eventstore/db-client)")
      const values = Token.findTokens(text)
      expect(values).toHaveLength(3)
      expect(new Set(values).size).toBe(2)
      expect(text).toContain("refused with NotAuthorized")
      expect(text).toContain("refused with DuplicateServiceAccountName")
      expect(text).toMatch(/old ci +✗ AuthenticationFailed/)
      expect(text).toContain("revoked 2 token(s)")
      expect(text).toContain("The stream serviceAccountDirectory-acme now holds 8 events")
      expect(text.match(/^ {3}@\d+ \(position \d+\) {2}\w+ {2}id [0-9a-f-]{36}$/gm)).toHaveLength(8)
      expect(text).toMatch(/@0 .*ServiceAccountCreated[\s\S]*@7 .*ServiceAccountDeleted/)
    })
  )

  it.live.skipIf(!process.env.EVENTSTORE_CONNECTION_STRING)(
    "tells the whole story on the real server of EVENTSTORE_CONNECTION_STRING",
    () =>
      Effect.gen(function* () {
        const text = yield* run(ConfigProvider.fromEnv())
        expect(text).toContain("the server of EVENTSTORE_CONNECTION_STRING, through the EventStoreDB adapter")
        expect(text).not.toContain(process.env.EVENTSTORE_CONNECTION_STRING ?? "")
        expect(text).toContain("revoked 2 token(s)")
      }),
    60_000
  )
})
