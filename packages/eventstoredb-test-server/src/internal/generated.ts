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
 * @internal
 */
import { createRequire } from "node:module"
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

const clientEntry = createRequire(import.meta.url).resolve("@eventstore/db-client")
const clientRequire = createRequire(clientEntry)

/** The `@grpc/grpc-js` instance the client's generated service definitions use. */
export const grpc: typeof Grpc = clientRequire("@grpc/grpc-js")
export const streamsPb: typeof StreamsPb = clientRequire("../generated/streams_pb.js")
export const streamsGrpcPb: typeof StreamsGrpcPb = clientRequire("../generated/streams_grpc_pb.js")
export const sharedPb: typeof SharedPb = clientRequire("../generated/shared_pb.js")
export const statusPb: typeof StatusPb = clientRequire("../generated/status_pb.js")
export const codePb: typeof CodePb = clientRequire("../generated/code_pb.js")
export const serverFeaturesPb: typeof ServerFeaturesPb = clientRequire("../generated/serverfeatures_pb.js")
export const serverFeaturesGrpcPb: typeof ServerFeaturesGrpcPb = clientRequire("../generated/serverfeatures_grpc_pb.js")
export const anyPb: typeof AnyPb = clientRequire("google-protobuf/google/protobuf/any_pb.js")
export const emptyPb: typeof EmptyPb = clientRequire("google-protobuf/google/protobuf/empty_pb.js")

export type { Grpc, ServerFeaturesGrpcPb, ServerFeaturesPb, SharedPb, StatusPb, StreamsGrpcPb, StreamsPb }
