import { describe, expect, it, layer as withLayer } from "@effect/vitest"
import { END, jsonEvent, KurrentDBClient } from "@kurrent/kurrentdb-client"
import { EventStore, type ProposedEvent } from "@service-accounts/domain"
import { closedPort, TestServer } from "@service-accounts/eventstoredb-test-server"
import { Context, Effect, Exit, Layer, Schedule, Scope, Stream } from "effect"
import { KurrentDBConnection, layer } from "../src/index.js"
import { kurrentdb, onTestServer } from "./layers.js"

const event = (data: ProposedEvent["data"] = { ok: true }): ProposedEvent => ({
  eventId: crypto.randomUUID(),
  type: "Tested",
  data,
  metadata: {}
})

describe("an unreachable server", () => {
  it.scopedLive(
    "fails appends, reads through the bridge and (after their retries) subscriptions with EventStoreUnavailable",
    () =>
      Effect.gen(function* () {
        const port = yield* closedPort
        const built = yield* Layer.build(
          layer({
            connectionString: `kurrentdb://127.0.0.1:${port}?tls=false`,
            resubscribe: Schedule.spaced("10 millis").pipe(Schedule.intersect(Schedule.recurs(2)))
          })
        )
        const store = Context.get(built, EventStore)
        const appended = yield* Effect.flip(store.append("unreachable-1", [event()], "no_stream"))
        expect(appended).toMatchObject({ _tag: "EventStoreUnavailable", operation: "append", retryable: true })
        // No connection ever carried the call, so nothing can have been written.
        expect(appended._tag === "EventStoreUnavailable" && appended.unknownOutcome).toBe(false)
        const read = yield* Effect.flip(Stream.runCollect(store.readStream("unreachable-1")))
        expect(read).toMatchObject({ _tag: "EventStoreUnavailable", operation: "read", retryable: true })
        const all = yield* Effect.flip(Stream.runCollect(store.readAll()))
        expect(all).toMatchObject({ _tag: "EventStoreUnavailable", operation: "read", retryable: true })
        const subscribed = yield* Effect.flip(Stream.runCollect(store.subscribeToAll()))
        expect(subscribed).toMatchObject({ _tag: "EventStoreUnavailable", operation: "subscribe", retryable: true })
        expect(subscribed.message).toContain("gave up resubscribing")
      })
  )
})

withLayer(onTestServer({}, { maxAppendSize: 4096 }), { excludeTestServices: true })("a small server", (it) => {
  it.effect("an append over the server's maximum size is refused with a typed error and writes nothing", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const streamId = `oversize-${crypto.randomUUID()}`
      const error = yield* Effect.flip(store.append(streamId, [event({ blob: "x".repeat(8192) })], "no_stream"))
      expect(error).toMatchObject({ _tag: "EventStoreUnavailable", operation: "append", retryable: false })
      expect(error._tag === "EventStoreUnavailable" && error.unknownOutcome).toBe(false)
      expect(error.message).toContain("maximum append size (4096 bytes)")
      expect(yield* Stream.runCollect(store.readStream(streamId))).toHaveLength(0)
      expect((yield* store.append(streamId, [event()], "no_stream")).nextExpectedRevision).toBe(0n)
    })
  )
})

describe("the client's life", () => {
  it.scopedLive("a client the layer made is disposed when the layer's scope closes: its calls end", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const scope = yield* Scope.make()
      const built = yield* Layer.buildWithScope(layer({ connectionString: kurrentdb(server.connectionString) }), scope)
      const { client } = Context.get(built, KurrentDBConnection)
      const subscription = client.subscribeToAll()
      subscription.on("error", () => {})
      subscription.resume()
      yield* Effect.promise(() => new Promise((resolve) => subscription.once("confirmation", resolve)))
      const closed = new Promise((resolve) => subscription.once("close", resolve))
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
      const client = KurrentDBClient.connectionString(kurrentdb(server.connectionString))
      yield* Effect.addFinalizer(() => Effect.promise(() => client.dispose()))
      const scope = yield* Scope.make()
      const store = Context.get(yield* Layer.buildWithScope(layer({ client }), scope), EventStore)
      yield* store.append("caller-owned", [event()], "no_stream")
      yield* Scope.close(scope, Exit.void)
      // Disposing happens in the scope's finalizer, so by now a disposed client could neither append nor read.
      yield* Effect.promise(() => client.appendToStream("after-close", jsonEvent({ type: "Tested", data: {} })))
      const read = yield* Effect.promise(async () => {
        const events: Array<string> = []
        for await (const resolved of client.readStream("after-close", { fromRevision: END, direction: "backwards" })) {
          events.push(resolved.event?.type ?? "")
        }
        return events
      })
      expect(read).toEqual(["Tested"])
    }).pipe(Effect.provide(TestServer.layer()))
  )
})
