/**
 * The one place that loads `@eventstore/db-client`'s generated protobuf and gRPC modules.
 *
 * The generated message classes check `instanceof` against the classes of the module instance that
 * serialises them, and the generated service definitions are bound to the `@grpc/grpc-js` instance
 * they `require`. A server that built its messages with another copy of these modules (or registered
 * the services on another grpc-js) would fail with "Expected argument of type …". So every module
 * is loaded with a `require` rooted at the client package itself: whatever the client resolves, we
 * resolve. `require` returns an untyped value; each binding below is annotated with the type of the
 * module's own `.d.ts`, which is the only loose step and stays inside this file.
 *
 * The generated modules also register every message class in one namespace on the global object
 * (`globalThis.proto.event_store.client…`), and their methods look classes up there when they run. A second copy of
 * the same protocol's generated code — `@kurrent/kurrentdb-client` ships one — registers the same names: whichever
 * loaded last wins, and the other copy's methods then run against its classes. The newer client's classes are a
 * superset, but neither copy's methods work on the other's classes. So this server loads its copy with a namespace
 * of its own (`isolated.ts`); the client's own modules are left to the client.
 *
 * @internal
 */
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import type * as CodePb from "@eventstore/db-client/generated/code_pb.js"
import type * as ServerFeaturesGrpcPb from "@eventstore/db-client/generated/serverfeatures_grpc_pb.js"
import type * as ServerFeaturesPb from "@eventstore/db-client/generated/serverfeatures_pb.js"
import type * as SharedPb from "@eventstore/db-client/generated/shared_pb.js"
import type * as StatusPb from "@eventstore/db-client/generated/status_pb.js"
import type * as StreamsGrpcPb from "@eventstore/db-client/generated/streams_grpc_pb.js"
import type * as StreamsPb from "@eventstore/db-client/generated/streams_pb.js"
import type * as Grpc from "@grpc/grpc-js"
import type * as AnyPb from "google-protobuf/google/protobuf/any_pb.js"
import type * as EmptyPb from "google-protobuf/google/protobuf/empty_pb.js"
import { isolatedLoader } from "./isolated.js"

const clientEntry = createRequire(import.meta.url).resolve("@eventstore/db-client")
const clientRequire = createRequire(clientEntry)

/** The `@grpc/grpc-js` instance the client's generated service definitions use. */
export const grpc: typeof Grpc = clientRequire("@grpc/grpc-js")
const load = isolatedLoader(join(dirname(clientEntry), "..", "generated"), clientRequire)
const generated = {
  streamsPb: load("streams_pb.js") as typeof StreamsPb,
  streamsGrpcPb: load("streams_grpc_pb.js") as typeof StreamsGrpcPb,
  sharedPb: load("shared_pb.js") as typeof SharedPb,
  statusPb: load("status_pb.js") as typeof StatusPb,
  codePb: load("code_pb.js") as typeof CodePb,
  serverFeaturesPb: load("serverfeatures_pb.js") as typeof ServerFeaturesPb,
  serverFeaturesGrpcPb: load("serverfeatures_grpc_pb.js") as typeof ServerFeaturesGrpcPb,
  // Well-known types: shared with the client (google-protobuf registers them once, under google.protobuf).
  anyPb: clientRequire("google-protobuf/google/protobuf/any_pb.js") as typeof AnyPb,
  emptyPb: clientRequire("google-protobuf/google/protobuf/empty_pb.js") as typeof EmptyPb
}

export const streamsPb: typeof StreamsPb = generated.streamsPb
export const streamsGrpcPb: typeof StreamsGrpcPb = generated.streamsGrpcPb
export const sharedPb: typeof SharedPb = generated.sharedPb
export const statusPb: typeof StatusPb = generated.statusPb
export const codePb: typeof CodePb = generated.codePb
export const serverFeaturesPb: typeof ServerFeaturesPb = generated.serverFeaturesPb
export const serverFeaturesGrpcPb: typeof ServerFeaturesGrpcPb = generated.serverFeaturesGrpcPb
export const anyPb: typeof AnyPb = generated.anyPb
export const emptyPb: typeof EmptyPb = generated.emptyPb

export type { Grpc, ServerFeaturesGrpcPb, ServerFeaturesPb, SharedPb, StatusPb, StreamsGrpcPb, StreamsPb }
