/**
 * Upcasting, on a hypothetical schema version 0 (`fixtures/history-v0.ndjson`: the golden history as v0 would have
 * stored it — accounts with `displayName` instead of `name`, token scopes as one space-separated string).
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, Stream } from "effect"
import {
  DirectoryView,
  foldProjection,
  IntegrityVerification,
  type Json,
  Ndjson,
  type RecordedEvent,
  Upcasting
} from "../src/index.js"
import { directoryJson, domainEvents } from "./golden.js"

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8")

const isObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const unchanged = (type: string): Upcasting.Upcaster => ({ type, fromVersion: 0, upcast: Either.right })

/** What version 1 would have registered, had there been a version 0. */
const v0to1 = Upcasting.make([
  {
    type: "ServiceAccountCreated",
    fromVersion: 0,
    upcast: ({ type, data }) => {
      if (!isObject(data)) return Either.left("the data is not an object")
      const { displayName, ...rest } = data
      return displayName === undefined
        ? Either.left("displayName is missing")
        : Either.right({ type, data: { ...rest, name: displayName } })
    }
  },
  {
    type: "TokenIssued",
    fromVersion: 0,
    upcast: ({ type, data }) =>
      isObject(data) && typeof data.scopes === "string"
        ? Either.right({ type, data: { ...data, scopes: data.scopes.split(" ") } })
        : Either.left("scopes is not a string")
  },
  unchanged("TokenRevoked"),
  unchanged("ServiceAccountDeleted")
])

const recorded = (metadata: RecordedEvent["metadata"], type = "ServiceAccountCreated"): RecordedEvent => ({
  streamId: "serviceAccountDirectory-acme",
  revision: 4n,
  position: 9n,
  eventId: "0c5d8c1e-2f7a-4b8e-9d1c-3e4f5a6b7c8d",
  type,
  data: { displayName: "x" },
  metadata,
  recordedAt: new Date(0)
})

const reason = (result: Either.Either<RecordedEvent, { readonly reason: string }>) =>
  Either.isLeft(result) ? result.left.reason : "upcast"

describe("Upcasting", () => {
  it.effect("reads a v0 history into the same directory view as the v1 history", () =>
    Effect.gen(function* () {
      const v0 = foldProjection(DirectoryView.projection, yield* domainEvents(fixture("history-v0.ndjson"), v0to1))
      const v1 = foldProjection(DirectoryView.projection, yield* domainEvents(fixture("history-v1.ndjson")))
      expect(directoryJson(v0)).toEqual(directoryJson(v1))
    })
  )

  it.effect("changes only what is read: the stored v0 events still verify", () =>
    Effect.gen(function* () {
      const report = yield* IntegrityVerification.verifyHistory(Ndjson.decodeText(fixture("history-v0.ndjson")))
      expect(report.findings).toEqual([])
      expect(report.events).toBe(15)
    })
  )

  it.effect("today's registry has no upcaster, so a v0 event is refused with its stream and revision", () =>
    Effect.gen(function* () {
      const events = yield* Stream.runCollect(Ndjson.decodeText(fixture("history-v0.ndjson")))
      const first = Chunk.unsafeHead(events)
      const result = Upcasting.upcast(first)
      expect(Either.isLeft(result) && result.left.message).toBe(
        "stored event serviceAccountDirectory-acme@0 cannot be read: no upcaster reads ServiceAccountCreated of schema version 0"
      )
    })
  )

  it("leaves current events as they are, and treats a missing schemaVersion as 1", () => {
    const current = recorded({ schemaVersion: 1 })
    expect(Upcasting.upcast(current)).toEqual(Either.right(current))
    const unversioned = recorded({})
    expect(Upcasting.upcast(unversioned)).toEqual(Either.right(unversioned))
  })

  it("sets the new schemaVersion and keeps the rest of the metadata", () => {
    const result = Upcasting.upcast(recorded({ schemaVersion: 0, commandId: "c-1" }), v0to1)
    expect(result).toEqual(Either.right({ ...recorded({ schemaVersion: 1, commandId: "c-1" }), data: { name: "x" } }))
  })

  it("refuses what it cannot read, saying why", () => {
    expect(reason(Upcasting.upcast(recorded({ schemaVersion: 2 })))).toBe(
      "schema version 2 is newer than this version of the library (1)"
    )
    expect(reason(Upcasting.upcast(recorded({ schemaVersion: "1" })))).toBe("its schemaVersion is not a whole number")
    expect(reason(Upcasting.upcast(recorded({ schemaVersion: 0 }, "TokenMinted"), v0to1))).toBe(
      "no upcaster reads TokenMinted of schema version 0"
    )
    expect(reason(Upcasting.upcast({ ...recorded({ schemaVersion: 0 }), data: {} }, v0to1))).toBe(
      "ServiceAccountCreated of schema version 0 cannot be upcast: displayName is missing"
    )
  })

  it("chains upcasters one version at a time, renames included", () => {
    const registry = Upcasting.make(
      [
        { type: "Old", fromVersion: 1, upcast: ({ data }) => Either.right({ type: "Middle", data }) },
        {
          type: "Middle",
          fromVersion: 2,
          upcast: ({ data }) => Either.right({ type: "New", data: isObject(data) ? { ...data, v3: true } : data })
        }
      ],
      3
    )
    const result = Upcasting.upcast({ ...recorded({ schemaVersion: 1 }, "Old"), data: { a: 1 } }, registry)
    expect(
      Either.isRight(result) && [result.right.type, result.right.data, result.right.metadata.schemaVersion]
    ).toEqual(["New", { a: 1, v3: true }, 3])
  })

  it("refuses a registry with two upcasters for one type and version", () => {
    expect(() => Upcasting.make([unchanged("A"), unchanged("A")])).toThrow("two upcasters for A from version 0")
  })
})
