import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either, FastCheck as fc } from "effect"
import {
  type CorruptStoredEvent,
  derivedEventId,
  directoryStream,
  decode,
  isDirectoryStream,
  type Json,
  OrganizationId,
  type RecordedEvent,
  ServiceAccountId,
  ServiceAccountName,
  type ServiceAccountEvent,
  Token,
  toProposed,
  Upcasting,
  UserId
} from "../src/index.js"

const event: ServiceAccountEvent = {
  _tag: "ServiceAccountCreated",
  organizationId: OrganizationId.make("org-1"),
  actor: { userId: UserId.make("alice"), role: "administrator" },
  occurredAt: DateTime.unsafeMake("2026-01-02T03:04:05.000Z"),
  serviceAccountId: ServiceAccountId.make("6f1c2b9e-8d4a-4e2b-9c3d-1a2b3c4d5e6f"),
  name: ServiceAccountName.make("deploy-bot")
}

const recorded = (
  data: unknown,
  type = "ServiceAccountCreated",
  metadata: { readonly [key: string]: Json } = { schemaVersion: 1 }
): RecordedEvent => ({
  streamId: "serviceAccountDirectory-org-1",
  revision: 4n,
  position: 17n,
  eventId: "00000000-0000-4000-8000-000000000000",
  type,
  data: data as RecordedEvent["data"],
  metadata,
  recordedAt: new Date(0)
})

describe("stored events", () => {
  it("live in one stream per organisation, in a category EventStoreDB can project", () => {
    expect(directoryStream(OrganizationId.make("org-1"))).toBe("serviceAccountDirectory-org-1")
    expect(isDirectoryStream("serviceAccountDirectory-org-1")).toBe(true)
    expect(isDirectoryStream("$stats-127.0.0.1")).toBe(false)
  })

  it("encode to JSON with the type and schema version, and decode back", () => {
    const [proposed] = toProposed("s", [event], { idempotencyKey: "k" })
    expect(proposed).toMatchObject({
      eventId: derivedEventId("s", "k", 0),
      type: "ServiceAccountCreated",
      metadata: { schemaVersion: 1 },
      data: { _tag: "ServiceAccountCreated", occurredAt: "2026-01-02T03:04:05.000Z", name: "deploy-bot" }
    })
    const decoded = decode(recorded(JSON.parse(JSON.stringify(proposed?.data))))
    expect(Either.isRight(decoded) && decoded.right.event).toEqual(event)
  })

  it("derive event ids from the command id, so a re-sent append is the same write", () => {
    const command = { commandId: "cmd-1", hash: "h" }
    const a = toProposed("s", [event, event], { idempotencyKey: "cmd-1", command })
    const b = toProposed("s", [event, event], { idempotencyKey: "cmd-1", command })
    expect(a.map((e) => e.eventId)).toEqual(b.map((e) => e.eventId))
    expect(a[0]?.eventId).not.toBe(a[1]?.eventId)
    expect(a[0]?.eventId).toBe(derivedEventId("s", "cmd-1", 0))
    expect(a[0]?.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(a[0]?.metadata).toEqual({ schemaVersion: 1, commandId: "cmd-1", commandHash: "h" })
  })

  it("that do not decode are a CorruptStoredEvent naming stream and revision", () => {
    const cases: ReadonlyArray<RecordedEvent> = [
      recorded({ _tag: "ServiceAccountCreated" }),
      recorded("not an object"),
      recorded({
        ...JSON.parse(JSON.stringify(toProposed("s", [event], { idempotencyKey: "x" })[0]?.data)),
        extra: 1
      }),
      recorded({ _tag: "Nope" }, "Nope"),
      recorded({ _tag: "ServiceAccountCreated" }, "TokenIssued"),
      recorded({}, "ServiceAccountCreated", { schemaVersion: 99 })
    ]
    for (const bad of cases) {
      const decoded = decode(bad)
      expect(Either.isLeft(decoded)).toBe(true)
      if (Either.isLeft(decoded)) {
        expect(decoded.left._tag).toBe("CorruptStoredEvent")
        expect(decoded.left.message).toContain("serviceAccountDirectory-org-1@4")
      }
    }
  })
})

/**
 * A stored event may hold a token value anywhere — its type, its stream's name, a field, a key, its metadata — and
 * an upcaster's reason may quote it: the `CorruptStoredEvent` it becomes never carries it (ADR 0003), and a token
 * value in a field that names a host's id, a role or a name makes the event corrupt, as it would refuse the command.
 */
describe("stored events holding a token value", () => {
  const secret = Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))
  const data = JSON.parse(JSON.stringify(toProposed("s", [event], { idempotencyKey: "x" })[0]?.data)) as {
    readonly [key: string]: Json
  }

  /** Every form in which the error may reach a log: none may hold a token value. */
  const texts = (error: CorruptStoredEvent): ReadonlyArray<string> => [
    error.message,
    String(error),
    JSON.stringify(error, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value)),
    error.reason,
    error.streamId,
    String(error.stack)
  ]

  const corruptOf = (decoded: Either.Either<unknown, CorruptStoredEvent>): CorruptStoredEvent => {
    if (Either.isRight(decoded)) throw new Error("the event decoded")
    return decoded.left
  }

  it("is a CorruptStoredEvent that never repeats the value", () => {
    // An upcaster that quotes what it could not read, as a careless one would.
    const quoting = Upcasting.make([
      {
        type: "ServiceAccountCreated",
        fromVersion: 0,
        upcast: (form) => Either.left(`cannot read ${JSON.stringify(form)}`)
      }
    ])
    const cases: ReadonlyArray<readonly [string, Either.Either<unknown, CorruptStoredEvent>]> = [
      ["its type", decode(recorded(data, secret))],
      ["its type, with no upcaster for it", decode(recorded(data, secret, { schemaVersion: 0 }))],
      ["its type, upcast directly", Upcasting.upcast(recorded(data, secret, { schemaVersion: 0 }), quoting)],
      [
        "its data, quoted by an upcaster",
        Upcasting.upcast(recorded({ ...data, name: secret }, "ServiceAccountCreated", { schemaVersion: 0 }), quoting)
      ],
      [
        "its stream",
        decode({ ...recorded({ ...data, organizationId: secret }), streamId: `serviceAccountDirectory-${secret}` })
      ],
      [
        "its stream, another organisation's event",
        decode({ ...recorded(data), streamId: `serviceAccountDirectory-${secret}` })
      ],
      ["the organisation id", decode(recorded({ ...data, organizationId: secret }))],
      ["the actor's user id", decode(recorded({ ...data, actor: { userId: secret, role: "administrator" } }))],
      ["the actor's role", decode(recorded({ ...data, actor: { userId: "alice", role: secret } }))],
      ["the name", decode(recorded({ ...data, name: `deploy ${secret}` }))],
      ["an unknown key", decode(recorded({ ...data, [secret]: 1 }))],
      [
        "a nested unknown key",
        decode(recorded({ ...data, actor: { userId: "alice", role: "administrator", [secret]: 1 } }))
      ]
    ]
    for (const [where, decoded] of cases) {
      const error = corruptOf(decoded)
      expect(error._tag, where).toBe("CorruptStoredEvent")
      expect(error.revision, where).toBe(4n)
      for (const text of texts(error)) {
        expect(text.includes(secret), where).toBe(false)
        expect(Token.findTokens(text), where).toEqual([])
      }
    }
    // The error still says where the event is and what is wrong with it.
    const named = corruptOf(decode({ ...recorded(data), streamId: `serviceAccountDirectory-${secret}` }))
    expect(named.message).toBe(
      "stored event serviceAccountDirectory-[REDACTED]@4 cannot be read: an event of organisation org-1 is stored in another organisation's stream"
    )
    expect(corruptOf(decode(recorded({ ...data, actor: { userId: "alice", role: secret } }))).reason).toBe(
      "ServiceAccountCreated does not match its schema — actor.role: a role must not contain an API token value"
    )
  })

  /** Where in a stored event the value goes. */
  type Spot = "stream" | "type" | "data" | "data-key" | "metadata" | "metadata-key" | "upcaster"

  it("never repeats a value planted anywhere in it (property)", () => {
    const quoting = (type: string) =>
      Upcasting.make([{ type, fromVersion: 0, upcast: (form) => Either.left(`cannot read ${JSON.stringify(form)}`) }])
    const keys = Object.keys(data)
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        fc.constantFrom<Spot>("stream", "type", "data", "data-key", "metadata", "metadata-key", "upcaster"),
        fc.nat(keys.length - 1),
        fc.string({ maxLength: 4 }),
        fc.constantFrom<Json>(0, 1, 2, "1"),
        (entropy, spot, index, around, version) => {
          const t = Token.fromEntropy(entropy)
          const value = `${around}${t}${around}`
          const key = keys[index] ?? "name"
          const base = recorded(data, "ServiceAccountCreated", { schemaVersion: version })
          const stored: RecordedEvent =
            spot === "stream"
              ? { ...base, streamId: `serviceAccountDirectory-${value}` }
              : spot === "type" || spot === "upcaster"
                ? { ...base, type: value }
                : spot === "data"
                  ? { ...base, data: { ...data, [key]: value } }
                  : spot === "data-key"
                    ? { ...base, data: { ...data, [key]: { [value]: data[key] ?? null } } }
                    : spot === "metadata"
                      ? { ...base, metadata: { ...base.metadata, [key]: value } }
                      : { ...base, metadata: { ...base.metadata, [value]: version } }
          const results: ReadonlyArray<Either.Either<unknown, CorruptStoredEvent>> = [
            decode(stored),
            Upcasting.upcast(stored, quoting(stored.type))
          ]
          const errors = results.flatMap((result) => (Either.isLeft(result) ? [result.left] : []))
          for (const error of errors) {
            for (const text of texts(error)) expect(Token.findTokens(text)).toEqual([])
          }
        }
      ),
      { numRuns: 300 }
    )
  })
})
