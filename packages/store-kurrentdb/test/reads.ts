import type { TestServerService } from "@service-accounts/eventstoredb-test-server"
import { Effect } from "effect"

/**
 * The `Streams.Read` calls a test server received, by client library: grpc-js's (its `user-agent` starts with
 * `grpc-node-js/`) and the native bridge's (no `user-agent`). Any other agent fails the test.
 */
export const readsByAgent = (server: Pick<TestServerService, "callsByAgent">) =>
  Effect.map(server.callsByAgent("Streams.Read"), (byAgent) => {
    let grpcJs = 0
    let bridge = 0
    for (const [agent, count] of byAgent) {
      if (agent.startsWith("grpc-node-js/")) grpcJs += count
      else if (agent === "") bridge += count
      else throw new Error(`a read from an unexpected client: ${agent}`)
    }
    return { grpcJs, bridge }
  })
