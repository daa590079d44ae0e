import {
  END,
  eventTypeFilter,
  excludeSystemEvents,
  jsonEvent,
  START,
  StreamDeletedError,
  streamNameFilter,
  UnavailableError
} from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { collect, eventually, events, harness, n, Recorder, record } from "./helpers.js"

describe("catch-up subscription to a stream", () => {
  it("confirms, replays history, says caught up, then delivers live events", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(3))
    const recorder = record(client.subscribeToStream("s"))
    await recorder.waitFor((r) => r.has("caughtUp"))
    await client.appendToStream("s", events(2, "Live", 3))
    await recorder.waitForEvents(5)
    expect(recorder.kinds).toEqual(["confirmation", "event", "event", "event", "caughtUp", "event", "event"])
    expect(recorder.events.map(n)).toEqual([0, 1, 2, 3, 4])
  })

  it("starts after the revision it is given (exclusive)", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(5))
    const recorder = record(client.subscribeToStream("s", { fromRevision: 2n }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    expect(recorder.events.map((e) => e.event?.revision)).toEqual([3n, 4n])
  })

  it("from END delivers only what is written afterwards", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(5))
    const recorder = record(client.subscribeToStream("s", { fromRevision: END }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    await client.appendToStream("s", events(1, "Live", 5))
    await recorder.waitForEvents(1)
    expect(recorder.events.map((e) => e.event?.revision)).toEqual([5n])
  })

  it("waits on a stream that does not exist yet, without an error", async () => {
    const { client } = await harness()
    const recorder = record(client.subscribeToStream("later"))
    await recorder.waitFor((r) => r.has("caughtUp"))
    await client.appendToStream("later", events(1))
    await recorder.waitForEvents(1)
    // Still the same subscription, which never failed while it waited.
    expect(recorder.kinds).toEqual(["confirmation", "caughtUp", "event"])
    expect(recorder.events[0]?.event?.revision).toBe(0n)
  })

  it("loses and repeats nothing when writes race the switch from catch-up to live", async () => {
    const { client } = await harness()
    const total = 300
    await client.appendToStream("race", events(100))
    const writes = (async () => {
      for (let i = 100; i < total; i += 10) await client.appendToStream("race", events(10, "Racing", i))
    })()
    const recorder = record(client.subscribeToStream("race"))
    await writes
    // One more event after the race: once it arrives, a duplicate or a lost event from the race would show before it.
    await client.appendToStream("race", events(1, "Last", total))
    await recorder.waitForEvents(total + 1)
    expect(recorder.events.map((e) => e.event?.revision)).toEqual(
      Array.from({ length: total + 1 }, (_, i) => BigInt(i))
    )
  })

  // The server's own waiting on a full buffer is checked in backpressure.test.ts: a grpc-js client keeps taking
  // messages into its own buffer while its stream is paused, so from here only the client's side can be seen.
  it("delivers everything in order to a reader that pauses while 2 MB arrive and then resumes", async () => {
    const { client, server } = await harness()
    const subscription = client.subscribeToStream("slow", {}, { highWaterMark: 1 })
    const recorder = record(subscription)
    await recorder.waitFor((r) => r.has("caughtUp"))
    subscription.pause()
    const big = "x".repeat(4096)
    for (let i = 0; i < 20; i++) {
      await client.appendToStream(
        "slow",
        Array.from({ length: 25 }, (_, j) => jsonEvent({ type: "Big", data: { n: i * 25 + j, big } }))
      )
    }
    expect(recorder.events).toHaveLength(0)
    subscription.resume()
    await recorder.waitForEvents(500)
    expect(recorder.events.map(n)).toEqual(Array.from({ length: 500 }, (_, i) => i))
    expect(server.dropSubscriptions("end")).toBe(1)
  })

  it("releases the server side when the client unsubscribes", async () => {
    const { client, server } = await harness()
    const subscription = client.subscribeToStream("s")
    const recorder = record(subscription)
    await recorder.waitFor((r) => r.has("confirmation"))
    expect(server.openSubscriptions()).toBe(1)
    await subscription.unsubscribe()
    // Counted, not dropped: a probe that ended the call itself would pass whether or not the client released it.
    await eventually(() => server.openSubscriptions() === 0)
  })

  it("fails with StreamDeletedError when the stream is tombstoned, or already was", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(2))
    const live = record(client.subscribeToStream("s"))
    await live.waitFor((r) => r.has("caughtUp"))
    await client.tombstoneStream("s")
    await live.waitFor((r) => r.has("error"))
    const liveError = live.timeline.find((e) => e.kind === "error")
    expect(liveError?.kind === "error" && liveError.error).toBeInstanceOf(StreamDeletedError)
    expect(live.events).toHaveLength(2)

    const late = record(client.subscribeToStream("s"))
    await late.waitFor((r) => r.has("error"))
    const lateError = late.timeline.find((e) => e.kind === "error")
    expect(lateError?.kind === "error" && lateError.error).toBeInstanceOf(StreamDeletedError)
    expect(late.events).toHaveLength(0)
  })

  it("follows a soft-deleted stream that is recreated", async () => {
    const { client } = await harness()
    await client.appendToStream("s", events(2))
    const recorder = record(client.subscribeToStream("s"))
    await recorder.waitForEvents(2)
    await client.deleteStream("s")
    await client.appendToStream("s", events(1, "Again", 2), { expectedRevision: "no_stream" })
    await recorder.waitForEvents(3)
    expect(recorder.events.map((e) => e.event?.revision)).toEqual([0n, 1n, 2n])
  })
})

describe("catch-up subscription to $all", () => {
  it("replays the server's system events and user events, then goes live", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(2))
    const recorder = record(client.subscribeToAll())
    await recorder.waitFor((r) => r.has("caughtUp"))
    await client.appendToStream("b", events(1))
    await recorder.waitFor((r) => r.events.some((e) => e.event?.streamId === "b"))
    expect(recorder.kinds[0]).toBe("confirmation")
    const streams = recorder.events.map((e) => e.event?.streamId ?? "")
    expect(streams.filter((s) => s.startsWith("$")).length).toBeGreaterThan(0)
    expect(streams.filter((s) => !s.startsWith("$"))).toEqual(["a", "a", "b"])
    const caughtUpAt = recorder.kinds.indexOf("caughtUp")
    expect(recorder.kinds.slice(caughtUpAt + 1)).toEqual(["event"])
  })

  it("starts after the position it is given (exclusive)", async () => {
    const { client } = await harness()
    const first = await client.appendToStream("a", events(1))
    await client.appendToStream("a", events(1, "Next", 1))
    if (first.position === undefined) throw new Error("no position")
    const recorder = record(client.subscribeToAll({ fromPosition: first.position }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    expect(recorder.events.map((e) => `${e.event?.streamId}@${e.event?.revision}`)).toEqual(["a@1"])
  })

  it("from END delivers only what is written afterwards", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(3))
    const recorder = record(client.subscribeToAll({ fromPosition: END }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    await client.appendToStream("b", events(1))
    await recorder.waitForEvents(1)
    expect(recorder.events.map((e) => e.event?.streamId)).toEqual(["b"])
  })
})

describe("filtered subscription to $all", () => {
  const filtered = async (
    filter: { prefixes: Array<string> } | { regex: string },
    on: "stream" | "type" = "stream"
  ) => {
    const { client } = await harness()
    await client.appendToStream("order-1", events(1, "OrderPlaced"))
    await client.appendToStream("invoice-1", events(1, "InvoiceSent"))
    await client.appendToStream("order-2", events(1, "OrderShipped"))
    const made =
      "regex" in filter
        ? on === "stream"
          ? streamNameFilter({ regex: filter.regex })
          : eventTypeFilter({ regex: filter.regex })
        : on === "stream"
          ? streamNameFilter({ prefixes: filter.prefixes })
          : eventTypeFilter({ prefixes: filter.prefixes })
    const recorder = record(client.subscribeToAll({ fromPosition: START, filter: made }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    return recorder.events.map((e) => `${e.event?.streamId}:${e.event?.type}`)
  }

  it("filters on stream name prefixes", async () => {
    expect(await filtered({ prefixes: ["order-"] })).toEqual(["order-1:OrderPlaced", "order-2:OrderShipped"])
  })

  it("filters on a stream name regex", async () => {
    expect(await filtered({ regex: "^inv" })).toEqual(["invoice-1:InvoiceSent"])
  })

  it("filters on event type prefixes and regex", async () => {
    expect(await filtered({ prefixes: ["Order"] }, "type")).toEqual(["order-1:OrderPlaced", "order-2:OrderShipped"])
    expect(await filtered({ regex: "Sent$" }, "type")).toEqual(["invoice-1:InvoiceSent"])
  })

  it("excludes the server's system events with excludeSystemEvents", async () => {
    const { client } = await harness()
    await client.appendToStream("a", events(1))
    await client.setStreamMetadata("a", { maxCount: 5 })
    await client.tombstoneStream("a")
    await client.appendToStream("b", events(1))
    const recorder = record(client.subscribeToAll({ filter: excludeSystemEvents() }))
    await recorder.waitFor((r) => r.has("caughtUp"))
    expect(recorder.events.map((e) => `${e.event?.streamId}:${e.event?.type}`)).toEqual(["a:Happened", "b:Happened"])
  })

  it("sends a checkpoint every 32 events examined, and one when caught up", async () => {
    const { client } = await harness()
    await client.appendToStream("noise", events(100, "Noise"))
    const { recorder: attach, checkpointReached } = Recorder.checkpoints()
    const subscription = client.subscribeToAll({
      filter: streamNameFilter({ prefixes: ["wanted"], checkpointReached })
    })
    const recorder = record(subscription)
    attach(recorder)
    await recorder.waitFor((r) => r.has("caughtUp"))
    const all = recorder.timeline
    const total = (await collect(client.readAll({ fromPosition: START }))).length
    const checkpoints = all.flatMap((e) => (e.kind === "checkpoint" ? [e.position.commit] : []))
    expect(checkpoints).toHaveLength(Math.floor(total / 32) + 1)
    expect([...checkpoints].sort((a, b) => (a < b ? -1 : 1))).toEqual(checkpoints)
    expect(recorder.kinds.at(-1)).toBe("caughtUp")
    expect(recorder.kinds.at(-2)).toBe("checkpoint")
    expect(recorder.events).toHaveLength(0)
  })

  it("uses the search window and checkpoint interval it is given, live too", async () => {
    const { client } = await harness()
    const { recorder: attach, checkpointReached } = Recorder.checkpoints()
    const filter = eventTypeFilter({
      prefixes: ["Wanted"],
      maxSearchWindow: 4,
      checkpointInterval: 2,
      checkpointReached
    })
    const recorder = record(client.subscribeToAll({ fromPosition: END, filter }))
    attach(recorder)
    await recorder.waitFor((r) => r.has("caughtUp"))
    const before = recorder.timeline.filter((e) => e.kind === "checkpoint").length
    await client.appendToStream("live", [
      ...events(7, "Noise"),
      jsonEvent({ type: "Wanted", data: {} }),
      ...events(8, "Noise")
    ])
    await recorder.waitFor((r) => r.timeline.filter((e) => e.kind === "checkpoint").length === before + 2)
    await recorder.waitForEvents(1)
    const afterCaughtUp = recorder.kinds.slice(recorder.kinds.indexOf("caughtUp") + 1)
    expect(afterCaughtUp).toEqual(["event", "checkpoint", "checkpoint"])
  })
})

describe("dropSubscriptions", () => {
  it("fails every open subscription with UNAVAILABLE, as a dropped connection would", async () => {
    const { client, server } = await harness()
    const toStream = record(client.subscribeToStream("s"))
    const toAll = record(client.subscribeToAll({ fromPosition: END }))
    await toStream.waitFor((r) => r.has("caughtUp"))
    await toAll.waitFor((r) => r.has("caughtUp"))
    expect(server.dropSubscriptions()).toBe(2)
    await toStream.waitFor((r) => r.has("error"))
    await toAll.waitFor((r) => r.has("error"))
    const error = toStream.timeline.find((e) => e.kind === "error")
    expect(error?.kind === "error" && error.error).toBeInstanceOf(UnavailableError)
    // The server and its data are still there; a new subscription works.
    await client.appendToStream("s", events(1))
    const again = record(client.subscribeToStream("s"))
    await again.waitForEvents(1)
  })

  it("can end them with OK instead", async () => {
    const { client, server } = await harness()
    const recorder = record(client.subscribeToStream("s"))
    await recorder.waitFor((r) => r.has("caughtUp"))
    expect(server.dropSubscriptions("end")).toBe(1)
    await recorder.waitFor((r) => r.has("end"))
    expect(recorder.has("error")).toBe(false)
  })
})
