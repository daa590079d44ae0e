/**
 * `ServerFeatures.GetSupportedMethods`: lists only what this server implements. Listing
 * `Streams.BatchAppend` makes the client send every append (without per-call credentials) over one
 * long-lived `BatchAppend` call, as it does against a real 21.10+ server.
 *
 * @internal
 */
import type { ServerContext } from "./context.js"
import { type Grpc, type ServerFeaturesPb, type SharedPb, serverFeaturesPb } from "./generated.js"

/** The version reported to clients: a current server line, so the client takes its current code paths. */
export const SERVER_VERSION = "24.10.0"

const STREAMS = "event_store.client.streams.streams"
const SERVER_FEATURES = "event_store.client.server_features.serverfeatures"

const methods: ReadonlyArray<readonly [service: string, method: string, features: ReadonlyArray<string>]> = [
  [STREAMS, "read", ["position", "events"]],
  [STREAMS, "append", []],
  [STREAMS, "delete", []],
  [STREAMS, "tombstone", []],
  [STREAMS, "batchappend", []],
  [SERVER_FEATURES, "getsupportedmethods", []]
]

export const handleGetSupportedMethods =
  (context: ServerContext) =>
  (
    call: Grpc.ServerUnaryCall<SharedPb.Empty, ServerFeaturesPb.SupportedMethods>,
    callback: Grpc.sendUnaryData<ServerFeaturesPb.SupportedMethods>
  ): void => {
    context.called("ServerFeatures.GetSupportedMethods", call)
    const supported = methods.map(([service, method, features]) =>
      new serverFeaturesPb.SupportedMethod()
        .setServiceName(service)
        .setMethodName(method)
        .setFeaturesList([...features])
    )
    callback(
      null,
      new serverFeaturesPb.SupportedMethods().setEventStoreServerVersion(SERVER_VERSION).setMethodsList(supported)
    )
  }
