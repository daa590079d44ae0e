import { describe, expect, it } from "@effect/vitest"
import { DateTime, Either } from "effect"
import {
  derivedEventId,
  directoryStream,
  decode,
  isDirectoryStream,
  OrganizationId,
  type RecordedEvent,
  ServiceAccountId,
  ServiceAccountName,
  type ServiceAccountEvent,
  toProposed,
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

const recorded = (data: unknown, type = "ServiceAccountCreated", metadata = { schemaVersion: 1 }): RecordedEvent => ({
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
