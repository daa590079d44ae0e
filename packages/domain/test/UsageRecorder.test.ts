/**
 * The usage recorder counts `authenticate`'s requests on the token's slot (`tally`) and a host's reports in its sums
 * (`add`); a flush turns both into `UsageRecorded` events, one stream per day. These tests read the events a flush
 * appends and check that every request is in them exactly once, on the right day.
 */
import { describe, expect, it } from "@effect/vitest"
import { randomUUID } from "node:crypto"
import { DateTime, Duration, Effect, Either, Fiber, Option, Stream } from "effect"
import { Slot } from "../src/fast/tokenSlots.js"
import type { EventStoreShape, ProposedEvent } from "../src/index.js"
import { OrganizationId, ServiceAccountId, TokenId, decodeUsage } from "../src/index.js"
import type { TokenSlot } from "../src/readModels/TokenIndex.js"
import { makeRecorder } from "../src/service/usage.js"

interface Appended {
  readonly streamId: string
  readonly event: ProposedEvent
}

/** A store that keeps what is appended to it; usage recording reads nothing. */
const appendOnly = (): { readonly store: EventStoreShape; readonly appended: Array<Appended> } => {
  const appended: Array<Appended> = []
  const store: EventStoreShape = {
    append: (streamId, events) =>
      Effect.sync(() => {
        for (const event of events) appended.push({ streamId, event })
        return { nextExpectedRevision: BigInt(appended.length - 1), position: BigInt(appended.length) }
      }),
    readStream: () => Stream.empty,
    readAll: () => Stream.empty,
    subscribeToStream: () => Stream.empty,
    subscribeToAll: () => Stream.empty,
    tombstone: () => Effect.void
  }
  return { store, appended }
}

interface Row {
  readonly day: string
  readonly tokenId: string
  readonly requests: number
  readonly units: number
  readonly lastUsedAt: string
}

/** The entries of the appended events, decoded as the usage read model decodes them, with each event's day. */
const rows = (appended: ReadonlyArray<Appended>): Array<Row> =>
  appended.flatMap(({ streamId, event }, i) => {
    const recorded = { ...event, streamId, revision: 0n, position: BigInt(i), recordedAt: new Date(noon) }
    const { day, entries } = Either.getOrThrow(decodeUsage(recorded)).event
    return entries.map((entry) => ({
      day,
      tokenId: entry.tokenId,
      requests: entry.requests,
      units: entry.units,
      lastUsedAt: DateTime.formatIso(entry.lastUsedAt)
    }))
  })

const organizationId = OrganizationId.make("acme")
const serviceAccountId = ServiceAccountId.make(randomUUID())

/** A token index slot for a new token (the digest only places it; the recorder reads its ids and tally). */
const slot = (): TokenSlot =>
  new Slot("x".repeat(32), organizationId, serviceAccountId, TokenId.make(randomUUID()), [], Option.none())

const DAY = 86_400_000
const noon = Date.UTC(2026, 11, 7, 12)

describe("usage recorder", () => {
  it.effect("a token's tallied requests and its reported uses are summed into one entry of the day", () =>
    Effect.gen(function* () {
      const { store, appended } = appendOnly()
      const recorder = makeRecorder(store, randomUUID(), { flushInterval: Duration.hours(1), maxPending: 10_000 })
      const a = slot()
      const b = slot()
      for (let i = 0; i < 5; i++) recorder.tally(a, noon + i)
      recorder.tally(b, noon + 10)
      recorder.add(a.organizationId, a.serviceAccountId, a.tokenId, 2, 7, noon + 100)
      expect(recorder.pending()).toBeGreaterThan(0)
      yield* recorder.flush
      const byToken = new Map(rows(appended).map((row) => [row.tokenId, row]))
      expect(byToken.get(a.tokenId)).toEqual({
        day: "2026-12-07",
        tokenId: a.tokenId,
        requests: 7,
        units: 7,
        lastUsedAt: new Date(noon + 100).toISOString()
      })
      expect(byToken.get(b.tokenId)?.requests).toBe(1)
      expect(recorder.pending()).toBe(0)

      // The next round starts from nothing: the slot's old counts are not counted again.
      recorder.tally(a, noon + 200)
      yield* recorder.flush
      const second = rows(appended.slice(1))
      expect(second).toEqual([
        { day: "2026-12-07", tokenId: a.tokenId, requests: 1, units: 0, lastUsedAt: new Date(noon + 200).toISOString() }
      ])
    })
  )

  it.effect("requests on either side of midnight (UTC) go to their own days' streams", () =>
    Effect.gen(function* () {
      const { store, appended } = appendOnly()
      const recorder = makeRecorder(store, randomUUID(), { flushInterval: Duration.hours(1), maxPending: 10_000 })
      const token = slot()
      const midnight = Date.UTC(2026, 11, 8)
      recorder.tally(token, midnight - 2)
      recorder.tally(token, midnight - 1)
      recorder.tally(token, midnight)
      recorder.tally(token, midnight + DAY - 1)
      yield* recorder.flush
      const days = rows(appended).map((row) => [row.day, row.requests, row.lastUsedAt])
      expect(days).toEqual([
        ["2026-12-07", 2, new Date(midnight - 1).toISOString()],
        ["2026-12-08", 2, new Date(midnight + DAY - 1).toISOString()]
      ])
      expect(new Set(appended.map((a) => a.streamId)).size).toBe(2)
    })
  )

  it.live("tallying `maxPending` tokens flushes without waiting for the interval", () =>
    Effect.gen(function* () {
      const { store, appended } = appendOnly()
      const recorder = makeRecorder(store, randomUUID(), { flushInterval: Duration.hours(1), maxPending: 3 })
      const running = yield* Effect.fork(recorder.run)
      const tokens = [slot(), slot(), slot()]
      for (const token of tokens) recorder.tally(token, noon)
      // Wait for the append itself (no clock involved: the interval is an hour).
      while (appended.length === 0) yield* Effect.sleep(Duration.millis(5))
      yield* Fiber.interrupt(running)
      expect(
        rows(appended)
          .map((row) => row.tokenId)
          .sort()
      ).toEqual(tokens.map((token) => token.tokenId).sort())
    })
  )
})
