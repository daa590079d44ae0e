/**
 * The adapter's reads go through the client's native bridge (`@kurrent/bridge`), never through grpc-js: the test
 * server counts calls by the `user-agent` they carried, which grpc-js sends and the bridge does not. The conformance
 * suite's reads take the same path (conformance.test.ts checks its server's counts too).
 */
import { describe, expect, it } from "@effect/vitest"
import { EventStore, type ProposedEvent } from "@service-accounts/domain"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import { Chunk, Effect, Stream } from "effect"
import { onTestServer } from "./layers.js"
import { readsByAgent } from "./reads.js"

const event = (n: number): ProposedEvent => ({
  eventId: crypto.randomUUID(),
  type: "Counted",
  data: { n },
  metadata: {}
})

describe("reads through the native bridge", () => {
  it.scoped("every read of a stream or of $all, either way, from anywhere; subscriptions through grpc-js", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const server = yield* TestServer
      yield* store.append("bridge-1", [event(1), event(2), event(3)], "no_stream")
      const forwards = yield* Stream.runCollect(store.readStream("bridge-1"))
      const backwards = yield* Stream.runCollect(store.readStream("bridge-1", { direction: "backwards", from: 1n }))
      const all = yield* Stream.runCollect(store.readAll())
      const middle = Chunk.unsafeGet(all, 1).position
      const allBackwards = yield* Stream.runCollect(store.readAll({ direction: "backwards", from: middle }))
      expect(Chunk.map(forwards, (e) => e.revision)).toEqual(Chunk.make(0n, 1n, 2n))
      expect(Chunk.map(backwards, (e) => e.revision)).toEqual(Chunk.make(1n, 0n))
      expect(Chunk.size(all)).toBe(3)
      expect(Chunk.size(allBackwards)).toBe(2)
      const afterReads = yield* readsByAgent(server)
      // Five calls for four reads: a backwards read of $all from a position first reads the event at the position.
      expect(afterReads).toEqual({ grpcJs: 0, bridge: 5 })

      const live = yield* Stream.runCollect(Stream.take(store.subscribeToStream("bridge-1"), 3))
      expect(Chunk.size(live)).toBe(3)
      const afterSubscription = yield* readsByAgent(server)
      // The subscription itself is grpc-js's; it reads the stream's head first (to know when it caught up), through
      // the bridge.
      expect(afterSubscription).toEqual({ grpcJs: 1, bridge: 6 })
    }).pipe(Effect.provide(onTestServer()))
  )
})
