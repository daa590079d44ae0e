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

/** What the server reads of a call to tell its client apart: its headers. */
export interface CallHeaders {
  readonly metadata?: { get(key: string): ReadonlyArray<unknown> }
}

/**
 * The client library a call came from, by its `user-agent` header (`grpc-node-js/1.14.7` for grpc-js), or `""` when
 * it sent none (the native bridge of `@kurrent/kurrentdb-client` sends none).
 */
const agentOf = (call: CallHeaders | undefined): string => {
  const [agent] = call?.metadata?.get("user-agent") ?? []
  return typeof agent === "string" ? agent : ""
}

export class ServerContext {
  private readonly open = new Set<OpenCall>()
  private readonly counts = new Map<RpcMethod, number>()
  private readonly agents = new Map<RpcMethod, Map<string, number>>()

  constructor(
    readonly store: Store,
    readonly maxAppendSize: number
  ) {}

  called(method: RpcMethod, call?: CallHeaders): void {
    this.counts.set(method, (this.counts.get(method) ?? 0) + 1)
    const agent = agentOf(call)
    const byAgent = this.agents.get(method) ?? new Map<string, number>()
    byAgent.set(agent, (byAgent.get(agent) ?? 0) + 1)
    this.agents.set(method, byAgent)
  }

  /** How many calls of a method each client library made, by `user-agent` (`""`: none sent). */
  callsByAgent(method: RpcMethod): ReadonlyMap<string, number> {
    return new Map(this.agents.get(method))
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
