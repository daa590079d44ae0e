import { EventStoreDBClient, jsonEvent, START, StreamNotFoundError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { start } from "../src/index.js"
import { collect, defer, harness, rejection } from "./helpers.js"

describe("start", () => {
  it("listens on a free port and gives an esdb connection string without TLS", async () => {
    const { server } = await harness()
    expect(server.port).toBeGreaterThan(0)
    expect(server.host).toBe("127.0.0.1")
    expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`)
  })

  it("listens on the port it is given", async () => {
    const probe = await start()
    const port = probe.port
    await probe.close()
    const server = await start({ port })
    defer(() => server.close())
    expect(server.port).toBe(port)
  })

  it("refuses a port that is taken", async () => {
    const { server } = await harness()
    await expect(start({ port: server.port })).rejects.toThrow()
  })

  it("gives two independent, empty stores when started twice", async () => {
    const a = await harness()
    const b = await harness()
    await a.client.appendToStream("only-in-a", jsonEvent({ type: "Written", data: {} }))

    expect(await rejection(collect(b.client.readStream("only-in-a")))).toBeInstanceOf(StreamNotFoundError)
    const allOfB = await collect(b.client.readAll({ fromPosition: START }))
    expect(allOfB.every((e) => e.event?.type.startsWith("$"))).toBe(true)
    const allOfA = await collect(a.client.readAll({ fromPosition: START }))
    expect(allOfA.map((e) => e.event?.streamId)).toContain("only-in-a")
  })

  it("has the server's own $-prefixed system events in $all before any user write", async () => {
    const { client } = await harness()
    const all = await collect(client.readAll({ fromPosition: START }))
    expect(all.length).toBeGreaterThan(0)
    for (const resolved of all) {
      expect(resolved.event?.streamId.startsWith("$")).toBe(true)
      expect(resolved.event?.type.startsWith("$")).toBe(true)
    }
  })

  it("stops listening on close, and close can be called again", async () => {
    const server = await start()
    await server.close()
    await server.close()
    const client = EventStoreDBClient.connectionString(server.connectionString)
    defer(() => client.dispose())
    await expect(collect(client.readStream("anything"))).rejects.toThrow()
  })

  it("closes while a client still has a subscription and a BatchAppend call open", async () => {
    const server = await start()
    const client = EventStoreDBClient.connectionString(server.connectionString)
    defer(() => client.dispose())
    await client.appendToStream("open-calls", jsonEvent({ type: "Written", data: {} }))
    const subscription = client.subscribeToStream("open-calls")
    subscription.on("error", () => {})
    await new Promise((resolve) => subscription.once("caughtUp", resolve))
    const started = Date.now()
    await server.close()
    expect(Date.now() - started).toBeLessThan(2000)
  })
})
