/**
 * The error mapping, row by row: each library error the service can fail with becomes the HTTP error of its row — the
 * status the row says, which is the one its response declares to `HttpApi` and the OpenAPI document, and a body that
 * carries the library's message, except for the errors whose detail is for operators: those get a fixed message and a
 * log line with the detail.
 */
import { HttpApiSchema } from "@effect/platform"
import { describe, expect, it } from "@effect/vitest"
import {
  CommandIdReused,
  ConcurrencyConflict,
  CorruptStoredEvent,
  DuplicateServiceAccountName,
  DuplicateTokenName,
  EventStoreUnavailable,
  InputIssue,
  InvalidInput,
  NotAuthorized,
  PlanNotEligible,
  ServiceAccountNotFound,
  StreamDeleted,
  TokenAlreadyIssued,
  TokenAlreadyRevoked,
  TokenNotFound
} from "@service-accounts/domain"
import { ErrorMapping } from "@service-accounts/http"
import { Cause, Effect, Exit, Logger, LogLevel, Option, Schema } from "effect"

const accountId = "6f1c2a7e-0b4d-4c8e-9a3f-5d2e1b0c9a87"
const tokenId = "1e2d3c4b-5a69-4788-9a0b-c1d2e3f4a5b6"

interface Case {
  readonly error: ErrorMapping.LibraryError
  readonly status: number
  /** What the encoded body holds (beside `message`, checked for every case). */
  readonly body: Record<string, unknown>
  /** The message the caller gets when it is not the library's own. */
  readonly fixedMessage?: string
  /** The log line an operator gets, and a piece of its detail. */
  readonly log?: { readonly level: "WARN" | "ERROR"; readonly holds: string }
}

const storeMessage = "the service account store is unavailable; try again later"

const cases: ReadonlyArray<Case> = [
  {
    error: new InvalidInput({
      input: "create command",
      field: "name",
      issues: [new InputIssue({ path: "name", message: "a service account name must not be empty" })]
    }),
    status: 400,
    body: {
      _tag: "InvalidInput",
      field: "name",
      issues: [{ path: "name", message: "a service account name must not be empty" }]
    }
  },
  { error: new NotAuthorized({ action: "create service accounts", role: "member" }), status: 403, body: {} },
  { error: new PlanNotEligible({ organizationId: "small-co", plan: "team" }), status: 403, body: {} },
  { error: new ServiceAccountNotFound({ serviceAccountId: accountId }), status: 404, body: {} },
  { error: new TokenNotFound({ serviceAccountId: accountId, tokenId }), status: 404, body: {} },
  { error: new DuplicateServiceAccountName({ name: "deploy-bot" }), status: 409, body: { field: "name" } },
  { error: new DuplicateTokenName({ serviceAccountId: accountId, name: "ci" }), status: 409, body: { field: "name" } },
  { error: new TokenAlreadyRevoked({ serviceAccountId: accountId, tokenId }), status: 409, body: {} },
  {
    error: new TokenAlreadyIssued({ commandId: "issue-1", serviceAccountId: accountId, tokenId }),
    status: 409,
    body: { tokenId }
  },
  { error: new CommandIdReused({ commandId: "create-1" }), status: 422, body: {} },
  {
    error: new ConcurrencyConflict({ streamId: "serviceAccountDirectory-acme", expected: "7", actual: "9" }),
    status: 409,
    body: {},
    fixedMessage: "the organisation's service accounts changed concurrently; send the request again",
    log: { level: "WARN", holds: "serviceAccountDirectory-acme" }
  },
  {
    error: new EventStoreUnavailable({
      operation: "append",
      reason: "connection refused by 10.0.0.7",
      retryable: true
    }),
    status: 503,
    body: { _tag: "StoreUnavailable" },
    fixedMessage: storeMessage,
    log: { level: "ERROR", holds: "10.0.0.7" }
  },
  {
    error: new StreamDeleted({ streamId: "serviceAccountDirectory-acme" }),
    status: 503,
    body: { _tag: "StoreUnavailable" },
    fixedMessage: storeMessage,
    log: { level: "ERROR", holds: "StreamDeleted" }
  },
  {
    error: new CorruptStoredEvent({ streamId: "serviceAccountDirectory-acme", revision: 4n, reason: "not JSON" }),
    status: 503,
    body: { _tag: "StoreUnavailable" },
    fixedMessage: storeMessage,
    log: { level: "ERROR", holds: "not JSON" }
  }
]

/** The failure `fromLibrary` turns `error` into, and the log lines it wrote meanwhile. */
const mapped = (error: ErrorMapping.LibraryError) => {
  const lines: Array<string> = []
  const logger = Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
  const exit = Effect.runSyncExit(
    ErrorMapping.fromLibrary(Effect.fail(error)).pipe(
      Effect.provide(Logger.replace(Logger.defaultLogger, logger)),
      Logger.withMinimumLogLevel(LogLevel.Debug)
    )
  )
  const failure = Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : Option.none()
  if (Option.isNone(failure)) throw new Error(`${error._tag} did not fail with an HTTP error`)
  return { failure: failure.value, lines }
}

describe("ErrorMapping.table", () => {
  it("has a row for every library error, and the test a case for every row", () => {
    expect(cases.map((c) => c.error._tag).sort()).toEqual(Object.keys(ErrorMapping.table).sort())
  })

  it.each(cases.map((c) => [c.error._tag, c] as const))("maps %s", (tag, expected) => {
    const row: ErrorMapping.Row<never, unknown> = ErrorMapping.table[tag]
    // The row's status is the one its response declares: what HttpApi answers with and the OpenAPI document lists.
    expect(row.status).toBe(expected.status)
    expect(HttpApiSchema.getStatusError(row.response)).toBe(expected.status)

    const { failure, lines } = mapped(expected.error)
    const body: unknown = Schema.encodeUnknownSync(row.response)(failure)
    expect(body).toMatchObject({ _tag: tag, ...expected.body })
    expect(body).toHaveProperty("message", expected.fixedMessage ?? expected.error.message)

    if (expected.log === undefined) {
      expect(lines).toEqual([])
    } else {
      expect(lines).toHaveLength(1)
      expect(lines[0]).toContain(`level=${expected.log.level}`)
      expect(lines[0]).toContain(expected.log.holds)
      // The detail is the operator's: the caller's body does not carry it.
      expect(JSON.stringify(body)).not.toContain(expected.log.holds)
    }
  })

  it("leaves a success alone", () => {
    expect(Effect.runSync(ErrorMapping.fromLibrary(Effect.succeed(42)))).toBe(42)
  })
})
