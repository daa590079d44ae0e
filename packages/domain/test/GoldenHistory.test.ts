/**
 * History compatibility: the committed golden history (written once by `packages/cli/scripts/golden-history.ts`)
 * must always decode with today's code into the committed directory view. A failure here means an old history
 * would no longer read: fix the code, or add an upcaster (docs/events.md) — never rewrite the fixture.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import {
  DirectoryView,
  type DomainEvent,
  eventTypes,
  foldProjection,
  IntegrityVerification,
  Ndjson,
  Token
} from "../src/index.js"
import { directoryJson, domainEvents } from "./golden.js"

const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8")

describe("the golden history (v1)", () => {
  const text = fixture("history-v1.ndjson")

  it.effect("covers every event type, both revocation reasons, descriptions and command ids", () =>
    Effect.gen(function* () {
      const events: ReadonlyArray<DomainEvent> = yield* domainEvents(text)
      expect(new Set(events.map((e) => e.event._tag))).toEqual(new Set(eventTypes))
      const reasons = new Set(events.flatMap((e) => (e.event._tag === "TokenRevoked" ? [e.event.reason] : [])))
      expect(reasons).toEqual(new Set(["Manual", "ServiceAccountDeleted"]))
      expect(events.some((e) => e.event._tag === "ServiceAccountCreated" && e.event.description === undefined)).toBe(
        true
      )
      expect(events.some((e) => e.metadata.commandId !== undefined)).toBe(true)
      expect(events.some((e) => e.event._tag === "ServiceAccountDeleted" && e.event.revokedTokenIds.length === 0)).toBe(
        true
      )
    })
  )

  it("holds no token value", () => {
    expect(Token.findTokens(text)).toEqual([])
    expect(text).not.toMatch(/sat_[0-9A-Za-z]{20,}/)
  })

  it.effect("decodes with today's code into the committed directory view", () =>
    Effect.gen(function* () {
      const state = foldProjection(DirectoryView.projection, yield* domainEvents(text))
      yield* Effect.promise(() =>
        expect(`${JSON.stringify(directoryJson(state), null, 2)}\n`).toMatchFileSnapshot(
          "fixtures/history-v1.directory.json"
        )
      )
    })
  )

  it.effect("verifies: intact chains and valid checkpoints", () =>
    Effect.gen(function* () {
      const report = yield* IntegrityVerification.verifyHistory(Ndjson.decodeText(text), {
        publicKey: fixture("golden.public.pem")
      })
      expect(report.findings).toEqual([])
      expect(report.checkpoints).toBe(2)
      expect(report.directories).toBe(2)
    })
  )
})
