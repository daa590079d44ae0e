/**
 * What every test of an HTTP service built on `HttpService` shares — this package's tests and the HTTP example's: a
 * server started over a store the test can inspect, a client that keeps every answer, the schemas of the answers,
 * and the check that a request is refused (status, error, a message, the field) with nothing appended to the store.
 * Each user brings its own server layer and its own login's headers.
 */
import { afterAll, beforeAll, expect } from "@effect/vitest"
import { HttpServer } from "@effect/platform"
import {
  type EventStoreShape,
  isUsageStream,
  ServiceAccounts,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { Context, Effect, Exit, Layer, Schema, Scope, Stream } from "effect"

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

const baseUrl = HttpServer.addressWith((address) =>
  Effect.succeed(address._tag === "TcpAddress" ? `http://${address.hostname}:${address.port}` : "http://localhost")
)

/** Builds the server's layer in a scope of its own; `close` releases it (the server stops listening). */
export const launch = async <E>(
  layer: Layer.Layer<HttpServer.HttpServer | ServiceAccounts, E>,
  store: EventStoreShape
): Promise<RunningServer> => {
  const scope = Effect.runSync(Scope.make())
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

export interface CallOptions<As extends string = string> {
  /** Who calls (default `admin`): the login's headers of that caller. */
  readonly as?: As | "admin"
  /** A JSON body. */
  readonly body?: unknown
  /** A body sent as it is, with `Content-Type: application/json`. */
  readonly rawBody?: string
  readonly headers?: Record<string, string>
}

/** The login headers of each kind of caller a test uses. */
export type Callers<As extends string> = Record<As | "admin", Record<string, string>>

/** Calls the server and keeps every answer (for the check that no answer but the issue one holds a secret). */
export const client = <As extends string>(url: string, callers: Callers<As>) => {
  const answers: Array<{ readonly method: string; readonly path: string; readonly answer: Answer }> = []
  const call = async (method: string, path: string, options: CallOptions<As> = {}): Promise<Answer> => {
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

export const Created = Schema.Struct({ serviceAccountId: Schema.String, name: Schema.String })
export const Issued = Schema.Struct({
  serviceAccountId: Schema.String,
  tokenId: Schema.String,
  name: Schema.String,
  scopes: Schema.Array(Schema.String),
  hint: Schema.String,
  value: Schema.String,
  sessionJson: Schema.String
})
const ErrorBody = Schema.Struct({ _tag: Schema.String, message: Schema.String, field: Schema.optional(Schema.String) })
export const Listing = Schema.Struct({
  organizationId: Schema.String,
  tenantUrl: Schema.String,
  accounts: Schema.Array(
    Schema.Struct({
      serviceAccountId: Schema.String,
      name: Schema.String,
      tokens: Schema.Array(Schema.Struct({ tokenId: Schema.String, status: Schema.String }))
    })
  )
})

// Fields the schema does not name are kept, so a test can look at them too.
export const decode =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (answer: Answer): A =>
    Schema.decodeUnknownSync(schema, { onExcessProperty: "preserve" })(answer.json)

export const missingId = "00000000-0000-4000-8000-000000000000"

/**
 * Starts a server before the calling file's tests (with `start`) and stops it after them; calls go out with the
 * `callers`' headers. The functions it returns may be called from the tests only (the server starts in `beforeAll`).
 */
export const useApi = <As extends string>(start: () => Promise<RunningServer>, callers: Callers<As>) => {
  let running: { readonly server: RunningServer; readonly client: ReturnType<typeof client<As>> } | undefined
  beforeAll(async () => {
    const server = await start()
    running = { server, client: client(server.url, callers) }
  })
  afterAll(() => running?.server.close())

  const started = () => {
    if (running === undefined) throw new Error("the server is not running: call this from a test")
    return running
  }
  const call = (method: string, path: string, options?: CallOptions<As>): Promise<Answer> =>
    started().client.call(method, path, options)

  const createAccount = async (name: string, as: As | "admin" = "admin") => {
    const answer = await call("POST", "/api/service-accounts", { as, body: { name } })
    expect(answer.status).toBe(201)
    return decode(Created)(answer)
  }

  const issueToken = async (serviceAccountId: string, name: string) => {
    const answer = await call("POST", `/api/service-accounts/${serviceAccountId}/tokens`, { body: { name } })
    expect(answer.status).toBe(201)
    return decode(Issued)(answer)
  }

  const whoami = (value: string) => call("GET", "/api/whoami", { headers: { authorization: `Bearer ${value}` } })

  /** The request is refused with the status and error, and the store holds as many events as before. */
  const expectRefused = async (
    request: () => Promise<Answer>,
    expected: { readonly status: number; readonly tag: string; readonly field?: string }
  ) => {
    const before = await started().server.eventCount()
    const answer = await request()
    expect(answer.status).toBe(expected.status)
    const body = decode(ErrorBody)(answer)
    expect(body._tag).toBe(expected.tag)
    expect(body.message.length).toBeGreaterThan(0)
    if (expected.field !== undefined) expect(body.field).toBe(expected.field)
    expect(await started().server.eventCount()).toBe(before)
    return body
  }

  return {
    call,
    createAccount,
    issueToken,
    whoami,
    expectRefused,
    /** `http://127.0.0.1:<port>` */
    url: () => started().server.url,
    /** Every answer this file's tests were given so far. */
    answers: () => started().client.answers,
    /** The server, once started. */
    server: () => started().server
  }
}
