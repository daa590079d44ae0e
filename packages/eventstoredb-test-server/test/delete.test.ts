import {
  BACKWARDS,
  END,
  START,
  StreamDeletedError,
  StreamNotFoundError,
  WrongExpectedVersionError
} from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { collect, events, harness, n, rejection } from "./helpers.js"

const DELETED = 9223372036854775807n

const wrongVersion = async (promise: Promise<unknown>) => {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(WrongExpectedVersionError)
  if (!(error instanceof WrongExpectedVersionError)) throw error
  return { streamName: error.streamName, expected: error.expectedVersion, actual: error.actualVersion }
}

const deleted = async (promise: Promise<unknown>, streamName: string) => {
  const error = await rejection(promise)
  expect(error).toBeInstanceOf(StreamDeletedError)
  if (error instanceof StreamDeletedError) expect(error.streamName).toBe(streamName)
}

describe("soft delete", () => {
  it("writes $metadata {$tb: long.MaxValue} to $$<stream>; reads then fail with StreamNotFoundError", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(3))
    const result = await client.deleteStream("s")
    expect(result.position?.commit).toBeGreaterThan(0n)

    expect(await rejection(collect(client.readStream("s")))).toBeInstanceOf(StreamNotFoundError)
    const [metadata] = await collect(client.readStream("$$s", { direction: BACKWARDS, fromRevision: END, maxCount: 1 }))
    expect(metadata?.event?.type).toBe("$metadata")
    expect(metadata?.event?.position).toEqual(result.position)
    const { metadata: read } = await client.getStreamMetadata("s")
    expect(read?.truncateBefore).toBe(Number(DELETED))
  })

  it("keeps other metadata when it adds $tb", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(1))
    await client.setStreamMetadata("s", { maxCount: 50, owner: "team" })
    await client.deleteStream("s")
    const { metadata } = await client.getStreamMetadata("s")
    expect(metadata).toMatchObject({ maxCount: 50, owner: "team", truncateBefore: Number(DELETED) })
  })

  it("lets a no_stream append recreate the stream, continuing from the last revision + 1", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(3))
    await client.deleteStream("s")
    const again = await client.appendToStream("s", events(2, "Again", 3), { expectedRevision: "no_stream" })
    expect(again.nextExpectedRevision).toBe(4n)
    const read = await collect(client.readStream("s"))
    expect(read.map((e) => e.event?.revision)).toEqual([3n, 4n])
    expect(read.map(n)).toEqual([3, 4])
    expect((await client.getStreamMetadata("s")).metadata?.truncateBefore).toBe(3)
  })

  it("lets an any append, or one at the last revision, recreate it too", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(2))
    await client.deleteStream("a")
    expect((await client.appendToStream("a", events(1), { expectedRevision: "any" })).nextExpectedRevision).toBe(2n)
    await client.appendToStream("b", events(2))
    await client.deleteStream("b")
    expect((await client.appendToStream("b", events(1), { expectedRevision: 1n })).nextExpectedRevision).toBe(2n)
    expect((await collect(client.readStream("b"))).map((e) => e.event?.revision)).toEqual([2n])
  })

  it("refuses a stream with neither events nor metadata, even with any", async () => {
    const { client } = await harness()
    expect(await wrongVersion(client.deleteStream("never-written"))).toEqual({
      streamName: "never-written",
      expected: -2n,
      actual: -1n
    })
    expect(await wrongVersion(client.deleteStream("never-written", { expectedRevision: "no_stream" }))).toEqual({
      streamName: "never-written",
      expected: -1n,
      actual: -1n
    })
  })

  it("deletes a stream that has only metadata", async () => {
    const { client } = await harness()
    await client.setStreamMetadata("meta-only", { custom: 1 })
    await client.deleteStream("meta-only")
    expect((await client.getStreamMetadata("meta-only")).metadata?.truncateBefore).toBe(Number(DELETED))
  })

  it("fails a wrong expected revision with the server's trailers", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(3))
    expect(await wrongVersion(client.deleteStream("s", { expectedRevision: 1n }))).toEqual({
      streamName: "s",
      expected: 1n,
      actual: 2n
    })
    expect(await wrongVersion(client.deleteStream("s", { expectedRevision: "no_stream" }))).toEqual({
      streamName: "s",
      expected: -1n,
      actual: 2n
    })
    await client.deleteStream("s", { expectedRevision: 2n })
  })

  it("keeps the deleted events in $all", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(2))
    await client.deleteStream("s")
    const all = await collect(client.readAll({ fromPosition: START }))
    expect(all.filter((e) => e.event?.streamId === "s")).toHaveLength(2)
  })
})

describe("tombstone", () => {
  it("writes $streamDeleted; reads, appends, deletes and tombstones then fail with StreamDeletedError", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(2))
    const result = await client.tombstoneStream("s")

    const [last] = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }))
    expect(last?.event).toMatchObject({ streamId: "s", type: "$streamDeleted", revision: DELETED, isJson: false })
    expect(last?.event?.position).toEqual(result.position)

    await deleted(collect(client.readStream("s")), "s")
    await deleted(collect(client.readStream("s", { direction: BACKWARDS, fromRevision: END })), "s")
    await deleted(client.appendToStream("s", events(1)), "s")
    await deleted(client.deleteStream("s"), "s")
    await deleted(client.tombstoneStream("s"), "s")
  })

  it("takes the metastream with it", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(1))
    await client.setStreamMetadata("s", { maxCount: 3 })
    await client.tombstoneStream("s")
    await deleted(collect(client.readStream("$$s")), "$$s")
    await deleted(client.setStreamMetadata("s", { maxCount: 4 }), "$$s")
  })

  it("tombstones a stream that was never written", async () => {
    const { client } = await harness()
    await client.tombstoneStream("never-written")
    await deleted(client.appendToStream("never-written", events(1)), "never-written")
  })

  it("fails a wrong expected revision with the server's trailers", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(1))
    expect(await wrongVersion(client.tombstoneStream("s", { expectedRevision: 5n }))).toEqual({
      streamName: "s",
      expected: 5n,
      actual: 0n
    })
    expect(await wrongVersion(client.tombstoneStream("t", { expectedRevision: 3n }))).toEqual({
      streamName: "t",
      expected: 3n,
      actual: -1n
    })
    await client.tombstoneStream("s", { expectedRevision: 0n })
  })
})
