import { BACKWARDS, binaryEvent, END, START, StreamNotFoundError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { collect, events, harness, n, rejection } from "./helpers.js"

describe("reading a stream", () => {
  const withTen = async () => {
    const h = await harness()
    await h.client.appendToStream("s", events(10))
    return h
  }

  it("reads forwards from the start", async () => {
    const { client } = await withTen()
    const read = await collect(client.readStream("s"))
    expect(read.map((e) => e.event?.revision)).toEqual([0n, 1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n, 9n])
    expect(read.map(n)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9])
  })

  it("reads forwards from a revision, inclusive, with a count", async () => {
    const { client } = await withTen()
    const read = await collect(client.readStream("s", { fromRevision: 4n, maxCount: 3 }))
    expect(read.map((e) => e.event?.revision)).toEqual([4n, 5n, 6n])
  })

  it("reads backwards from the end, inclusive, with a count", async () => {
    const { client } = await withTen()
    const read = await collect(client.readStream("s", { direction: BACKWARDS, fromRevision: END, maxCount: 3 }))
    expect(read.map((e) => e.event?.revision)).toEqual([9n, 8n, 7n])
  })

  it("reads backwards from a revision, inclusive", async () => {
    const { client } = await withTen()
    const read = await collect(client.readStream("s", { direction: BACKWARDS, fromRevision: 2n }))
    expect(read.map((e) => e.event?.revision)).toEqual([2n, 1n, 0n])
  })

  it("reads nothing forwards from the end or past the last revision", async () => {
    const { client } = await withTen()
    expect(await collect(client.readStream("s", { fromRevision: END }))).toEqual([])
    expect(await collect(client.readStream("s", { fromRevision: 10n }))).toEqual([])
  })

  it("fails with StreamNotFoundError for a stream that does not exist, in either direction", async () => {
    const { client } = await harness()
    for (const direction of ["forwards", "backwards"] as const) {
      const error = await rejection(collect(client.readStream("missing", { direction })))
      expect(error).toBeInstanceOf(StreamNotFoundError)
      if (error instanceof StreamNotFoundError) expect(error.streamName).toBe("missing")
    }
  })

  it("stamps events with their creation time (ticks since the Unix epoch)", async () => {
    const { client } = await harness()
    const before = Date.now()
    await client.appendToStream("s", events(1))
    const after = Date.now()
    const [read] = await collect(client.readStream("s"))
    const created = read?.event?.created.getTime() ?? 0
    expect(created).toBeGreaterThanOrEqual(before - 1)
    expect(created).toBeLessThanOrEqual(after + 1)
  })

  it("reports each event's $all position on stream reads too", async () => {
    const { client } = await withTen()
    const read = await collect(client.readStream("s"))
    for (const resolved of read) {
      expect(resolved.commitPosition).toBe(resolved.event?.position?.commit)
    }
  })

  it("resolves $> link events when asked", async () => {
    const { client } = await withTen()
    await client.appendToStream("links", binaryEvent({ type: "$>", data: new TextEncoder().encode("3@s") }))
    const [unresolved] = await collect(client.readStream("links"))
    expect(unresolved?.event?.type).toBe("$>")
    expect(unresolved?.link).toBeUndefined()
    const [resolved] = await collect(client.readStream("links", { resolveLinkTos: true }))
    expect(resolved?.event).toMatchObject({ streamId: "s", revision: 3n })
    expect(resolved?.link).toMatchObject({ streamId: "links", type: "$>", revision: 0n })
    expect(resolved?.commitPosition).toBe(resolved?.link?.position?.commit)
  })
})

describe("reading $all", () => {
  it("holds every event in strictly increasing positions, commit >= prepare", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(3))
    await client.appendToStream("b", events(2))
    const all = await collect(client.readAll({ fromPosition: START }))
    let previous = -1n
    for (const resolved of all) {
      const position = resolved.event?.position
      if (position === undefined) throw new Error("event without position")
      expect(position.commit).toBeGreaterThan(previous)
      expect(position.commit).toBeGreaterThanOrEqual(position.prepare)
      expect(resolved.commitPosition).toBe(position.commit)
      previous = position.commit
    }
    const user = all.filter((e) => !e.event?.streamId.startsWith("$"))
    expect(user.map((e) => `${e.event?.streamId}@${e.event?.revision}`)).toEqual(["a@0", "a@1", "a@2", "b@0", "b@1"])
  })

  it("reads forwards from a position, inclusive, with a count", async () => {
    const { client } = await harness()
    const written = await client.appendToStream("a", events(5))
    const all = await collect(client.readAll({ fromPosition: START }))
    const third = all.at(-3)?.event?.position
    if (third === undefined || written.position === undefined) throw new Error("no position")
    const read = await collect(client.readAll({ fromPosition: third, maxCount: 2 }))
    expect(read.map((e) => e.event?.revision)).toEqual([2n, 3n])
  })

  it("reads backwards from the end, and backwards from a position starts before it", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(5))
    const backwards = await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 2 }))
    expect(backwards.map((e) => e.event?.revision)).toEqual([4n, 3n])
    const position = backwards[1]?.event?.position
    if (position === undefined) throw new Error("no position")
    const before = await collect(client.readAll({ direction: BACKWARDS, fromPosition: position, maxCount: 2 }))
    expect(before.map((e) => e.event?.revision)).toEqual([2n, 1n])
  })

  it("reads nothing forwards from the end", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(2))
    expect(await collect(client.readAll({ fromPosition: END }))).toEqual([])
  })

  it("includes $$ metadata events and tombstones", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(1))
    await client.setStreamMetadata("a", { maxCount: 10 })
    await client.appendToStream("b", events(1))
    await client.tombstoneStream("b")
    const all = await collect(client.readAll({ fromPosition: START }))
    const tail = all.slice(-4).map((e) => `${e.event?.streamId}:${e.event?.type}:${e.event?.revision}`)
    expect(tail).toEqual(["a:Happened:0", "$$a:$metadata:0", "b:Happened:0", "b:$streamDeleted:9223372036854775807"])
  })
})
