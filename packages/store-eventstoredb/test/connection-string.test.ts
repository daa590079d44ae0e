/**
 * Connection strings are read by the adapter before the client sees anything: an option the client does not know is
 * refused by name, and no output, log line or error ever carries the password, whatever the string and whatever
 * happens next (a malformed string, a bad value, a server that does not answer, the client's debug log switched on).
 */
import { createRequire } from "node:module"
import { EventStoreDBClient } from "@eventstore/db-client"
import { describe, expect, it } from "@effect/vitest"
import { EventStore, type ProposedEvent } from "@service-accounts/domain"
import { closedPort, TestServer } from "@service-accounts/eventstoredb-test-server"
import { ConfigProvider, Context, Effect, Layer, Redacted, Stream } from "effect"
import { describeConnection, layer, layerConfig } from "../src/index.js"

const PASSWORD = "Sup3r-S3cret-Pw"

/** Everything the process prints while `effect` runs: console calls and writes to standard output and error. */
const printed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const lines: Array<string> = []
      const methods = ["log", "info", "warn", "error", "debug", "trace"] as const
      const consoles = methods.map((name) => [name, console[name]] as const)
      for (const name of methods)
        console[name] = (...args: Array<unknown>) => void lines.push(args.map(String).join(" "))
      const out = process.stdout.write
      const err = process.stderr.write
      const capture = (chunk: unknown) => {
        lines.push(String(chunk))
        return true
      }
      process.stdout.write = capture as typeof process.stdout.write
      process.stderr.write = capture as typeof process.stderr.write
      return {
        lines,
        restore: () => {
          for (const [name, method] of consoles) console[name] = method
          process.stdout.write = out
          process.stderr.write = err
        }
      }
    }),
    ({ lines }) => Effect.map(Effect.either(effect), (result) => ({ result, lines })),
    ({ restore }) => Effect.sync(restore)
  )

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
      const message = yield* refusal(`esdb://admin:${PASSWORD}@host:2113?tls=false&bogusOption=1`)
      expect(message).toMatch(
        /^invalid EventStoreDB connection string: unknown option "bogusOption" \(the options are /
      )
      // The client itself prints the whole string for it (which is why it never sees the string).
      const warned: Array<string> = []
      const warn = console.warn
      console.warn = (...args: Array<unknown>) => void warned.push(args.map(String).join(" "))
      try {
        void EventStoreDBClient.connectionString(`esdb://admin:${PASSWORD}@host:2113?tls=false&bogusOption=1`)
      } finally {
        console.warn = warn
      }
      expect(warned.join("\n")).toContain(PASSWORD)
    })
  )

  it.effect("a malformed string or a bad value is refused without repeating any of it", () =>
    Effect.gen(function* () {
      const cases: ReadonlyArray<readonly [string, RegExp]> = [
        [`esdbx://admin:${PASSWORD}@localhost:2113`, /must start with esdb:\/\/ or esdb\+discover:\/\//],
        [`esdb://admin:${PASSWORD}@`, /expected a host/],
        [`esdb://admin:${PASSWORD}@localhost:21x3?tls=false`, /host 1 must be a host name and an optional port/],
        [`esdb://admin:${PASSWORD}@localhost:2113:1`, /host 1 must be/],
        [`esdb://admin:${PASSWORD}@localhost:2113?tls=maybe`, /tls must be true or false/],
        [`esdb://admin:${PASSWORD}@localhost:2113?tlsVerifyCert=false`, /tlsVerifyCert=false is not supported/],
        [`esdb://admin:${PASSWORD}@localhost:2113?nodePreference=${PASSWORD}`, /nodePreference must be leader/],
        [`esdb://admin:${PASSWORD}@localhost:2113?keepAliveTimeout=${PASSWORD}`, /keepAliveTimeout must be a whole/],
        [`esdb://admin:${PASSWORD}@localhost:2113?tls=false?x=1`, /expected &key=value at position/],
        [`esdb://admin:${PASSWORD}%zz@localhost:2113`, /not valid percent-encoding/],
        [
          `esdb://admin:${PASSWORD}@localhost:2113?tls=true&tlsCAFile=/nonexistent/${PASSWORD}.pem`,
          /tlsCAFile was not found/
        ]
      ]
      for (const [connectionString, reason] of cases) expect(yield* refusal(connectionString)).toMatch(reason)
    })
  )

  it("accepts what the client accepts, and the client takes each such string without a word", () => {
    const accepted = [
      "esdb://localhost",
      "esdb://localhost:2113?tls=false",
      `esdb://admin:${PASSWORD}@db1:2113,db2:2114,db3?tls=true&nodePreference=follower&keepAliveInterval=-1`,
      "esdb+discover://cluster.example.com:2113?maxDiscoverAttempts=3&gossipTimeout=5&Connection-Name=auditor",
      `esdb://admin:${encodeURIComponent("p@ss:w/rd")}@localhost:2113/?throwOnAppendFailure=false&defaultDeadline=100`
    ]
    for (const connectionString of accepted) {
      expect(describeConnection(connectionString)).not.toContain("admin")
      const warned: Array<string> = []
      const warn = console.warn
      console.warn = (...args: Array<unknown>) => void warned.push(args.map(String).join(" "))
      try {
        void EventStoreDBClient.connectionString(connectionString)
      } finally {
        console.warn = warn
      }
      expect(warned).toEqual([])
    }
    expect(describeConnection(`esdb://admin:${PASSWORD}@db1:2113,db2?tls=false`)).toBe("esdb://db1:2113,db2:2113")
    expect(describeConnection(Redacted.make(`esdb+discover://a:${PASSWORD}@c.example.com`))).toBe(
      "esdb+discover://c.example.com:2113"
    )
    expect(describeConnection(`nope://admin:${PASSWORD}@x`)).not.toContain(PASSWORD)
  })

  it.effect("layerConfig refuses the same way, and prints nothing", () =>
    Effect.gen(function* () {
      const bad = `esdb://admin:${PASSWORD}@host:2113?tls=false&bogusOption=1`
      const { result, lines } = yield* printed(
        Effect.scoped(Layer.build(layerConfig())).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["EVENTSTORE_CONNECTION_STRING", bad]])))
        )
      )
      expect(lines).toEqual([])
      expect(result._tag === "Left" && result.left.message).toMatch(/unknown option "bogusOption"/)
      expect(JSON.stringify(result)).not.toContain(PASSWORD)
    })
  )

  it.scopedLive("with credentials and the client's debug log on, a server that does not answer shows no password", () =>
    Effect.gen(function* () {
      // The client logs through `debug` (namespace esdb): switched on, it would log a string it was given.
      const debug: { enable: (namespaces: string) => void; disable: () => string } = createRequire(
        createRequire(import.meta.url).resolve("@eventstore/db-client")
      )("debug")
      debug.enable("esdb:*")
      yield* Effect.addFinalizer(() => Effect.sync(() => debug.disable()))
      const port = yield* closedPort
      const { result, lines } = yield* printed(
        Effect.scoped(
          Effect.gen(function* () {
            const context = yield* Layer.build(
              layer({ connectionString: `esdb://admin:${PASSWORD}@127.0.0.1:${port}?tls=false&defaultDeadline=2000` })
            )
            return yield* Stream.runCollect(Context.get(context, EventStore).readAll())
          })
        )
      )
      expect(result._tag === "Left" && result.left._tag).toBe("EventStoreUnavailable")
      // The debug log did print (so it would have shown the string had the client been given it).
      expect(lines.join("\n")).toContain("esdb:")
      expect(lines.join("\n")).not.toContain(PASSWORD)
      expect(JSON.stringify(result)).not.toContain(PASSWORD)
    })
  )

  it.scoped("the client made from what the adapter read works: credentials, options and all", () =>
    Effect.gen(function* () {
      const { connectionString } = yield* TestServer
      const withEverything = connectionString.replace("esdb://", `esdb://admin:${PASSWORD}@`)
      const context = yield* Layer.build(
        layer({
          connectionString: `${withEverything}&connectionName=audit&keepAliveInterval=10000&defaultDeadline=30000`
        })
      )
      const store = Context.get(context, EventStore)
      expect((yield* store.append("connection-1", [event()], "no_stream")).nextExpectedRevision).toBe(0n)
    }).pipe(Effect.provide(TestServer.layer()))
  )
})
