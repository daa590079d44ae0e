/**
 * Assembles the server: a fresh store and its context, and grpc-js servers for it — the `Streams` service and
 * (unless told not to) the `ServerFeatures` service, bound to a host and port. A restart binds a new grpc-js server
 * for the same context.
 *
 * @internal
 */
import { handleAppend } from "./append.js"
import { handleBatchAppend } from "./batchAppend.js"
import { ServerContext } from "./context.js"
import { handleDelete, handleTombstone } from "./delete.js"
import { internalError, invalidArgumentError } from "./errors.js"
import { handleGetSupportedMethods } from "./features.js"
import {
  type Grpc,
  grpc,
  type StreamsGrpcPb,
  type StreamsPb,
  serverFeaturesGrpcPb,
  streamsGrpcPb
} from "./generated.js"
import { readOnce } from "./read.js"
import { Store } from "./store.js"
import { subscribe } from "./subscription.js"
import { writeSystemEvents } from "./systemEvents.js"

export interface ServerSettings {
  /** `host:port` for grpc-js, an IPv6 host in brackets. */
  readonly address: string
  readonly serverFeatures: "advertised" | "unimplemented"
}

/** One grpc-js server listening for a context: its port, and how to stop it (its open calls ended first). */
export interface Listening {
  readonly port: number
  readonly shutdown: () => Promise<void>
}

/** The client accepts messages up to 17 MiB; a real server accepts appends of up to 16 MiB records. */
const MAX_MESSAGE_LENGTH = 17 * 1024 * 1024
/** How long a graceful shutdown may take before open calls are cut. */
const SHUTDOWN_GRACE_MS = 500

const handleRead =
  (context: ServerContext) =>
  (call: Grpc.ServerWritableStream<StreamsPb.ReadReq, StreamsPb.ReadResp>): void => {
    context.called("Streams.Read", call)
    const options = call.request.getOptions()
    if (options === undefined) {
      call.emit("error", invalidArgumentError("A read needs options."))
      return
    }
    const work = options.hasSubscription() ? subscribe(context, call, options) : readOnce(context, call, options)
    work.catch((cause: unknown) => call.emit("error", internalError(cause)))
  }

/** A fresh store, with the server's own system events, and the context every handler of it shares. */
export const makeContext = (maxAppendSize: number): ServerContext => {
  const store = new Store()
  writeSystemEvents(store)
  return new ServerContext(store, maxAppendSize)
}

/**
 * A grpc-js server answering for `context`, bound to `settings.address`. Several may serve one context in turn (a
 * restart): the store and the counts stay with the context, the calls end with the server that took them.
 */
export const listen = async (context: ServerContext, settings: ServerSettings): Promise<Listening> => {
  const server = new grpc.Server({
    "grpc.max_receive_message_length": MAX_MESSAGE_LENGTH,
    "grpc.max_send_message_length": MAX_MESSAGE_LENGTH
  })
  const streams: StreamsGrpcPb.IStreamsServer = {
    read: handleRead(context),
    append: handleAppend(context),
    delete: handleDelete(context),
    tombstone: handleTombstone(context),
    batchAppend: handleBatchAppend(context)
  }
  server.addService(streamsGrpcPb.StreamsService, streams)
  if (settings.serverFeatures === "advertised") {
    server.addService(serverFeaturesGrpcPb.ServerFeaturesService, {
      getSupportedMethods: handleGetSupportedMethods(context)
    })
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(settings.address, grpc.ServerCredentials.createInsecure(), (error, bound) =>
      error === null ? resolve(bound) : reject(error)
    )
  })

  const shutdown = async (): Promise<void> => {
    for (const call of context.openCalls()) call.terminate("shutdown")
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        server.forceShutdown()
        resolve()
      }, SHUTDOWN_GRACE_MS)
      server.tryShutdown(() => {
        clearTimeout(timer)
        resolve()
      })
    })
  }

  return { port, shutdown }
}
