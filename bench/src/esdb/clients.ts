/**
 * The two adapters over EventStoreDB, as the commands workload (`../workloads/esdb-commands.ts`) uses them: the
 * adapter's layer, and its client's own calls for the raw baseline. Each is imported only when asked for: the two
 * clients break each other's appends in one process, and every job runs in a process of its own.
 */
import type { EventStore } from "@service-accounts/domain"
import type { Layer } from "effect"
import { type EventSize, rawEvent, sizeOf } from "./events.js"

/** Which adapter: `store-eventstoredb` on `@eventstore/db-client`, or `store-kurrentdb` on `@kurrent/kurrentdb-client`. */
export type EsdbAdapter = "eventstoredb" | "kurrentdb"

export interface AdapterSide {
  /** The adapter's layer on the server. */
  readonly layer: Layer.Layer<EventStore, unknown>
  /** A raw client of the same library, its connection opened on first use. */
  readonly raw: () => RawClient
}

export interface RawClient {
  /** Appends the raw event `n` of `size` with the expectation given; the next expected revision. */
  readonly append: (stream: string, n: number, size: EventSize, expected: bigint | "no_stream") => Promise<bigint>
  /** The size of a stream's last event (data and metadata). */
  readonly lastEventSize: (stream: string) => Promise<EventSize>
  readonly dispose: () => Promise<void>
}

/** The test server gives `esdb://…`; the KurrentDB client takes its own scheme without a deprecation warning. */
const kurrentdb = (connectionString: string) => connectionString.replace(/^esdb:/, "kurrentdb:")

const sizeOfFirst = async (
  events: AsyncIterable<{ readonly event?: { readonly data: unknown; readonly metadata?: unknown } | undefined }>
): Promise<EventSize> => {
  for await (const resolved of events) {
    if (resolved.event !== undefined) return sizeOf(resolved.event.data, resolved.event.metadata)
  }
  return { data: 0, metadata: 0 }
}

/** The adapter's side, for a server's connection string (`esdb://…`, as the test server gives it). */
export const adapterSide = async (adapter: EsdbAdapter, connectionString: string): Promise<AdapterSide> => {
  if (adapter === "kurrentdb") {
    const [{ layer }, client] = await Promise.all([
      import("@service-accounts/store-kurrentdb"),
      import("@kurrent/kurrentdb-client")
    ])
    return {
      layer: layer({ connectionString: kurrentdb(connectionString) }),
      raw: () => {
        const raw = client.KurrentDBClient.connectionString(kurrentdb(connectionString))
        return {
          append: async (stream, n, size, expected) =>
            (
              await raw.appendToStream(stream, client.jsonEvent(rawEvent(n, size)), {
                streamState: expected === "no_stream" ? client.NO_STREAM : expected
              })
            ).nextExpectedRevision,
          lastEventSize: (stream) =>
            sizeOfFirst(raw.readStream(stream, { direction: client.BACKWARDS, fromRevision: client.END, maxCount: 1 })),
          dispose: () => raw.dispose()
        }
      }
    }
  }
  const [{ layer }, client] = await Promise.all([
    import("@service-accounts/store-eventstoredb"),
    import("@eventstore/db-client")
  ])
  return {
    layer: layer({ connectionString }),
    raw: () => {
      const raw = client.EventStoreDBClient.connectionString(connectionString)
      return {
        append: async (stream, n, size, expected) =>
          (
            await raw.appendToStream(stream, client.jsonEvent(rawEvent(n, size)), {
              expectedRevision: expected === "no_stream" ? client.NO_STREAM : expected
            })
          ).nextExpectedRevision,
        lastEventSize: (stream) =>
          sizeOfFirst(raw.readStream(stream, { direction: client.BACKWARDS, fromRevision: client.END, maxCount: 1 })),
        dispose: () => raw.dispose()
      }
    }
  }
}
