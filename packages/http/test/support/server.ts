/**
 * Starts `HttpService.layer` (with the tests' login) on Node's HTTP server, on 127.0.0.1 and a port the system picks,
 * over a store the test can inspect; and a client that keeps every answer.
 */
import { createServer } from "node:http"
import { HttpServer } from "@effect/platform"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import {
  EventStore,
  type EventStoreShape,
  isUsageStream,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { HttpService } from "@service-accounts/http"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { type Clock, Context, Effect, Exit, Layer, Logger, LogLevel, Scope, Stream } from "effect"
import { type As, callers, headerLogin } from "./login.js"

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The store the server runs on. */
  readonly store: EventStoreShape
  /**
   * How many events `store` holds outside the usage streams: a refused request must not change it. (Usage is
   * flushed to its own streams in the background, whenever the recorder's interval comes.)
   */
  readonly eventCount: () => Promise<number>
  /** The service the server runs on, for what the API does not offer (reporting a use at a time of the test's). */
  readonly service: ServiceAccountsShape
  readonly close: () => Promise<void>
}

export interface ServerOptions {
  /** The store (a new in-memory store when not given). */
  readonly store?: EventStoreShape
  readonly service?: ServiceAccountsOptions
  /** `HttpService.layer`'s `recordUsage` (default: its default). */
  readonly recordUsage?: boolean
  /** The clock the server runs on (default: the real one). */
  readonly clock?: Clock.Clock
}

const baseUrl = HttpServer.addressWith((address) =>
  Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "http://localhost")
)

export const startServer = async (options: ServerOptions = {}): Promise<RunningServer> => {
  const store = options.store ?? (await Effect.runPromise(makeMemoryStore))
  const scope = Effect.runSync(Scope.make())
  const recordUsage = options.recordUsage === undefined ? {} : { recordUsage: options.recordUsage }
  const layer = HttpService.layer({ login: headerLogin, ...recordUsage }).pipe(
    Layer.provideMerge(ServiceAccounts.layerWith(options.service ?? {})),
    Layer.provide(Layer.succeed(EventStore, store)),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    // Warnings and errors only: the library's routine lines would drown the test output.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)),
    Layer.provide(options.clock === undefined ? Layer.empty : Layer.setClock(options.clock))
  )
  try {
    const context = await Effect.runPromise(Layer.buildWithScope(layer, scope))
    const url = await Effect.runPromise(Effect.provide(baseUrl, context))
    return {
      url,
      store,
      eventCount: () =>
        Effect.runPromise(Stream.runCount(Stream.filter(store.readAll(), (event) => !isUsageStream(event.streamId)))),
      service: Context.get(context, ServiceAccounts),
      close: () => Effect.runPromise(Scope.close(scope, Exit.void))
    }
  } catch (error) {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    throw error
  }
}

export interface Answer {
  readonly status: number
  readonly headers: Headers
  readonly text: string
  /** The body as JSON (`undefined` for an empty body). */
  readonly json: unknown
}

export interface CallOptions {
  readonly as?: As
  /** A JSON body. */
  readonly body?: unknown
  /** A body sent as it is, with `Content-Type: application/json`. */
  readonly rawBody?: string
  readonly headers?: Record<string, string>
}

/** Calls the server and keeps every answer (for the check that no answer but the issue one holds a secret). */
export const client = (url: string) => {
  const answers: Array<{ readonly method: string; readonly path: string; readonly answer: Answer }> = []
  const call = async (method: string, path: string, options: CallOptions = {}): Promise<Answer> => {
    const body = options.rawBody ?? (options.body === undefined ? undefined : JSON.stringify(options.body))
    const response = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...callers[options.as ?? "admin"],
        ...(body === undefined ? {} : { "content-type": "application/json" }),
        ...options.headers
      },
      ...(body === undefined ? {} : { body })
    })
    const text = await response.text()
    const json: unknown = text === "" ? undefined : JSON.parse(text)
    const answer = { status: response.status, headers: response.headers, text, json }
    answers.push({ method, path, answer })
    return answer
  }
  return { call, answers }
}
