import { createServer, connect as dial } from "node:net"
import { EventStoreDBClient, jsonEvent, START, StreamNotFoundError, UnavailableError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { type RunningTestServer, start } from "../src/index.js"
import { collect, defer, harness, rejection } from "./helpers.js"

/** Whether a socket can listen on `host` here (and, with `reach`, be reached at `reach`). */
const canListen = (host: string, reach?: string): Promise<boolean> =>
  new Promise((resolve) => {
    const probe = createServer((socket) => socket.destroy())
    const done = (ok: boolean) => probe.close(() => resolve(ok))
    probe.once("error", () => resolve(false))
    probe.listen(0, host, () => {
      const address = probe.address()
      if (reach === undefined || typeof address !== "object" || address === null) return done(reach === undefined)
      const socket = dial(address.port, reach, () => {
        socket.destroy()
        done(true)
      })
      socket.once("error", () => done(false))
    })
  })

const hasIpv6Loopback = await canListen("::1")
const isDualStack = hasIpv6Loopback && (await canListen("::", "127.0.0.1"))

/** Appends and reads back through a client, over BatchAppend and Read. */
const roundTrip = async (client: EventStoreDBClient, stream: string) => {
  await client.appendToStream(stream, jsonEvent({ type: "Written", data: { over: stream } }))
  const read = await collect(client.readStream(stream))
  return read.map((resolved) => resolved.event?.data)
}

const clientAt = (endpoint: string) => {
  const client = new EventStoreDBClient({ endpoint }, { insecure: true })
  defer(() => client.dispose())
  return client
}

const serverOn = async (host: string): Promise<RunningTestServer> => {
  const server = await start({ host })
  defer(() => server.close())
  return server
}

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

  it("closes while a client still has a subscription and a BatchAppend call open, ending them", async () => {
    const server = await start()
    const client = EventStoreDBClient.connectionString(server.connectionString)
    defer(() => client.dispose())
    await client.appendToStream("open-calls", jsonEvent({ type: "Written", data: {} }))
    const subscription = client.subscribeToStream("open-calls")
    const failed = new Promise((resolve) => subscription.once("error", resolve))
    await new Promise((resolve) => subscription.once("caughtUp", resolve))
    // Closing does not wait for the client to hang up: the server ends the calls itself.
    await server.close()
    expect(await failed).toBeInstanceOf(UnavailableError)
    expect(server.openSubscriptions()).toBe(0)
  })
})

describe.skipIf(!hasIpv6Loopback)("IPv6 (skipped on a machine without an IPv6 loopback)", () => {
  it("listens on ::1, and the official client connects to it by its endpoint", async () => {
    const server = await serverOn("::1")
    expect(server.host).toBe("::1")
    expect(server.endpoint).toBe(`[::1]:${server.port}`)
    // Standard URI syntax, though the 6.2.1 client's connection string parser takes no IPv6 literal.
    expect(server.connectionString).toBe(`esdb://[::1]:${server.port}?tls=false`)
    expect(await roundTrip(clientAt(server.endpoint), "over-ipv6")).toEqual([{ over: "over-ipv6" }])
    expect(server.callCount("Streams.BatchAppend")).toBe(1)
  })

  it("takes an IPv6 address in brackets too", async () => {
    const server = await serverOn("[::1]")
    expect(server.host).toBe("::1")
    expect(await roundTrip(clientAt(server.endpoint), "bracketed")).toEqual([{ over: "bracketed" }])
  })

  it("listens on :: on the IPv6 loopback, and on the IPv4 one where sockets are dual-stack", async () => {
    const server = await serverOn("::")
    expect(server.endpoint).toBe(`127.0.0.1:${server.port}`)
    expect(await roundTrip(clientAt(`[::1]:${server.port}`), "over-ipv6")).toEqual([{ over: "over-ipv6" }])
    if (!isDualStack) return
    const client = EventStoreDBClient.connectionString(server.connectionString)
    defer(() => client.dispose())
    expect(await roundTrip(client, "over-ipv4")).toEqual([{ over: "over-ipv4" }])
  })
})
