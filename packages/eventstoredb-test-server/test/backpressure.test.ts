// Drives the subscription and read loops directly with a sink that behaves like a grpc-js call whose buffer is full,
// to check what a client-level test cannot see: the server stops producing until `drain`.
import { EventEmitter } from "node:events"
import { describe, expect, it } from "vitest"
import { ServerContext } from "../src/internal/context.js"
import { type StreamsPb, sharedPb, streamsPb } from "../src/internal/generated.js"
import type { ResponseSink } from "../src/internal/responseWriter.js"
import { Store } from "../src/internal/store.js"
import { readOnce } from "../src/internal/read.js"
import { subscribe } from "../src/internal/subscription.js"
import { ExpectedRevision } from "../src/internal/types.js"
import { streamIdentifier } from "../src/internal/wire.js"
import { eventually } from "./helpers.js"

const { ContentCase } = streamsPb.ReadResp

/** Accepts `capacity` messages, then answers `false` until released, like a full HTTP/2 window. */
class HeldSink extends EventEmitter implements ResponseSink<StreamsPb.ReadResp> {
  readonly written: Array<StreamsPb.ReadResp> = []
  ended = false
  private capacity: number

  constructor(capacity: number) {
    super()
    this.capacity = capacity
  }

  write(message: StreamsPb.ReadResp): boolean {
    this.written.push(message)
    return this.written.length < this.capacity
  }

  end(): void {
    this.ended = true
  }

  release(): void {
    this.capacity = Number.POSITIVE_INFINITY
    this.emit("drain")
  }

  /** Resolves once the server waits for `drain`: from then on it writes nothing until released. */
  whenHeld(): Promise<void> {
    return eventually(() => this.listenerCount("drain") > 0)
  }
}

/** Lets every pending callback and microtask run, so a loop that could still write would have. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

const subscriptionTo = (stream: string) =>
  new streamsPb.ReadReq.Options()
    .setStream(
      new streamsPb.ReadReq.Options.StreamOptions()
        .setStreamIdentifier(streamIdentifier(stream))
        .setStart(new sharedPb.Empty())
    )
    .setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions())
    .setNoFilter(new sharedPb.Empty())

const proposed = (count: number) =>
  Array.from({ length: count }, (_, i) => ({
    id: crypto.randomUUID(),
    type: "Happened",
    isJson: true,
    data: new TextEncoder().encode(JSON.stringify({ n: i })),
    metadata: new Uint8Array()
  }))

describe("subscription back-pressure", () => {
  it("stops writing while the call's buffer is full and resumes on drain, losing nothing", async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    store.append("s", ExpectedRevision.any, proposed(100))
    const sink = new HeldSink(5)
    const running = subscribe(context, sink, subscriptionTo("s"))

    await sink.whenHeld()
    // The fifth write answered `false`: the loop waits for `drain` instead of writing the other 95 events.
    expect(sink.written).toHaveLength(5)
    store.append("s", ExpectedRevision.any, proposed(10))
    await settle()
    expect(sink.written).toHaveLength(5)

    sink.release()
    await eventually(() => sink.written.length === 1 + 110 + 1)
    const cases = sink.written.map((message) => message.getContentCase())
    expect(cases).toEqual([ContentCase.CONFIRMATION, ...Array(110).fill(ContentCase.EVENT), ContentCase.CAUGHT_UP])
    const revisions = sink.written.flatMap((m) => {
      const revision = m.getEvent()?.getEvent()?.getStreamRevision()
      return revision === undefined ? [] : [Number(revision)]
    })
    expect(revisions).toEqual(Array.from({ length: 110 }, (_, i) => i))

    for (const call of context.openCalls("subscription")) call.terminate("end")
    await running
    expect(sink.ended).toBe(true)
    expect(context.openCalls()).toHaveLength(0)
  })

  it("gives up waiting when the call is cancelled", async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    store.append("s", ExpectedRevision.any, proposed(10))
    const sink = new HeldSink(2)
    const running = subscribe(context, sink, subscriptionTo("s"))
    await sink.whenHeld()
    sink.emit("cancelled")
    await running
    expect(sink.written).toHaveLength(2)
    expect(context.openCalls()).toHaveLength(0)
  })
})

const allForwards = () =>
  new streamsPb.ReadReq.Options()
    .setAll(new streamsPb.ReadReq.Options.AllOptions().setStart(new sharedPb.Empty()))
    .setReadDirection(streamsPb.ReadReq.Options.ReadDirection.FORWARDS)
    .setCount(String(Number.MAX_SAFE_INTEGER))
    .setNoFilter(new sharedPb.Empty())

describe("a forward read of $all held back by its reader", () => {
  it("ends at the position the log had reached when the read started, not at records written meanwhile", async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    store.append("s", ExpectedRevision.any, proposed(100))
    const atStart = store.all.map((record) => String(record.position))
    const sink = new HeldSink(5)
    const reading = readOnce(context, sink, allForwards())
    await sink.whenHeld()
    store.append("s", ExpectedRevision.any, proposed(10))
    store.append("other", ExpectedRevision.any, proposed(10))
    sink.release()
    await reading
    expect(sink.ended).toBe(true)
    const positions = sink.written.map((message) => message.getEvent()?.getEvent()?.getCommitPosition())
    expect(positions).toEqual(atStart)
    expect(store.all.length).toBe(atStart.length + 20)
    expect(context.openCalls()).toHaveLength(0)
  })
})
