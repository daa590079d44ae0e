import { describe, expect, it } from "@effect/vitest"
import { Token } from "@service-accounts/domain"
import { ConfigProvider, Effect } from "effect"
import { run } from "./run.js"

const real = process.env.KURRENTDB_CONNECTION_STRING ?? process.env.EVENTSTORE_CONNECTION_STRING

describe("the quick start on the KurrentDB adapter (EVENTSTORE_ADAPTER=kurrentdb)", () => {
  it.live("tells the whole story on the test server, through @kurrent/kurrentdb-client", () =>
    Effect.gen(function* () {
      const text = yield* run(ConfigProvider.fromMap(new Map([["EVENTSTORE_ADAPTER", "kurrentdb"]])))
      expect(text).toContain("the in-process EventStoreDB test server at kurrentdb://127.0.0.1:")
      expect(text).toContain("through the KurrentDB adapter (@kurrent/kurrentdb-client)")
      expect(text).toContain("set KURRENTDB_CONNECTION_STRING or EVENTSTORE_CONNECTION_STRING for a real server")
      const values = Token.findTokens(text)
      expect(values).toHaveLength(3)
      expect(text).toContain("revoked 2 token(s)")
      expect(text).toContain("The stream serviceAccountDirectory-acme now holds 8 events")
      expect(text).toMatch(/@0 .*ServiceAccountCreated[\s\S]*@7 .*ServiceAccountDeleted/)
    })
  )

  it.effect("refuses an adapter it does not know, naming the variable", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(run(ConfigProvider.fromMap(new Map([["EVENTSTORE_ADAPTER", "postgres"]]))))
      expect(error._tag).toBe("ConfigError")
      expect(String(error)).toContain("EVENTSTORE_ADAPTER")
    })
  )

  it.live.skipIf(!real)(
    "tells the whole story on the real server of KURRENTDB_CONNECTION_STRING (else EVENTSTORE_CONNECTION_STRING)",
    () =>
      Effect.gen(function* () {
        const text = yield* run(
          ConfigProvider.fromMap(new Map([["EVENTSTORE_ADAPTER", "kurrentdb"]])).pipe(
            ConfigProvider.orElse(() => ConfigProvider.fromEnv())
          )
        )
        expect(text).toContain("the server of KURRENTDB_CONNECTION_STRING (else EVENTSTORE_CONNECTION_STRING)")
        expect(text).not.toContain(real ?? "")
        expect(text).toContain("revoked 2 token(s)")
      }),
    60_000
  )
})
