import { expect, layer as withLayer } from "@effect/vitest"
import { Checkpoints, EventStore } from "@service-accounts/domain"
import { Chunk, Effect, Layer, Option, Stream } from "effect"
import { CHECKPOINT_EVENT_TYPE, checkpointStream, KurrentDBConnection, layerCheckpoints } from "../src/index.js"
import { onTestServer } from "./layers.js"

withLayer(layerCheckpoints.pipe(Layer.provideMerge(onTestServer())), { excludeTestServices: true })(
  "checkpoints in KurrentDB",
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
        expect(yield* checkpoints.load(`${name}-other`)).toEqual(Option.none())
      })
    )

    it.effect("they live in serviceAccountCheckpoint-<name>, keep a few events, and no reader of $all sees them", () =>
      Effect.gen(function* () {
        const checkpoints = yield* Checkpoints
        const store = yield* EventStore
        const { client } = yield* KurrentDBConnection
        const name = `cp-${crypto.randomUUID()}`
        const marker = yield* store.append(
          `cp-marker-${crypto.randomUUID()}`,
          [{ eventId: crypto.randomUUID(), type: "Marker", data: {}, metadata: {} }],
          "no_stream"
        )
        for (let position = 1n; position <= 8n; position++) yield* checkpoints.save(name, position)
        const stored = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readStream(checkpointStream(name))))
        expect(checkpointStream(name)).toBe(`serviceAccountCheckpoint-${name}`)
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
  }
)
