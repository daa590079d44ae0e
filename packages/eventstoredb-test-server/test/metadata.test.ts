import { BACKWARDS, END, WrongExpectedVersionError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { collect, events, harness, n, rejection } from "./helpers.js"

describe("stream metadata", () => {
  it("is set by appending $metadata to $$<stream> and read back by getStreamMetadata", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(1))
    const written = await client.setStreamMetadata("s", {
      maxCount: 10,
      maxAge: 3600,
      acl: { readRoles: ["$all"] },
      custom: { team: "accounts" }
    })
    expect(written.nextExpectedRevision).toBe(0n)
    const read = await client.getStreamMetadata("s")
    expect(read).toMatchObject({
      streamName: "s",
      metadata: { maxCount: 10, maxAge: 3600, acl: { readRoles: ["$all"] }, custom: { team: "accounts" } }
    })
    const [raw] = await collect(client.readStream("$$s"))
    expect(raw?.event).toMatchObject({ streamId: "$$s", type: "$metadata", isJson: true, revision: 0n })
  })

  it("is just the stream name when there is none", async () => {
    const { client } = await harness()
    expect(await client.getStreamMetadata("nothing")).toEqual({ streamName: "nothing" })
  })

  it("checks the expected revision of the metastream", async () => {
    const { client } = await harness()
    await client.setStreamMetadata("s", { maxCount: 1 })
    expect(await rejection(client.setStreamMetadata("s", { maxCount: 2 }, { expectedRevision: 5n }))).toBeInstanceOf(
      WrongExpectedVersionError
    )
    expect((await client.setStreamMetadata("s", { maxCount: 2 }, { expectedRevision: 0n })).nextExpectedRevision).toBe(
      1n
    )
  })

  it("truncateBefore hides earlier events from reads", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(5))
    await client.setStreamMetadata("s", { truncateBefore: 3 })
    expect((await collect(client.readStream("s"))).map(n)).toEqual([3, 4])
    expect((await collect(client.readStream("s", { direction: BACKWARDS, fromRevision: END }))).map(n)).toEqual([4, 3])
  })

  it("maxCount keeps only the latest events readable", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(5))
    await client.setStreamMetadata("s", { maxCount: 2 })
    expect((await collect(client.readStream("s"))).map(n)).toEqual([3, 4])
  })

  it("keeps only the latest metadata event readable in the metastream", async () => {
    const { client } = await harness()
    await client.setStreamMetadata("s", { maxCount: 1 })
    await client.setStreamMetadata("s", { maxCount: 2 })
    const read = await collect(client.readStream("$$s"))
    expect(read.map((e) => e.event?.revision)).toEqual([1n])
  })
})
