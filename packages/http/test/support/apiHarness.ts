/**
 * What the API test files share: the HTTP service started once per file (on the memory store), a client that keeps
 * every answer, the schemas of the answers, and the check that a request is refused — status, error, a message,
 * the field — with nothing appended to the store.
 */
import { afterAll, beforeAll, expect } from "@effect/vitest"
import { Schema } from "effect"
import { type Answer, type CallOptions, client, type RunningServer, type ServerOptions, startServer } from "./server.js"

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
 * Starts the example before the calling file's tests and stops it after them. The functions it returns may be
 * called from the tests only (the server starts in `beforeAll`).
 */
export const useApi = (options: ServerOptions = {}) => {
  let running: { readonly server: RunningServer; readonly client: ReturnType<typeof client> } | undefined
  beforeAll(async () => {
    const server = await startServer(options)
    running = { server, client: client(server.url) }
  })
  afterAll(() => running?.server.close())

  const started = () => {
    if (running === undefined) throw new Error("the server is not running: call this from a test")
    return running
  }
  const call = (method: string, path: string, options?: CallOptions): Promise<Answer> =>
    started().client.call(method, path, options)

  const createAccount = async (name: string, as: CallOptions["as"] = "admin") => {
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
