/**
 * The commands workload over EventStoreDB through `store-kurrentdb` and its client's raw appends, at a tiny size: it
 * runs and its results are right. A file of its own, so a process of its own: the two clients break each other's
 * appends in one process, and smoke.test.ts uses the other one.
 */
import { start as startTestServer } from "@service-accounts/eventstoredb-test-server"
import { describe, expect, it } from "vitest"
import { libraryCommands, rawAppends } from "../src/workloads/esdb-commands.js"

describe("the commands workload through store-kurrentdb", () => {
  it("issues tokens through the adapter and appends the same size through the raw client", async () => {
    const server = await startTestServer()
    const connectionString = server.connectionString
    try {
      const ours = await libraryCommands({ connectionString, count: 5, warmup: 2, adapter: "kurrentdb" })
      expect(ours.count).toBe(5)
      expect(ours.perSecond).toBeGreaterThan(0)
      expect(ours.eventSize.data).toBeGreaterThan(100)
      const theirs = await rawAppends({
        connectionString,
        count: 5,
        warmup: 2,
        size: ours.eventSize,
        adapter: "kurrentdb"
      })
      expect(theirs.perSecond).toBeGreaterThan(0)
      // Each side went through the new client: its appends over BatchAppend, its reads through the native bridge.
      expect(server.callsByAgent("Streams.Read").get("")).toBeGreaterThan(0)
      expect(server.callCount("Streams.BatchAppend")).toBeGreaterThan(0)
    } finally {
      await server.close()
    }
  })
})
