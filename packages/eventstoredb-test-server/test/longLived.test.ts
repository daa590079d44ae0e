// Long-lived calls (a subscription, the BatchAppend call a client keeps open) must not collect listeners or pending
// promise reactions as they go: each would be small, but a call lives as long as its client. The handlers are driven
// here with stand-ins for grpc-js calls, so the counts can be read (listeners with `listenerCount`; reactions on
// promises that stay pending with an async hook that sees every promise made and every promise settled) and so a
// client that does not read can be made on demand: a grpc-js client buffers whatever arrives whether or not it reads,
// so over a real connection the server's writes only wait when the client's process is too busy to take them.
import { createHook } from "node:async_hooks"
import { EventEmitter } from "node:events"
import { Duplex } from "node:stream"
import { afterEach, describe, expect, it } from "vitest"
import { handleBatchAppend } from "../src/internal/batchAppend.js"
import { ServerContext } from "../src/internal/context.js"
import { type StreamsPb, sharedPb, streamsPb } from "../src/internal/generated.js"
import type { ResponseSink } from "../src/internal/responseWriter.js"
import { Store } from "../src/internal/store.js"
import { subscribe } from "../src/internal/subscription.js"
import { ExpectedRevision, type ProposedEvent } from "../src/internal/types.js"
import { streamIdentifier } from "../src/internal/wire.js"

const APPENDS = 10_000

/** Lets every pending callback, microtask and `nextTick` run: whatever is still waiting then waits on an event. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve))

const listeners = (emitter: EventEmitter): number =>
  emitter.eventNames().reduce((total, name) => total + emitter.listenerCount(name), 0)

/** Counts the promises made since `start` that have not settled (a reaction on a pending promise is one of them). */
const pendingPromises = () => {
  const pending = new Set<number>()
  const hook = createHook({
    init: (id, type) => {
      if (type === "PROMISE") pending.add(id)
    },
    promiseResolve: (id) => {
      pending.delete(id)
    }
  })
  hook.enable()
  return { count: () => pending.size, stop: () => hook.disable() }
}

const warnings: Array<Error> = []
const onWarning = (warning: Error) => warnings.push(warning)
process.on("warning", onWarning)
afterEach(() => {
  warnings.length = 0
})

const oneEvent = (n: number): Array<ProposedEvent> => [
  {
    id: crypto.randomUUID(),
    type: "Happened",
    isJson: true,
    data: new TextEncoder().encode(JSON.stringify({ n })),
    metadata: new Uint8Array()
  }
]

/** A subscription call whose reader keeps up; `until(n)` waits for the n-th message. */
class ReadingSink extends EventEmitter implements ResponseSink<StreamsPb.ReadResp> {
  written = 0
  ended = false
  private waiting: { readonly count: number; readonly resolve: () => void } | undefined

  write(_message: StreamsPb.ReadResp): boolean {
    this.written += 1
    if (this.waiting !== undefined && this.written >= this.waiting.count) this.waiting.resolve()
    return true
  }

  end(): void {
    this.ended = true
  }

  until(count: number): Promise<void> {
    if (this.written >= count) return Promise.resolve()
    return new Promise((resolve) => {
      this.waiting = { count, resolve }
    })
  }
}

const subscriptionTo = (target: "stream" | "$all") => {
  const options = new streamsPb.ReadReq.Options()
    .setSubscription(new streamsPb.ReadReq.Options.SubscriptionOptions())
    .setNoFilter(new sharedPb.Empty())
  return target === "stream"
    ? options.setStream(
        new streamsPb.ReadReq.Options.StreamOptions()
          .setStreamIdentifier(streamIdentifier("s"))
          .setStart(new sharedPb.Empty())
      )
    : options.setAll(new streamsPb.ReadReq.Options.AllOptions().setEnd(new sharedPb.Empty()))
}

describe("a live subscription", () => {
  for (const target of ["stream", "$all"] as const) {
    it(`to a ${target} woken by ${APPENDS} appends ends with as many listeners and pending promises as after 100`, async () => {
      const store = new Store()
      const context = new ServerContext(store, 1024 * 1024)
      const sink = new ReadingSink()
      const promises = pendingPromises()
      try {
        const running = subscribe(context, sink, subscriptionTo(target))
        // Confirmation and caught-up.
        await sink.until(2)
        const counts: Array<{ readonly listeners: number; readonly promises: number }> = []
        for (let n = 1; n <= APPENDS; n++) {
          store.append("s", ExpectedRevision.any, oneEvent(n))
          await sink.until(2 + n)
          // The subscription has sent the event and gone back to waiting for the next write: one wake-up each.
          await settle()
          if (n === 100 || n === APPENDS) counts.push({ listeners: listeners(sink), promises: promises.count() })
        }
        expect(counts[1]).toEqual(counts[0])
        for (const call of context.openCalls("subscription")) call.terminate("end")
        await running
        expect(sink.ended).toBe(true)
      } finally {
        promises.stop()
      }
    })
  }

  it("leaves nothing registered on the store once its call is cancelled", async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    const sink = new ReadingSink()
    const running = subscribe(context, sink, subscriptionTo("stream"))
    await sink.until(2)
    await settle()
    sink.emit("cancelled")
    await running
    // A write after the subscriber went must not find it still waiting (it would be woken for nothing, forever).
    const woken: Array<string> = []
    store.onNextChange(() => woken.push("test"))
    store.append("s", ExpectedRevision.any, oneEvent(1))
    expect(woken).toEqual(["test"])
    expect(sink.written).toBe(2)
    expect(context.openCalls()).toHaveLength(0)
  })
})

/**
 * A BatchAppend call whose client has stopped reading responses: grpc-js's buffer holds one response and every write
 * answers `false` until the test releases it, like a full HTTP/2 window. Requests arrive as on a real call, and wait
 * in the readable side while the handler has paused it.
 */
class UnreadCall extends Duplex {
  readonly responses: Array<StreamsPb.BatchAppendResp> = []
  /** The most `drain` listeners, and listeners of any event, seen while a write was blocked. */
  maxDrainListeners = 0
  maxListeners = 0
  private held: Array<() => void> = []
  private heldSignal: (() => void) | undefined

  constructor() {
    super({ objectMode: true, writableHighWaterMark: 1 })
  }

  override _read(): void {}

  override _write(response: StreamsPb.BatchAppendResp, _encoding: string, callback: () => void): void {
    this.responses.push(response)
    this.held.push(callback)
    this.heldSignal?.()
  }

  get holding(): boolean {
    return this.held.length > 0
  }

  /** Resolves once a write is held (the client has not read it). */
  whenHeld(): Promise<void> {
    if (this.held.length > 0) return Promise.resolve()
    return new Promise((resolve) => {
      this.heldSignal = resolve
    })
  }

  /** Records the counts, then lets the client read what is held. */
  release(): void {
    this.maxDrainListeners = Math.max(this.maxDrainListeners, this.listenerCount("drain"))
    this.maxListeners = Math.max(this.maxListeners, listeners(this))
    this.heldSignal = undefined
    for (const callback of this.held.splice(0)) callback()
  }
}

const appendRequest = (n: number): StreamsPb.BatchAppendReq => {
  const id = new sharedPb.UUID().setString(crypto.randomUUID())
  const message = new streamsPb.BatchAppendReq.ProposedMessage()
    .setId(new sharedPb.UUID().setString(crypto.randomUUID()))
    .setData(new TextEncoder().encode(JSON.stringify({ n })))
  message.getMetadataMap().set("type", "Happened").set("content-type", "application/json")
  return new streamsPb.BatchAppendReq()
    .setCorrelationId(id)
    .setOptions(
      new streamsPb.BatchAppendReq.Options()
        .setStreamIdentifier(streamIdentifier("batched"))
        .setAny(new sharedPb.Empty())
    )
    .setProposedMessagesList([message])
    .setIsFinal(true)
}

describe("a BatchAppend call whose client does not read its responses", () => {
  it(`goes through ${APPENDS} blocked writes with at most one drain listener, answering every append in order`, async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    const call = new UnreadCall()
    const requests = Array.from({ length: APPENDS }, (_, n) => appendRequest(n))
    handleBatchAppend(context)(call)
    const baseline = listeners(call)
    // The client sends every append at once: they wait on the server's side of the connection, not in its memory.
    for (const request of requests) call.push(request)
    let blockedWrites = 0
    while (call.responses.length < APPENDS || call.holding) {
      await call.whenHeld()
      await settle()
      call.release()
      blockedWrites += 1
    }
    await settle()
    // Each response was held on its own: the server waited for every one of them to be read.
    expect(blockedWrites).toBe(APPENDS)
    expect(call.maxDrainListeners).toBe(1)
    expect(call.maxListeners).toBeLessThanOrEqual(baseline + 1)
    expect(listeners(call)).toBe(baseline)
    expect(warnings.filter((warning) => warning.name === "MaxListenersExceededWarning")).toEqual([])

    expect(call.responses.map((response) => response.getCorrelationId()?.getString())).toEqual(
      requests.map((request) => request.getCorrelationId()?.getString())
    )
    expect(call.responses.map((response) => response.getSuccess()?.getCurrentRevision())).toEqual(
      Array.from({ length: APPENDS }, (_, n) => String(n))
    )
    expect(store.eventsOf("batched")).toHaveLength(APPENDS)
    call.push(null)
    await settle()
    expect(context.openCalls()).toHaveLength(0)
  })

  it("sends the responses it holds before ending when the client half-closes", async () => {
    const store = new Store()
    const context = new ServerContext(store, 1024 * 1024)
    const call = new UnreadCall()
    handleBatchAppend(context)(call)
    const requests = Array.from({ length: 5 }, (_, n) => appendRequest(n))
    for (const request of requests) call.push(request)
    call.push(null)
    const finished = new Promise<void>((resolve) => call.on("finish", resolve))
    while (call.responses.length < requests.length || call.holding) {
      await call.whenHeld()
      await settle()
      call.release()
    }
    await finished
    expect(call.responses.map((response) => response.getSuccess()?.getCurrentRevision())).toEqual([
      "0",
      "1",
      "2",
      "3",
      "4"
    ])
    expect(context.openCalls()).toHaveLength(0)
  })
})
