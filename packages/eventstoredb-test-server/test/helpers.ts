import {
  type AllStreamResolvedEvent,
  EventStoreDBClient,
  jsonEvent,
  type Position,
  type ResolvedEvent,
  type StreamSubscription
} from "@eventstore/db-client"
import { afterEach } from "vitest"
import { type RunningTestServer, type StartOptions, start } from "../src/index.js"

export interface Harness {
  readonly server: RunningTestServer
  readonly client: EventStoreDBClient
}

const cleanups: Array<() => Promise<void>> = []

afterEach(async () => {
  const pending = cleanups.splice(0)
  for (const cleanup of pending.reverse()) await cleanup()
})

/** Registers something to close after the current test. */
export const defer = (cleanup: () => Promise<void>): void => {
  cleanups.push(cleanup)
}

/** A fresh server and a real client connected to it, both closed after the test. */
export const harness = async (options?: StartOptions): Promise<Harness> => {
  const server = await start(options)
  defer(() => server.close())
  const client = EventStoreDBClient.connectionString(server.connectionString)
  defer(() => client.dispose())
  return { server, client }
}

/** Another client on the same server (e.g. with other options), disposed after the test. */
export const clientFor = (server: RunningTestServer, options: { throwOnAppendFailure?: boolean } = {}) => {
  const client = new EventStoreDBClient({ endpoint: server.endpoint, ...options }, { insecure: true })
  defer(() => client.dispose())
  return client
}

export const events = (count: number, type = "Happened", from = 0) =>
  Array.from({ length: count }, (_, i) => jsonEvent({ type, data: { n: from + i } }))

export const collect = async <E>(source: AsyncIterable<E>): Promise<Array<E>> => {
  const out: Array<E> = []
  for await (const item of source) out.push(item)
  return out
}

/** The error a promise rejects with (fails the test if it resolves). */
export const rejection = async (promise: Promise<unknown>): Promise<unknown> => {
  try {
    await promise
  } catch (error) {
    return error
  }
  throw new Error("expected the promise to reject")
}

/**
 * Polls `check` until it holds. The limit only stops a test that would otherwise hang, so it is generous: on a busy
 * machine a condition can take seconds to come true, and the test must still pass.
 */
export const eventually = async (check: () => boolean, timeoutMs = 30_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs
  while (!check()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time")
    await new Promise((resolve) => setTimeout(resolve, 5))
  }
}

export type Entry =
  | { readonly kind: "confirmation" }
  | { readonly kind: "caughtUp" }
  | { readonly kind: "event"; readonly event: ResolvedEvent | AllStreamResolvedEvent }
  | { readonly kind: "checkpoint"; readonly position: Position }
  | { readonly kind: "error"; readonly error: unknown }
  | { readonly kind: "end" }

/** Records what a subscription emits, in order. */
export class Recorder {
  readonly timeline: Array<Entry> = []

  constructor(readonly subscription: NodeJS.EventEmitter & { unsubscribe(): Promise<void> }) {
    subscription.on("confirmation", () => this.timeline.push({ kind: "confirmation" }))
    subscription.on("caughtUp", () => this.timeline.push({ kind: "caughtUp" }))
    subscription.on("data", (event: ResolvedEvent) => this.timeline.push({ kind: "event", event }))
    subscription.on("error", (error: unknown) => this.timeline.push({ kind: "error", error }))
    subscription.on("end", () => this.timeline.push({ kind: "end" }))
    defer(() => subscription.unsubscribe())
  }

  /** A `checkpointReached` callback that records into this timeline. */
  static checkpoints(): { recorder: (r: Recorder) => void; checkpointReached: (s: unknown, p: Position) => void } {
    let target: Recorder | undefined
    return {
      recorder: (r) => {
        target = r
      },
      checkpointReached: (_s, position) => {
        target?.timeline.push({ kind: "checkpoint", position })
      }
    }
  }

  get events(): Array<ResolvedEvent> {
    return this.timeline.flatMap((entry) => (entry.kind === "event" ? [entry.event] : []))
  }

  get kinds(): Array<Entry["kind"]> {
    return this.timeline.map((entry) => entry.kind)
  }

  has(kind: Entry["kind"]): boolean {
    return this.timeline.some((entry) => entry.kind === kind)
  }

  waitFor(check: (recorder: Recorder) => boolean): Promise<void> {
    return eventually(() => check(this))
  }

  waitForEvents(count: number): Promise<void> {
    return this.waitFor((r) => r.events.length >= count)
  }
}

export const record = (subscription: StreamSubscription | (NodeJS.EventEmitter & { unsubscribe(): Promise<void> })) =>
  new Recorder(subscription)

/** The `n` field of a JSON event written by {@link events}. */
export const n = (resolved: ResolvedEvent): unknown => {
  const data = resolved.event?.data
  return typeof data === "object" && data !== null && "n" in data ? data.n : undefined
}
