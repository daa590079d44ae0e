import {
  type AppendExpectedRevision,
  binaryEvent,
  jsonEvent,
  MaxAppendSizeExceededError,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError
} from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { clientFor, collect, events, harness, n, rejection } from "./helpers.js"

const ONE_MIB = 1024 * 1024

// Every append fact holds on both paths: BatchAppend (advertised, the production path) and plain Append.
describe.each([
  { path: "BatchAppend", serverFeatures: "advertised" as const },
  { path: "Append", serverFeatures: "unimplemented" as const }
])("appends through $path", ({ path, serverFeatures }) => {
  const setup = async () => {
    const h = await harness({ serverFeatures })
    return {
      ...h,
      check: () =>
        expect(h.server.callCount(`Streams.${path}` as "Streams.Append" | "Streams.BatchAppend")).toBeGreaterThan(0)
    }
  }

  const wrongVersion = async (promise: Promise<unknown>) => {
    const error = await rejection(promise)
    expect(error).toBeInstanceOf(WrongExpectedVersionError)
    if (!(error instanceof WrongExpectedVersionError)) throw error
    return { streamName: error.streamName, expected: error.expectedVersion, actual: error.actualVersion }
  }

  it("no_stream creates a stream and refuses an existing one", async () => {
    const { client, check } = await setup()
    const first = await client.appendToStream("s", events(2), { expectedRevision: "no_stream" })
    expect(first).toMatchObject({ success: true, nextExpectedRevision: 1n })
    expect(await wrongVersion(client.appendToStream("s", events(1), { expectedRevision: "no_stream" }))).toEqual({
      streamName: "s",
      expected: "no_stream",
      actual: 1n
    })
    check()
  })

  it("any appends whatever the stream's state", async () => {
    const { client } = await setup()
    expect(await client.appendToStream("s", events(1), { expectedRevision: "any" })).toMatchObject({
      nextExpectedRevision: 0n
    })
    expect(await client.appendToStream("s", events(3))).toMatchObject({ nextExpectedRevision: 3n })
  })

  it("stream_exists needs the stream (or its metadata) to exist", async () => {
    const { client } = await setup()
    expect(await wrongVersion(client.appendToStream("s", events(1), { expectedRevision: "stream_exists" }))).toEqual({
      streamName: "s",
      expected: "stream_exists",
      actual: "no_stream"
    })
    await client.appendToStream("s", events(1))
    expect(await client.appendToStream("s", events(1), { expectedRevision: "stream_exists" })).toMatchObject({
      nextExpectedRevision: 1n
    })
    await client.setStreamMetadata("only-metadata", { custom: true })
    expect(
      await client.appendToStream("only-metadata", events(1), { expectedRevision: "stream_exists" })
    ).toMatchObject({ nextExpectedRevision: 0n })
  })

  it("an exact revision must be the stream's last revision", async () => {
    const { client } = await setup()
    expect(await wrongVersion(client.appendToStream("s", events(1), { expectedRevision: 0n }))).toEqual({
      streamName: "s",
      expected: 0n,
      actual: "no_stream"
    })
    await client.appendToStream("s", events(3))
    expect(await wrongVersion(client.appendToStream("s", events(1), { expectedRevision: 1n }))).toEqual({
      streamName: "s",
      expected: 1n,
      actual: 2n
    })
    expect(await wrongVersion(client.appendToStream("s", events(1), { expectedRevision: 5n }))).toEqual({
      streamName: "s",
      expected: 5n,
      actual: 2n
    })
    expect(await client.appendToStream("s", events(2), { expectedRevision: 2n })).toMatchObject({
      nextExpectedRevision: 4n
    })
    expect((await collect(client.readStream("s"))).map((e) => e.event?.revision)).toEqual([0n, 1n, 2n, 3n, 4n])
  })

  it("returns $all positions that increase strictly and match the events read back", async () => {
    const { client } = await setup()
    const a = await client.appendToStream("a", events(1))
    const b = await client.appendToStream("b", events(2))
    if (a.position === undefined || b.position === undefined) throw new Error("no position")
    expect(a.position.commit).toBeGreaterThanOrEqual(a.position.prepare)
    expect(b.position.commit).toBeGreaterThan(a.position.commit)
    const [readBack] = await collect(client.readStream("a"))
    expect(readBack?.event?.position).toEqual(a.position)
  })

  it.each<{ expectedRevision: AppendExpectedRevision; label: string }>([
    { label: "no_stream", expectedRevision: "no_stream" },
    { label: "any", expectedRevision: "any" }
  ])(
    "is idempotent: re-sending the same event ids with $label returns the original revision",
    async ({ expectedRevision }) => {
      const { client } = await setup()
      const batch = events(3)
      const first = await client.appendToStream("s", batch, { expectedRevision })
      const again = await client.appendToStream("s", batch, { expectedRevision })
      expect(again).toEqual(first)
      expect(await collect(client.readStream("s"))).toHaveLength(3)
    }
  )

  it("is idempotent with an exact revision, even after later appends", async () => {
    const { client } = await setup()
    await client.appendToStream("s", events(2))
    const batch = events(2, "Later")
    const first = await client.appendToStream("s", batch, { expectedRevision: 1n })
    await client.appendToStream("s", events(1, "Even later"))
    const again = await client.appendToStream("s", batch, { expectedRevision: 1n })
    expect(again.nextExpectedRevision).toBe(first.nextExpectedRevision)
    expect(again.nextExpectedRevision).toBe(3n)
    expect(await collect(client.readStream("s"))).toHaveLength(5)
  })

  it("refuses a partial overlap of already-written event ids as a wrong expected version", async () => {
    const { client } = await setup()
    const batch = events(2)
    await client.appendToStream("s", batch, { expectedRevision: "no_stream" })
    const [firstEvent] = batch
    if (firstEvent === undefined) throw new Error("no event")
    const overlap = [firstEvent, ...events(1, "New")]
    expect(await wrongVersion(client.appendToStream("s", overlap, { expectedRevision: "no_stream" }))).toEqual({
      streamName: "s",
      expected: "no_stream",
      actual: 1n
    })
    expect(await collect(client.readStream("s"))).toHaveLength(2)
  })

  it("refuses an append larger than 1 MiB and writes nothing of it", async () => {
    const { client } = await setup()
    const big = binaryEvent({ type: "Big", data: new Uint8Array(ONE_MIB) })
    const error = await rejection(client.appendToStream("s", [jsonEvent({ type: "Small", data: {} }), big]))
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError)
    if (error instanceof MaxAppendSizeExceededError) expect(error.maxAppendSize).toBe(ONE_MIB)
    expect(await rejection(collect(client.readStream("s")))).toBeInstanceOf(StreamNotFoundError)
    // Just under the limit (data + metadata + 2 bytes per type character) is fine.
    const fits = binaryEvent({ type: "Fits", data: new Uint8Array(ONE_MIB - 8) })
    expect(await client.appendToStream("s", fits)).toMatchObject({ nextExpectedRevision: 0n })
  })

  it("honours a smaller maximum append size", async () => {
    const { client } = await harness({ serverFeatures, maxAppendSize: 100 })
    const error = await rejection(client.appendToStream("s", binaryEvent({ type: "T", data: new Uint8Array(99) })))
    expect(error).toBeInstanceOf(MaxAppendSizeExceededError)
    if (error instanceof MaxAppendSizeExceededError) expect(error.maxAppendSize).toBe(100)
  })

  it("refuses any append to a tombstoned stream with StreamDeletedError", async () => {
    const { client } = await setup()
    await client.appendToStream("s", events(1))
    await client.tombstoneStream("s")
    for (const expectedRevision of ["any", "no_stream", "stream_exists", 0n] as const) {
      const error = await rejection(client.appendToStream("s", events(1), { expectedRevision }))
      expect(error).toBeInstanceOf(StreamDeletedError)
      if (error instanceof StreamDeletedError) expect(error.streamName).toBe("s")
    }
  })

  it("refuses stream_exists on a soft-deleted stream with StreamDeletedError", async () => {
    const { client } = await setup()
    await client.appendToStream("s", events(1))
    await client.deleteStream("s")
    expect(
      await rejection(client.appendToStream("s", events(1), { expectedRevision: "stream_exists" }))
    ).toBeInstanceOf(StreamDeletedError)
  })

  it("answers success: false instead of throwing when the client asks so", async () => {
    const { server } = await setup()
    const client = clientFor(server, { throwOnAppendFailure: false })
    await client.appendToStream("s", events(1))
    const result = await client.appendToStream("s", events(1), { expectedRevision: "no_stream" })
    expect(result.success).toBe(false)
    expect(result.position).toBeUndefined()
  })

  it("keeps JSON and binary data, metadata, types and ids", async () => {
    const { client } = await setup()
    const json = jsonEvent({
      id: "4b2d9e5c-3f0a-4c1e-9a77-0d1e2f3a4b5c",
      type: "Json",
      data: { a: [1, "two"] },
      metadata: { by: "me" }
    })
    const binary = binaryEvent({ type: "Binary", data: new Uint8Array([0, 1, 255]), metadata: new Uint8Array([7]) })
    await client.appendToStream("s", [json, binary])
    const [first, second] = await collect(client.readStream("s"))
    expect(first?.event).toMatchObject({
      id: json.id,
      type: "Json",
      isJson: true,
      data: { a: [1, "two"] },
      metadata: { by: "me" },
      streamId: "s",
      revision: 0n
    })
    expect(second?.event).toMatchObject({ type: "Binary", isJson: false, revision: 1n })
    expect(Array.from(second?.event?.data instanceof Uint8Array ? second.event.data : [])).toEqual([0, 1, 255])
    expect(second?.event?.metadata).toEqual(new Uint8Array([7]))
  })
})

describe("BatchAppend specifics", () => {
  it("accepts an append the client cuts into several requests, atomically", async () => {
    const { client, server } = await harness()
    const many = events(40)
    const result = await client.appendToStream("s", many, { batchAppendSize: 256 })
    expect(result.nextExpectedRevision).toBe(39n)
    const read = await collect(client.readStream("s"))
    expect(read.map(n)).toEqual(many.map((_, i) => i))
    expect(server.callCount("Streams.BatchAppend")).toBe(1)
  })

  it("keeps concurrent appends on the one call apart", async () => {
    const { client } = await harness()
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => client.appendToStream(`concurrent-${i % 4}`, events(1, "C", i)))
    )
    expect(results.every((r) => r.success)).toBe(true)
    for (let stream = 0; stream < 4; stream++) {
      expect(await collect(client.readStream(`concurrent-${stream}`))).toHaveLength(5)
    }
  })
})
