/**
 * Starts the example on 127.0.0.1, on a port the system picks, over a store the test can inspect.
 */
import {
  EventStore,
  type EventStoreShape,
  isUsageStream,
  ServiceAccounts,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope, Stream } from "effect"
import { baseUrl, ServerLive, type ServerOptions } from "../src/Server.js"

export interface RunningServer {
  /** `http://127.0.0.1:<port>` */
  readonly url: string
  /** The in-memory store the server runs on, unless another store layer was given. */
  readonly store: EventStoreShape
  /**
   * How many events `store` holds outside the usage streams: a refused request must not change it. (Usage is flushed
   * to its own streams in the background, whenever the recorder's interval comes.)
   */
  readonly eventCount: () => Promise<number>
  /** The service the server runs on (to seed demo data). */
  readonly service: ServiceAccountsShape
  readonly close: () => Promise<void>
}

/** The example over the given store layer (the in-memory store when none is given). */
export const startServer = async <E>(
  storeLayer?: Layer.Layer<EventStore, E>,
  options: ServerOptions = {}
): Promise<RunningServer> => {
  const store = await Effect.runPromise(makeMemoryStore)
  const scope = Effect.runSync(Scope.make())
  const layer = ServerLive(
    { port: 0, host: "127.0.0.1" },
    storeLayer ?? Layer.succeed(EventStore, store),
    options
  ).pipe(
    // Tests show warnings and errors only.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
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

/** Who calls: the demo login's headers. */
export type As = "admin" | "member" | "globexAdmin" | "teamAdmin" | "nobody"

const callers: Record<As, Record<string, string>> = {
  admin: { "x-demo-org": "acme", "x-demo-user": "alice@acme.example.com", "x-demo-role": "administrator" },
  member: { "x-demo-org": "acme", "x-demo-user": "bob@acme.example.com", "x-demo-role": "member" },
  globexAdmin: { "x-demo-org": "globex", "x-demo-user": "gina@globex.example.com", "x-demo-role": "administrator" },
  teamAdmin: { "x-demo-org": "small-co", "x-demo-user": "carol@small-co.example.com", "x-demo-role": "administrator" },
  nobody: {}
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
