// Writes an event the official client cannot write: data stored as `application/json` whose bytes are not JSON,
// as another client (or a bug) could leave behind. Built from @eventstore/db-client's own generated modules, loaded
// through the client's own `require` so the messages match the grpc-js instance its service definitions use.
import { randomUUID } from "node:crypto"
import { createRequire } from "node:module"
import type * as SharedPb from "@eventstore/db-client/generated/shared_pb.js"
import type * as StreamsGrpcPb from "@eventstore/db-client/generated/streams_grpc_pb.js"
import type * as StreamsPb from "@eventstore/db-client/generated/streams_pb.js"
import type * as Grpc from "@grpc/grpc-js"

const clientRequire = createRequire(createRequire(import.meta.url).resolve("@eventstore/db-client"))
const grpc: typeof Grpc = clientRequire("@grpc/grpc-js")
const streamsPb: typeof StreamsPb = clientRequire("../generated/streams_pb.js")
const streamsGrpcPb: typeof StreamsGrpcPb = clientRequire("../generated/streams_grpc_pb.js")
const sharedPb: typeof SharedPb = clientRequire("../generated/shared_pb.js")

/** Appends one event with raw data and metadata bytes (expecting `any`) through a plain gRPC call. */
export const rawAppend = (
  port: number,
  streamId: string,
  event: { readonly type: string; readonly contentType: string; readonly data: string; readonly metadata: string }
): Promise<void> => {
  const client = new streamsGrpcPb.StreamsClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure())
  return new Promise<void>((resolve, reject) => {
    const call = client.append((error) => {
      client.close()
      if (error === null) resolve()
      else reject(error)
    })
    const encoder = new TextEncoder()
    const options = new streamsPb.AppendReq.Options()
      .setStreamIdentifier(new sharedPb.StreamIdentifier().setStreamName(encoder.encode(streamId)))
      .setAny(new sharedPb.Empty())
    const message = new streamsPb.AppendReq.ProposedMessage()
      .setId(new sharedPb.UUID().setString(randomUUID()))
      .setData(encoder.encode(event.data))
      .setCustomMetadata(encoder.encode(event.metadata))
    message.getMetadataMap().set("type", event.type)
    message.getMetadataMap().set("content-type", event.contentType)
    call.write(new streamsPb.AppendReq().setOptions(options))
    call.write(new streamsPb.AppendReq().setProposedMessage(message))
    call.end()
  })
}
