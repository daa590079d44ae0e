/**
 * `restart()`: every call ended, the listener and its connections closed, then the same store served again on the
 * same port — what clients of a real server see when its process restarts.
 */
import { createConnection } from "node:net"
import { END, jsonEvent, START, UnavailableError } from "@eventstore/db-client"
import { describe, expect, it } from "vitest"
import { start } from "../src/index.js"
import { clientFor, collect, eventually, harness, record, rejection } from "./helpers.js"

/** Whether a TCP connection to the port is accepted right now. */
const accepts = (port: number): Promise<boolean> =>
  new Promise((resolve) => {
    const socket = createConnection({ port, host: "127.0.0.1" })
    socket.once("connect", () => {
      socket.destroy()
      resolve(true)
    })
    socket.once("error", () => resolve(false))
  })

/**
 * Calls `attempt` until it succeeds: a client whose connection the restart closed may fail the call it was making
 * then; the limit only stops a test that would otherwise hang.
 */
const once = async <A>(attempt: () => Promise<A>): Promise<A> => {
  const deadline = Date.now() + 30_000
  for (;;) {
    try {
      return await attempt()
    } catch (error) {
      if (!(error instanceof UnavailableError) || Date.now() > deadline) throw error
      await new Promise((resolve) => setTimeout(resolve, 20))
    }
  }
}

describe("restart", () => {
  it("serves the same store on the same port, to the clients it had and to new ones", async () => {
    const { server, client } = await harness()
    await client.appendToStream("kept", [jsonEvent({ type: "Written", data: { n: 1 } })])
    const before = await collect(client.readAll({ fromPosition: START }))

    await server.restart()

    expect(await accepts(server.port)).toBe(true)
    // The client that was connected reconnects; its first call may meet the closed connection.
    const readAgain = await once(() => collect(client.readStream("kept")))
    expect(readAgain.map((resolved) => resolved.event?.data)).toEqual([{ n: 1 }])
    const fresh = clientFor(server)
    const all = await collect(fresh.readAll({ fromPosition: START }))
    expect(all.map((resolved) => resolved.event?.position)).toEqual(before.map((resolved) => resolved.event?.position))

    // Writes go on where they stopped: the revision and the positions follow the ones before the restart.
    const appended = await once(() => client.appendToStream("kept", [jsonEvent({ type: "Written", data: { n: 2 } })]))
    expect(appended.nextExpectedRevision).toBe(1n)
    const last = before[before.length - 1]?.event?.position.commit ?? 0n
    expect(appended.position?.commit ?? 0n).toBeGreaterThan(last)
  })

  it("ends open subscriptions with UNAVAILABLE; a new one receives what was written before and after", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", [jsonEvent({ type: "Before", data: {} })])
    const toAll = record(client.subscribeToAll({ fromPosition: END }))
    const toStream = record(client.subscribeToStream("s"))
    await toAll.waitFor((r) => r.has("caughtUp"))
    await toStream.waitFor((r) => r.has("caughtUp"))
    expect(server.openSubscriptions()).toBe(2)

    await server.restart()

    await toAll.waitFor((r) => r.has("error"))
    await toStream.waitFor((r) => r.has("error"))
    for (const recorder of [toAll, toStream]) {
      const error = recorder.timeline.find((entry) => entry.kind === "error")
      expect(error?.kind === "error" && error.error).toBeInstanceOf(UnavailableError)
    }
    expect(server.openSubscriptions()).toBe(0)

    await once(() => client.appendToStream("s", [jsonEvent({ type: "After", data: {} })]))
    const again = record(client.subscribeToStream("s"))
    await again.waitForEvents(2)
    expect(again.events.map((resolved) => resolved.event?.type)).toEqual(["Before", "After"])
    await eventually(() => server.openSubscriptions() === 1)
  })

  it("keeps counting calls, restarts more than once, and closes for good", async () => {
    const { server, client } = await harness()
    await client.appendToStream("s", [jsonEvent({ type: "One", data: {} })])
    const appends = server.callCount("Streams.BatchAppend")
    expect(appends).toBeGreaterThan(0)

    await server.restart()
    await server.restart()
    await once(() => client.appendToStream("s", [jsonEvent({ type: "Two", data: {} })]))
    expect(server.callCount("Streams.BatchAppend")).toBeGreaterThan(appends)
    expect((await collect(client.readStream("s"))).map((resolved) => resolved.event?.type)).toEqual(["One", "Two"])

    await server.close()
    expect(await accepts(server.port)).toBe(false)
    expect(await rejection(server.restart())).toBeInstanceOf(Error)
    expect(await accepts(server.port)).toBe(false)
  })

  it("runs a restart and a close asked for together one after the other", async () => {
    const server = await start()
    const restarted = server.restart()
    const closed = server.close()
    await restarted
    await closed
    expect(await accepts(server.port)).toBe(false)
  })
})
