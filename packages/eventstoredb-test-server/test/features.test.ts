import { jsonEvent } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { grpc, serverFeaturesGrpcPb, sharedPb } from "../src/internal/generated.js"
import type { RunningTestServer } from "../src/index.js"
import { collect, defer, events, harness } from "./helpers.js"

const supportedMethods = (server: RunningTestServer) => {
  const raw = new serverFeaturesGrpcPb.ServerFeaturesClient(
    `127.0.0.1:${server.port}`,
    grpc.credentials.createInsecure()
  )
  defer(async () => raw.close())
  return new Promise<{ version: string; methods: Array<string> } | { code: number }>((resolve) => {
    raw.getSupportedMethods(new sharedPb.Empty(), (error, response) => {
      if (error !== null) return resolve({ code: error.code })
      resolve({
        version: response.getEventStoreServerVersion(),
        methods: response
          .getMethodsList()
          .map((m) => `${m.getServiceName()}/${m.getMethodName()}[${m.getFeaturesList().join(",")}]`)
      })
    })
  })
}

describe("ServerFeatures", () => {
  it("advertises exactly the methods it implements, BatchAppend included", async () => {
    const { server } = await harness()
    expect(await supportedMethods(server)).toEqual({
      version: "24.10.0",
      methods: [
        "event_store.client.streams.streams/read[position,events]",
        "event_store.client.streams.streams/append[]",
        "event_store.client.streams.streams/delete[]",
        "event_store.client.streams.streams/tombstone[]",
        "event_store.client.streams.streams/batchappend[]",
        "event_store.client.server_features.serverfeatures/getsupportedmethods[]"
      ]
    })
  })

  it("makes the client ask once, lazily, then send every append through BatchAppend", async () => {
    const { server, client } = await harness()
    await collect(client.readAll({ maxCount: 1 }))
    expect(server.callCount("ServerFeatures.GetSupportedMethods")).toBe(0)

    await client.appendToStream("features-1", events(2))
    await client.appendToStream("features-2", events(1))
    await client.appendToStream("features-1", events(1), { expectedRevision: 1n })

    expect(server.callCount("ServerFeatures.GetSupportedMethods")).toBe(1)
    expect(server.callCount("Streams.Append")).toBe(0)
    // One long-lived call carries all three appends.
    expect(server.callCount("Streams.BatchAppend")).toBe(1)
  })

  it("when the service is absent (UNIMPLEMENTED), makes the client fall back to plain Append", async () => {
    const { server, client } = await harness({ serverFeatures: "unimplemented" })
    expect(await supportedMethods(server)).toEqual({ code: grpc.status.UNIMPLEMENTED })

    await client.appendToStream("fallback", jsonEvent({ type: "A", data: {} }))
    await client.appendToStream("fallback", jsonEvent({ type: "B", data: {} }), { expectedRevision: 0n })

    expect(server.callCount("Streams.BatchAppend")).toBe(0)
    expect(server.callCount("Streams.Append")).toBe(2)
  })
})
