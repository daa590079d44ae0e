/**
 * What every RPC handler of one server shares: the store, the settings and the calls still open.
 *
 * @internal
 */
import type { Store } from "./store.js"

/** The RPCs the server implements, named `Service.Method`. */
export type RpcMethod =
  | "ServerFeatures.GetSupportedMethods"
  | "Streams.Append"
  | "Streams.BatchAppend"
  | "Streams.Delete"
  | "Streams.Read"
  | "Streams.Tombstone"

/**
 * How an open call is ended from the server side: `unavailable` fails it with UNAVAILABLE (a dropped
 * connection, as the client sees it), `end` completes it with OK, `shutdown` is `unavailable` on close.
 */
export type TerminateReason = "unavailable" | "end" | "shutdown"

export interface OpenCall {
  readonly kind: "subscription" | "read" | "batchAppend"
  terminate(reason: TerminateReason): void
}

export class ServerContext {
  private readonly open = new Set<OpenCall>()
  private readonly counts = new Map<RpcMethod, number>()

  constructor(
    readonly store: Store,
    readonly maxAppendSize: number
  ) {}

  called(method: RpcMethod): void {
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1)
  }

  callCount(method: RpcMethod): number {
    return this.counts.get(method) ?? 0
  }

  /** Registers an open call; the returned function unregisters it. */
  track(call: OpenCall): () => void {
    this.open.add(call)
    return () => {
      this.open.delete(call)
    }
  }

  openCalls(kind?: OpenCall["kind"]): ReadonlyArray<OpenCall> {
    return [...this.open].filter((call) => kind === undefined || call.kind === kind)
  }
}
