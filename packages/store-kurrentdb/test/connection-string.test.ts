/**
 * Connection strings are read by the adapter before the client sees anything: an option the client does not know is
 * refused by name, and no output, log line or error ever carries the password, whatever the string and whatever
 * happens next. The client can only be made from a string, so it gets one without the credentials; they reach it as
 * a credentials provider.
 */
import { createRequire } from "node:module"
import { describe, expect, it } from "@effect/vitest"
import { KurrentDBClient } from "@kurrent/kurrentdb-client"
import { EventStore, type ProposedEvent } from "@service-accounts/domain"
import { closedPort, TestServer } from "@service-accounts/eventstoredb-test-server"
import { ConfigProvider, Context, Effect, Layer, Redacted, Stream } from "effect"
import { connect, describeConnection, KurrentDBConnection, layer, layerConfig } from "../src/index.js"
import { printed } from "./printed.js"

const PASSWORD = "Sup3r-S3cret-Pw"

const build = (connectionString: string) =>
  Effect.scoped(Layer.build(layer({ connectionString: Redacted.make(connectionString) })))

const refusal = (connectionString: string) =>
  Effect.gen(function* () {
    const { result, lines } = yield* printed(build(connectionString))
    expect(lines).toEqual([])
    if (result._tag === "Right") return expect.unreachable(`accepted: ${connectionString.replace(PASSWORD, "…")}`)
    expect(result.left._tag).toBe("InvalidConnectionString")
    expect(result.left.message).not.toContain(PASSWORD)
    expect(JSON.stringify(result.left)).not.toContain(PASSWORD)
    return result.left.message
  })

const event = (): ProposedEvent => ({ eventId: crypto.randomUUID(), type: "Tested", data: {}, metadata: {} })

describe("connection strings", () => {
  it.effect("an unknown option is refused by name, before the client prints the string", () =>
    Effect.gen(function* () {
      const bad = `kurrentdb://admin:${PASSWORD}@host:2113?tls=false&bogusOption=1`
      expect(yield* refusal(bad)).toMatch(
        /^invalid KurrentDB connection string: unknown option "bogusOption" \(the options are /
      )
      // The client itself prints the whole string for it (which is why it never sees the string).
      const { lines } = yield* printed(Effect.sync(() => KurrentDBClient.connectionString(bad)))
      expect(lines.join("\n")).toContain(PASSWORD)
    })
  )

  it.effect("a malformed string or a bad value is refused without repeating any of it", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [`kurrentdbx://admin:${PASSWORD}@localhost:2113`, /must start with kurrentdb:\/\/, kurrentdb\+discover:\/\//],
        [`kurrentdb://admin:${PASSWORD}@`, /expected a host/],
        [`kurrentdb://admin:${PASSWORD}@localhost:21x3?tls=false`, /host 1 must be a host name and an optional port/],
        [`kurrentdb://admin:${PASSWORD}@localhost:2113?tls=maybe`, /tls must be true or false/],
        [`kurrentdb://admin:${PASSWORD}@localhost:2113?nodePreference=${PASSWORD}`, /nodePreference must be leader/],
        [`kurrentdb://admin:${PASSWORD}@localhost:2113?tls=false?x=1`, /expected &key=value at position/],
        [`kurrentdb://admin:${PASSWORD}%zz@localhost:2113`, /not valid percent-encoding/],
        [
          `kurrentdb://admin:${PASSWORD}@localhost:2113?tls=true&tlsCAFile=/nonexistent/${PASSWORD}.pem`,
          /tlsCAFile was not found/
        ],
        [`kurrentdb://admin:${PASSWORD}@localhost:2113?defaultDeadline=0`, /the client refused the settings/]
      ]
      for (const [connectionString, reason] of cases) expect(yield* refusal(connectionString)).toMatch(reason)
    })
  )

  it.effect("takes every scheme of the client, the deprecated esdb:// without its warning", () =>
    Effect.gen(function* () {
      for (const scheme of ["kurrentdb", "kurrent", "kdb", "esdb", "kurrentdb+discover", "esdb+discover"]) {
        const connectionString = `${scheme}://admin:${PASSWORD}@db1:2113,db2:2114?tls=false&tlsVerifyCert=false`
        const { result, lines } = yield* printed(Effect.scoped(connect(connectionString)))
        expect(result._tag).toBe("Right")
        expect(lines).toEqual([])
        expect(describeConnection(connectionString)).toBe(`${scheme}://db1:2113,db2:2114`)
      }
      expect(describeConnection(`nope://admin:${PASSWORD}@x`)).toBe(
        "a KurrentDB server (its connection string cannot be read)"
      )
    })
  )

  it.effect(
    "layerConfig reads KURRENTDB_CONNECTION_STRING, else EVENTSTORE_CONNECTION_STRING, and refuses the same way",
    () =>
      Effect.gen(function* () {
        const bad = `kurrentdb://admin:${PASSWORD}@host:2113?tls=false&bogusOption=1`
        const withConfig = (entries: ReadonlyArray<readonly [string, string]>) =>
          printed(
            Effect.scoped(Layer.build(layerConfig())).pipe(
              Effect.withConfigProvider(ConfigProvider.fromMap(new Map(entries)))
            )
          )
        const fromNew = yield* withConfig([["KURRENTDB_CONNECTION_STRING", bad]])
        expect(fromNew.lines).toEqual([])
        expect(fromNew.result._tag === "Left" && fromNew.result.left.message).toMatch(/unknown option "bogusOption"/)
        expect(JSON.stringify(fromNew.result)).not.toContain(PASSWORD)
        const fromOld = yield* withConfig([["EVENTSTORE_CONNECTION_STRING", bad]])
        expect(fromOld.result._tag === "Left" && fromOld.result.left.message).toMatch(/unknown option "bogusOption"/)
        // The new name wins when both are set.
        const both = yield* withConfig([
          ["KURRENTDB_CONNECTION_STRING", "kurrentdb://localhost:2113?tls=false"],
          ["EVENTSTORE_CONNECTION_STRING", bad]
        ])
        expect(both.result._tag).toBe("Right")
        const none = yield* withConfig([])
        expect(none.result._tag === "Left" && none.result.left._tag).toBe("ConfigError")
      })
  )

  it.scopedLive("with credentials and the client's debug log on, a server that does not answer shows no password", () =>
    Effect.gen(function* () {
      // The client logs through `debug` (namespace kdb): switched on, it logs the connection string it was given.
      const debug: { enable: (namespaces: string) => void; disable: () => string } = createRequire(
        createRequire(import.meta.url).resolve("@kurrent/kurrentdb-client")
      )("debug")
      debug.enable("kdb:*")
      yield* Effect.addFinalizer(() => Effect.sync(() => debug.disable()))
      const port = yield* closedPort
      const { result, lines } = yield* printed(
        Effect.scoped(
          Effect.gen(function* () {
            const context = yield* Layer.build(
              layer({
                connectionString: `kurrentdb://admin:${PASSWORD}@127.0.0.1:${port}?tls=false&defaultDeadline=2000`
              })
            )
            const store = Context.get(context, EventStore)
            // A write (grpc-js) and a read (the native bridge): both fail, neither shows the password.
            const appended = yield* Effect.either(store.append("unreachable-1", [event()], "no_stream"))
            expect(appended._tag === "Left" && appended.left._tag).toBe("EventStoreUnavailable")
            return yield* Stream.runCollect(store.readAll())
          })
        )
      )
      expect(result._tag === "Left" && result.left._tag).toBe("EventStoreUnavailable")
      // The debug log did print, the string it was given among it (without the password).
      expect(lines.join("\n")).toContain(`Using connection string: kurrentdb://127.0.0.1:${port}`)
      expect(lines.join("\n")).not.toContain(PASSWORD)
      expect(JSON.stringify(result)).not.toContain(PASSWORD)
    })
  )

  it.scoped("the client made from what the adapter read works, and carries the credentials as a provider", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const withEverything = server.connectionString.replace("esdb://", `kurrentdb://admin:${PASSWORD}@`)
      const context = yield* Layer.build(
        layer({ connectionString: `${withEverything}&connectionName=audit&keepAliveInterval=10000` })
      )
      const store = Context.get(context, EventStore)
      const { client } = Context.get(context, KurrentDBConnection)
      expect(yield* Effect.promise(async () => client.credentialsProvider?.())).toEqual({
        username: "admin",
        password: PASSWORD
      })
      expect(client.connectionName).toBe("audit")
      expect((yield* store.append("connection-1", [event()], "no_stream")).nextExpectedRevision).toBe(0n)
      expect(Array.from(yield* Stream.runCollect(store.readStream("connection-1")))).toHaveLength(1)
      // The client's rule: with a credentials provider, appends go over Append (one call each), not BatchAppend.
      expect(yield* server.callCount("Streams.Append")).toBe(1)
      expect(yield* server.callCount("Streams.BatchAppend")).toBe(0)
    }).pipe(Effect.provide(TestServer.layer()))
  )
})
