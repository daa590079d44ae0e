/**
 * Conformance cases for JSON round trips of data and metadata.
 *
 * @internal
 */

import { randomUUID } from "node:crypto"
import { describe, expect } from "@effect/vitest"
import { EventStore, type Json } from "@service-accounts/domain"
import { Effect } from "effect"
import {
  caughtUp,
  streamName,
  proposed,
  append,
  readStream,
  readAllOf,
  type ConformanceIt,
  type ConformanceContext
} from "./support.js"

export const dataCases = (it: ConformanceIt, context: ConformanceContext): void => {
  const { follow } = context
  describe("data", () => {
    const data: Json = {
      text: "plain",
      empty: "",
      unicode: "Grüße, 東京, Ελληνικά, עברית, नमस्ते, 👩‍💻, 𝄞",
      escapes: 'quote " backslash \\ slash / newline \n tab \t nul \u0000 separators \u2028\u2029',
      integers: [0, 1, -1, 42, 9_007_199_254_740_991, -9_007_199_254_740_991],
      fractions: [0.5, -0.25, Math.PI, 0.1, 1.5e-7, 6.02e23, 1e21],
      booleans: [true, false],
      nothing: null,
      emptyObject: {},
      emptyArray: [],
      nested: { level: { deeper: [{ deepest: [1, [2, [3, { four: "4" }]]] }] } },
      "key with spaces, ünïcödé and 🔑": "value",
      "": "the empty key"
    }
    const metadata = {
      correlationId: randomUUID(),
      actor: { userId: "user-1", role: "Administrator" },
      tags: ["a", "b"],
      weight: 1.5,
      note: "ünïcödé ✓"
    }

    it.scoped("data and metadata round-trip exactly through reads and subscriptions", () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const streamId = streamName("json")
        const event = proposed(data, metadata)
        const result = yield* append(streamId, [event], "no_stream")
        const [fromStream] = yield* readStream(streamId)
        expect(fromStream?.data).toStrictEqual(data)
        expect(fromStream?.metadata).toStrictEqual(metadata)
        const [fromAll] = yield* readAllOf([streamId], 1, { from: result.position })
        expect(fromAll?.data).toStrictEqual(data)
        expect(fromAll?.metadata).toStrictEqual(metadata)
        const subscriber = yield* follow(store.subscribeToStream(streamId), [streamId], (recorded) => recorded)
        const [delivered] = yield* subscriber.take(1)
        expect(delivered === caughtUp ? delivered : [delivered?.data, delivered?.metadata]).toStrictEqual([
          data,
          metadata
        ])
      })
    )

    it.effect("data that is not an object round-trips too", () =>
      Effect.gen(function* () {
        const streamId = streamName("json-scalars")
        const values: ReadonlyArray<Json> = ["a string", 42, -0.5, true, null, [1, "two", { three: 3 }], []]
        yield* append(
          streamId,
          values.map((value) => proposed(value)),
          "no_stream"
        )
        expect((yield* readStream(streamId)).map((event) => event.data)).toStrictEqual(values)
      })
    )
  })
}
