import { expect, layer as withLayer } from "@effect/vitest"
import { Checkpoints, EventStore, Token } from "@service-accounts/domain"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { CHECKPOINT_EVENT_TYPE, EventStoreDBConnection, checkpointStream, layerCheckpoints } from "../src/index.js"
import { jsonEvent } from "@eventstore/db-client"
import { onTestServer } from "./layers.js"

withLayer(layerCheckpoints.pipe(Layer.provideMerge(onTestServer())), { excludeTestServices: true })(
  "checkpoints in EventStoreDB",
  (it) => {
    it.effect("a runner without a checkpoint loads none; a saved one loads back, the latest first", () =>
      Effect.gen(function* () {
        const checkpoints = yield* Checkpoints
        const name = `cp-${crypto.randomUUID()}`
        expect(yield* checkpoints.load(name)).toEqual(Option.none())
        yield* checkpoints.save(name, 42n)
        expect(yield* checkpoints.load(name)).toEqual(Option.some(42n))
        yield* checkpoints.save(name, 9_007_199_254_740_993n)
        expect(yield* checkpoints.load(name)).toEqual(Option.some(9_007_199_254_740_993n))
        // Another runner's checkpoints are its own.
        expect(yield* checkpoints.load(`${name}-other`)).toEqual(Option.none())
      })
    )

    it.effect("they live in serviceAccountCheckpoint-<name>, keep a few events, and no reader of $all sees them", () =>
      Effect.gen(function* () {
        const checkpoints = yield* Checkpoints
        const store = yield* EventStore
        const { client } = yield* EventStoreDBConnection
        const name = `cp-${crypto.randomUUID()}`
        const marker = yield* store.append(
          `cp-marker-${crypto.randomUUID()}`,
          [{ eventId: crypto.randomUUID(), type: "Marker", data: {}, metadata: {} }],
          "no_stream"
        )
        for (let position = 1n; position <= 8n; position++) yield* checkpoints.save(name, position)
        const stored = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readStream(checkpointStream(name))))
        expect(stored.map((event) => event.type)).toEqual(stored.map(() => CHECKPOINT_EVENT_TYPE))
        expect(stored.map((event) => event.data)).toEqual([
          { position: "4" },
          { position: "5" },
          { position: "6" },
          { position: "7" },
          { position: "8" }
        ])
        const metadata = yield* Effect.promise(() => client.getStreamMetadata(checkpointStream(name)))
        expect(metadata.metadata?.maxCount).toBe(5)
        const all = yield* Stream.runCollect(store.readAll({ from: marker.position }))
        expect(Chunk.toReadonlyArray(all).map((event) => event.streamId)).not.toContain(checkpointStream(name))
        const subscribed = yield* store.subscribeToAll({ from: marker.position }).pipe(
          Stream.takeUntil((message) => message._tag === "CaughtUp"),
          Stream.runCollect
        )
        expect(
          Chunk.toReadonlyArray(subscribed).flatMap((m) => (m._tag === "Event" ? [m.event.streamId] : []))
        ).not.toContain(checkpointStream(name))
      })
    )

    it.effect("a checkpoint that does not hold a position is a CorruptStoredEvent", () =>
      Effect.gen(function* () {
        const checkpoints = yield* Checkpoints
        const { client } = yield* EventStoreDBConnection
        const name = `cp-${crypto.randomUUID()}`
        yield* Effect.promise(() =>
          client.appendToStream(
            checkpointStream(name),
            jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: { position: 7 } })
          )
        )
        const error = yield* Effect.flip(checkpoints.load(name))
        expect(error).toMatchObject({ _tag: "CorruptStoredEvent", streamId: checkpointStream(name), revision: 0n })
      })
    )

    it.effect("a corrupt checkpoint of a runner whose name holds a token value does not repeat it", () =>
      Effect.gen(function* () {
        const checkpoints = yield* Checkpoints
        const { client } = yield* EventStoreDBConnection
        const secret = Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))
        const name = `cp-${secret}`
        yield* Effect.promise(() =>
          client.appendToStream(checkpointStream(name), jsonEvent({ type: CHECKPOINT_EVENT_TYPE, data: {} }))
        )
        const error = yield* Effect.flip(checkpoints.load(name))
        expect(error).toMatchObject({ _tag: "CorruptStoredEvent", streamId: checkpointStream("cp-[REDACTED]") })
        for (const text of [
          error.message,
          String(error),
          JSON.stringify(error, (_k, v) => (typeof v === "bigint" ? String(v) : v))
        ]) {
          expect(Token.findTokens(text)).toEqual([])
        }
      })
    )
  }
)
