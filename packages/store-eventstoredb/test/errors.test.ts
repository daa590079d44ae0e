import { type AllStreamResolvedEvent, binaryEvent, END, jsonEvent } from "@eventstore/db-client"
import { describe, expect, it, layer as withLayer } from "@effect/vitest"
import { EventStore, type ProposedEvent, type ReadError, Token, decode } from "@service-accounts/domain"
import { closedPort, TestServer } from "@service-accounts/eventstoredb-test-server"
import { Chunk, ConfigProvider, Context, Effect, Either, Exit, Layer, Schedule, Scope, Stream } from "effect"
import { EventStoreDBConnection, layer, layerConfig } from "../src/index.js"
import { onTestServer } from "./layers.js"
import { rawAppend } from "./raw.js"

const event = (data: ProposedEvent["data"] = { ok: true }): ProposedEvent => ({
  eventId: crypto.randomUUID(),
  type: "Tested",
  data,
  metadata: {}
})

const storeOf = (built: Context.Context<EventStore>) => Context.get(built, EventStore)

describe("an unreachable server", () => {
  it.scopedLive(
    "fails appends, reads and (after its retries) subscriptions with EventStoreUnavailable, retryable",
    () =>
      Effect.gen(function* () {
        const port = yield* closedPort
        const store = storeOf(
          yield* Layer.build(
            layer({
              connectionString: `esdb://127.0.0.1:${port}?tls=false`,
              resubscribe: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
            })
          )
        )
        const appended = yield* Effect.flip(store.append("unreachable-1", [event()], "no_stream"))
        expect(appended).toMatchObject({ _tag: "EventStoreUnavailable", operation: "append", retryable: true })
        // No connection ever carried the call, so nothing can have been written.
        expect(appended._tag === "EventStoreUnavailable" && appended.unknownOutcome).toBe(false)
        const read = yield* Effect.flip(Stream.runCollect(store.readStream("unreachable-1")))
        expect(read).toMatchObject({ _tag: "EventStoreUnavailable", operation: "read", retryable: true })
        const all = yield* Effect.flip(Stream.runCollect(store.readAll()))
        expect(all._tag).toBe("EventStoreUnavailable")
        // Subscriptions retry by the schedule (here: twice), then give up.
        const subscribed = yield* Effect.flip(Stream.runCollect(store.subscribeToAll()))
        expect(subscribed).toMatchObject({ _tag: "EventStoreUnavailable", operation: "subscribe", retryable: true })
        expect(subscribed.message).toContain("gave up resubscribing")
      })
  )
})

describe("connection strings", () => {
  it.scoped("a malformed one fails the layer with InvalidConnectionString, without repeating it", () =>
    Effect.gen(function* () {
      const error = yield* Effect.flip(Layer.build(layer({ connectionString: "esdbx://admin:hunter2@localhost:2113" })))
      expect(error._tag).toBe("InvalidConnectionString")
      expect(error.message).not.toContain("hunter2")
      expect(error.message).toContain("must start with esdb:// or esdb+discover://")
    })
  )

  it.scoped("a password the parser stopped at is not in the reason, nor an option the client does not know", () =>
    Effect.gen(function* () {
      // A forgotten `@`: the password reads as a port (the client quoted it in its error).
      const noAt = yield* Effect.flip(Layer.build(layer({ connectionString: "esdb://admin:hunter2.example" })))
      expect(noAt.message).toBe(
        "invalid EventStoreDB connection string: host 1 must be a host name and an optional port (1–65535)"
      )
      // The client would print the whole string to the console for an option it does not know.
      const unknown = yield* Effect.flip(
        Layer.build(layer({ connectionString: "esdb://admin:hunter2@localhost:2113?tls=false&tlsVerfyCert=false" }))
      )
      expect(unknown.message).toContain('unknown option "tlsVerfyCert"')
      expect(unknown.message).not.toContain("hunter2")
    })
  )

  it.scoped("layerConfig reads EVENTSTORE_CONNECTION_STRING, and fails with a ConfigError without it", () =>
    Effect.gen(function* () {
      const missing = yield* Effect.flip(
        Layer.build(layerConfig()).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(new Map())))
      )
      expect(missing._tag).not.toBe("InvalidConnectionString")
      const { connectionString } = yield* TestServer
      const store = storeOf(
        yield* Layer.build(layerConfig()).pipe(
          Effect.withConfigProvider(
            ConfigProvider.fromMap(new Map([["EVENTSTORE_CONNECTION_STRING", connectionString]]))
          )
        )
      )
      expect((yield* store.append("config-1", [event()], "no_stream")).nextExpectedRevision).toBe(0n)
    }).pipe(Effect.provide(TestServer.layer()))
  )
})

withLayer(onTestServer({}, { maxAppendSize: 4096 }), { excludeTestServices: true })("stored events", (it) => {
  const collectEither = <A, E>(stream: Stream.Stream<A, E>) =>
    Stream.runCollect(Stream.either(stream)).pipe(Effect.map(Chunk.toReadonlyArray))

  it.effect("a binary event is a CorruptStoredEvent naming stream and revision, after the events before it", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const { client } = yield* EventStoreDBConnection
      const streamId = `corrupt-binary-${crypto.randomUUID()}`
      const first = yield* store.append(streamId, [event()], "no_stream")
      yield* Effect.promise(() =>
        client.appendToStream(streamId, binaryEvent({ type: "Tested", data: new Uint8Array([0xde, 0xad]) }))
      )
      const read = yield* collectEither(store.readStream(streamId))
      expect(read.map(Either.isRight)).toEqual([true, false])
      const failure = read[1]
      expect(failure !== undefined && Either.isLeft(failure) ? failure.left : undefined).toMatchObject({
        _tag: "CorruptStoredEvent",
        streamId,
        revision: 1n
      })
      const all = yield* collectEither(store.readAll({ from: first.position }))
      expect(all.filter(Either.isLeft).map((e) => e.left)).toMatchObject([
        { _tag: "CorruptStoredEvent", streamId, revision: 1n }
      ])
      const subscribed = yield* collectEither(store.subscribeToStream(streamId))
      expect(subscribed.map((e) => (Either.isRight(e) ? e.right._tag : e.left._tag))).toEqual([
        "Event",
        "CorruptStoredEvent"
      ])
      const fromAll = yield* collectEither(store.subscribeToAll({ from: first.position }).pipe(Stream.take(10)))
      expect(fromAll.filter(Either.isLeft).map((e) => e.left)).toMatchObject([
        { _tag: "CorruptStoredEvent", streamId, revision: 1n }
      ])
    })
  )

  it.effect("a corrupt event in a stream whose name holds a token value never repeats it", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const { client } = yield* EventStoreDBConnection
      const secret = Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))
      const streamId = `corrupt-${secret}`
      const first = yield* store.append(streamId, [event()], "no_stream")
      yield* Effect.promise(() =>
        client.appendToStream(streamId, binaryEvent({ type: secret, data: new Uint8Array([0xde, 0xad]) }))
      )
      const failures = <A>(read: ReadonlyArray<Either.Either<A, ReadError>>) =>
        read.flatMap((e) => (Either.isLeft(e) ? [e.left] : []))
      const errors = [
        ...failures(yield* collectEither(store.readStream(streamId))),
        ...failures(yield* collectEither(store.readAll({ from: first.position }))),
        ...failures(yield* collectEither(store.subscribeToStream(streamId)))
      ]
      expect(errors.map((error) => [error._tag, error._tag === "CorruptStoredEvent" && error.streamId])).toEqual([
        ["CorruptStoredEvent", "corrupt-[REDACTED]"],
        ["CorruptStoredEvent", "corrupt-[REDACTED]"],
        ["CorruptStoredEvent", "corrupt-[REDACTED]"]
      ])
      for (const error of errors) {
        const json = JSON.stringify(error, (_k, v: unknown) => (typeof v === "bigint" ? String(v) : v))
        for (const text of [error.message, String(error), json]) expect(Token.findTokens(text)).toEqual([])
      }
    })
  )

  it.effect("metadata that is not a JSON object is a CorruptStoredEvent", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const { client } = yield* EventStoreDBConnection
      const notJson = `corrupt-metadata-${crypto.randomUUID()}`
      yield* Effect.promise(() =>
        client.appendToStream(
          notJson,
          jsonEvent({ type: "Tested", data: {}, metadata: new TextEncoder().encode("{not json") })
        )
      )
      expect(yield* Effect.flip(Stream.runCollect(store.readStream(notJson)))).toMatchObject({
        _tag: "CorruptStoredEvent",
        streamId: notJson,
        revision: 0n
      })
      const array = `corrupt-metadata-array-${crypto.randomUUID()}`
      yield* Effect.promise(() =>
        client.appendToStream(array, jsonEvent({ type: "Tested", data: {}, metadata: ["not", "an", "object"] }))
      )
      const error = yield* Effect.flip(Stream.runCollect(store.readStream(array)))
      expect(error).toMatchObject({ _tag: "CorruptStoredEvent", streamId: array, revision: 0n })
      expect(error.message).toContain("metadata is not a JSON object")
    })
  )

  it.effect("data that is not JSON, under application/json, reaches the domain's decoder, which names it", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const { port } = yield* TestServer
      const streamId = `serviceAccountDirectory-corrupt-${crypto.randomUUID()}`
      yield* Effect.promise(() =>
        rawAppend(port, streamId, {
          type: "ServiceAccountCreated",
          contentType: "application/json",
          data: "{not json",
          metadata: "{}"
        })
      )
      // The client hands such bytes out as text, which cannot be told from a JSON string through it.
      const [recorded] = yield* Stream.runCollect(store.readStream(streamId)).pipe(Effect.map(Chunk.toReadonlyArray))
      expect(recorded?.data).toBe("{not json")
      const decoded = recorded === undefined ? undefined : decode(recorded)
      expect(decoded !== undefined && Either.isLeft(decoded) ? decoded.left : undefined).toMatchObject({
        _tag: "CorruptStoredEvent",
        streamId,
        revision: 0n
      })
    })
  )

  it.effect("an append over the server's maximum size is refused with a typed error and writes nothing", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const streamId = `oversize-${crypto.randomUUID()}`
      const error = yield* Effect.flip(store.append(streamId, [event({ blob: "x".repeat(8192) })], "no_stream"))
      expect(error).toMatchObject({ _tag: "EventStoreUnavailable", operation: "append", retryable: false })
      expect(error._tag === "EventStoreUnavailable" && error.unknownOutcome).toBe(false)
      expect(error.message).toContain("maximum append size (4096 bytes)")
      expect(yield* Stream.runCollect(store.readStream(streamId))).toHaveLength(0)
      // A smaller append to the same stream then goes through.
      expect((yield* store.append(streamId, [event()], "no_stream")).nextExpectedRevision).toBe(0n)
    })
  )
})

describe("the client's life", () => {
  it.scopedLive("a client the layer made is disposed when the layer's scope closes: its calls end", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const scope = yield* Scope.make()
      const built = yield* Layer.buildWithScope(layer({ connectionString: server.connectionString }), scope)
      const { client } = Context.get(built, EventStoreDBConnection)
      const subscription = client.subscribeToAll()
      subscription.on("error", () => {})
      subscription.resume()
      yield* Effect.promise(() => new Promise((resolve) => subscription.once("confirmation", resolve)))
      expect(yield* server.dropSubscriptions("end")).toBe(1)
      const second = client.subscribeToAll()
      second.on("error", () => {})
      second.resume()
      yield* Effect.promise(() => new Promise((resolve) => second.once("confirmation", resolve)))
      const closed = new Promise((resolve) => second.once("close", resolve))
      yield* Scope.close(scope, Exit.void)
      yield* Effect.promise(() => closed)
      // The server learns of the cancelled call a moment later. Counted, not dropped: dropping would end the call
      // whether or not the client had.
      yield* server.openSubscriptions.pipe(
        Effect.repeat({ until: (open) => open === 0, schedule: Schedule.spaced("10 millis") }),
        Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the subscription stayed open") })
      )
    }).pipe(Effect.provide(TestServer.layer()))
  )

  it.scopedLive("a client passed in stays the caller's: the layer does not dispose it", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const { EventStoreDBClient } = yield* Effect.promise(() => import("@eventstore/db-client"))
      const client = EventStoreDBClient.connectionString(server.connectionString)
      yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
      const scope = yield* Scope.make()
      const store = storeOf(yield* Layer.buildWithScope(layer({ client }), scope))
      yield* store.append("caller-owned", [event()], "no_stream")
      const subscription = client.subscribeToAll({ fromPosition: END })
      subscription.on("error", () => {})
      const delivered: Array<string> = []
      subscription.on("data", (resolved: AllStreamResolvedEvent) => {
        if (resolved.event !== undefined) delivered.push(resolved.event.streamId)
      })
      yield* Effect.promise(() => new Promise((resolve) => subscription.once("caughtUp", resolve)))
      yield* Scope.close(scope, Exit.void)
      // Disposing happens in the scope's finalizer, so by now a disposed client could neither append nor deliver.
      yield* Effect.promise(() => client.appendToStream("after-close", jsonEvent({ type: "Tested", data: {} })))
      yield* Effect.sync(() => delivered).pipe(
        Effect.repeat({ until: (streams) => streams.includes("after-close"), schedule: Schedule.spaced("10 millis") }),
        Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the subscription delivered nothing") })
      )
      expect(yield* server.openSubscriptions).toBe(1)
    }).pipe(Effect.provide(TestServer.layer()))
  )
})
