/**
 * The server answers `@kurrent/kurrentdb-client` 1.3.1 too, in the same process as `@eventstore/db-client`: its
 * reads come through its native bridge (`@kurrent/bridge`, a Rust gRPC client with a connection of its own), the
 * rest through grpc-js. What the server had to learn for it is in the README ("`@kurrent/kurrentdb-client`").
 */
import { jsonEvent as oldJsonEvent } from "@eventstore/db-client"
import { BACKWARDS, END, jsonEvent, KurrentDBClient, StreamNotFoundError } from "@kurrent/kurrentdb-client"
import { describe, expect, it } from "vitest"
import type { RunningTestServer, StartOptions } from "../src/index.js"
import { collect, defer, harness, Recorder, rejection } from "./helpers.js"

const GRPC_JS = /^grpc-node-js\//

const kurrentClient = (server: RunningTestServer): KurrentDBClient => {
  const client = KurrentDBClient.connectionString(server.connectionString.replace("esdb://", "kurrentdb://"))
  defer(() => client.dispose())
  return client
}

const onServer = async (options?: StartOptions) => {
  const { server, client } = await harness(options)
  return { server, old: client, kurrent: kurrentClient(server) }
}

/** The calls of a method by client library: grpc-js's (by its user-agent) and the others (none sent). */
const byAgent = (server: RunningTestServer, method: "Streams.Read" | "Streams.BatchAppend" | "Streams.Append") => {
  let grpcJs = 0
  let other = 0
  for (const [agent, count] of server.callsByAgent(method)) {
    if (GRPC_JS.test(agent)) grpcJs += count
    else if (agent === "") other += count
    else throw new Error(`unexpected user-agent ${agent}`)
  }
  return { grpcJs, other }
}

describe("@kurrent/kurrentdb-client", () => {
  it("is served alongside @eventstore/db-client in one process: reads, appends and subscriptions of both", async () => {
    // Both clients ship generated code for the same protocol under the same global names (`globalThis.proto`); the
    // server loads its copy under a namespace of its own, so its messages never meet either client's classes. The
    // old client appends over plain Append here: its BatchAppend is broken by the new client (next test).
    const { server, old, kurrent } = await onServer({ serverFeatures: "unimplemented" })
    await old.appendToStream("side-by-side", oldJsonEvent({ type: "FromOld", data: { n: 1 } }))
    await kurrent.appendToStream("side-by-side", jsonEvent({ type: "FromNew", data: { n: 2 } }), { streamState: 0n })
    const readByNew = await collect(kurrent.readStream("side-by-side"))
    const readByOld = await collect(old.readStream("side-by-side"))
    expect(readByNew.map((e) => e.event?.type)).toEqual(["FromOld", "FromNew"])
    expect(readByOld.map((e) => e.event?.type)).toEqual(["FromOld", "FromNew"])
    expect(byAgent(server, "Streams.Append")).toEqual({ grpcJs: 2, other: 0 })

    // `caughtUp` is the message that failed to serialise when the server used the new client's classes. Each
    // subscription is made when its recorder can listen: `confirmation` and `caughtUp` are not buffered.
    for (const subscribe of [
      () => kurrent.subscribeToStream("side-by-side"),
      () => old.subscribeToStream("side-by-side")
    ]) {
      const recorder = new Recorder(subscribe())
      await recorder.waitFor((r) => r.has("caughtUp"))
      expect(recorder.kinds).toEqual(["confirmation", "event", "event", "caughtUp"])
      expect(recorder.events.map((e) => e.event?.type)).toEqual(["FromOld", "FromNew"])
    }
  })

  it("breaks @eventstore/db-client's BatchAppend once loaded in the same process (the clients' clash, not the server's)", async () => {
    // The new client's classes replaced the old client's on `globalThis.proto` (this file loaded it second): the old
    // client's batch request no longer serialises. Hence "one adapter per process" (docs/eventstoredb.md).
    const { server, old, kurrent } = await onServer()
    const failure = await rejection(old.appendToStream("clash", oldJsonEvent({ type: "A", data: {} })))
    expect(String(failure)).toMatch(/serialization failure: message\.getDeadline21100 is not a function/)
    await kurrent.appendToStream("clash", jsonEvent({ type: "B", data: {} }), { streamState: "no_stream" })
    expect((await collect(old.readStream("clash"))).map((e) => e.event?.type)).toEqual(["B"])
    expect(byAgent(server, "Streams.BatchAppend").grpcJs).toBeGreaterThan(0)
  })

  it("reads through its native bridge: no user-agent, and never a grpc-js read", async () => {
    const { server, kurrent } = await onServer()
    await kurrent.appendToStream("bridged", [jsonEvent({ type: "A", data: {} }), jsonEvent({ type: "B", data: {} })])
    const backwards = await collect(kurrent.readStream("bridged", { direction: BACKWARDS, fromRevision: END }))
    const all = await collect(kurrent.readAll({ maxCount: 1000 }))
    expect(backwards.map((e) => e.event?.type)).toEqual(["B", "A"])
    expect(all.filter((e) => e.event?.streamId === "bridged")).toHaveLength(2)
    // A missing stream: the bridge turns stream_not_found into the client's error.
    expect(await rejection(collect(kurrent.readStream("nowhere")))).toBeInstanceOf(StreamNotFoundError)
    expect(byAgent(server, "Streams.Read")).toEqual({ grpcJs: 0, other: 3 })

    // A subscription is a Read call too, and it goes through grpc-js.
    const subscription = kurrent.subscribeToAll()
    defer(() => subscription.unsubscribe())
    await new Promise<void>((resolve) => subscription.once("confirmation", () => resolve()))
    expect(byAgent(server, "Streams.Read")).toEqual({ grpcJs: 1, other: 3 })
  })

  it("falls back to plain Append when ServerFeatures is absent, and its bridge still reads", async () => {
    const { server, kurrent } = await onServer({ serverFeatures: "unimplemented" })
    await kurrent.appendToStream("fallback", jsonEvent({ type: "A", data: {} }))
    await kurrent.appendToStream("fallback", jsonEvent({ type: "B", data: {} }), { streamState: 0n })
    expect(server.callCount("Streams.BatchAppend")).toBe(0)
    expect(byAgent(server, "Streams.Append")).toEqual({ grpcJs: 2, other: 0 })
    const read = await collect(kurrent.readStream("fallback"))
    expect(read.map((e) => e.event?.type)).toEqual(["A", "B"])
  })

  it("counts every call of the old client as grpc-js's", async () => {
    const { server, old } = await onServer({ serverFeatures: "unimplemented" })
    await old.appendToStream("old-only", oldJsonEvent({ type: "A", data: {} }))
    await collect(old.readStream("old-only"))
    await collect(old.readAll({ maxCount: 10 }))
    expect(byAgent(server, "Streams.Read")).toEqual({ grpcJs: 2, other: 0 })
    expect(server.callsByAgent("Streams.Delete").size).toBe(0)
  })
})
