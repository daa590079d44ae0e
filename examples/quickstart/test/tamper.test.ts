/**
 * Tamper evidence on a real history: the quick-start story's, signed and exported as the demo does, then edited
 * the ways an attacker would. Each edit is found, at the right position.
 */
import { generateKeyPairSync } from "node:crypto"
import { readFileSync } from "node:fs"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Integrity, IntegrityCheckpoints, IntegrityVerification, type RecordedEvent } from "@service-accounts/domain"
import { Effect, Either, Stream } from "effect"
import { type DemoHistory, demoHistory } from "./history.js"

let demo: DemoHistory
let publicKey: string

beforeAll(async () => {
  demo = await Effect.runPromise(demoHistory)
  publicKey = readFileSync(demo.publicKeyPath, "utf8")
})

const DIRECTORY = "serviceAccountDirectory-acme"

const verify = (events: ReadonlyArray<RecordedEvent>) =>
  Effect.map(IntegrityVerification.verifyHistory(Stream.fromIterable(events), { publicKey }), (report) =>
    report.findings.map((finding) => `${finding.kind}@${finding.position}`)
  )

/** The directory's event of a revision (the history holds the story's usage too, so positions are looked up). */
const at = (revision: number): RecordedEvent => {
  const event = demo.events.find((e) => e.streamId === DIRECTORY && e.revision === BigInt(revision))
  if (event === undefined) throw new Error(`no directory event at revision ${revision}`)
  return event
}

/** The position of the directory's event of a revision. */
const pos = (revision: number): bigint => at(revision).position

/** The signed checkpoint. */
const checkpointEvent = (): RecordedEvent => {
  const event = demo.events.find((e) => e.type === IntegrityCheckpoints.CHECKPOINT_EVENT_TYPE)
  if (event === undefined) throw new Error("no checkpoint")
  return event
}

/** Seals an event as the service would have, right after `previous` in its stream. */
const resealed = (event: RecordedEvent, previous: string): RecordedEvent => {
  const [sealed] = Integrity.seal(event.streamId, event.revision, previous, [event]).events
  return { ...event, metadata: sealed?.metadata ?? {} }
}

const digestOf = (event: RecordedEvent) => Integrity.recordOf(event.metadata)?.digest ?? ""

describe("tamper evidence on the quick-start history", () => {
  it("is a history of 8 directory events, the story's usage and 1 checkpoint", () => {
    const kind = (e: RecordedEvent) =>
      e.streamId === DIRECTORY ? "d" : e.streamId.startsWith("serviceAccountUsage-") ? "u" : "c"
    expect(demo.events.map((e) => `${kind(e)}${e.revision}`)).toEqual([
      "d0",
      "d1",
      "d2",
      "d3",
      "d4",
      "u0",
      "d5",
      "d6",
      "d7",
      "c0"
    ])
    expect(demo.events.map((e) => e.position)).toEqual(demo.events.map((_, i) => BigInt(i)))
  })

  it.effect("finds nothing in the history as exported", () =>
    Effect.map(verify(demo.events), (found) => expect(found).toEqual([]))
  )

  it.effect("finds edited data: a token given a scope it never had", () =>
    Effect.gen(function* () {
      const events = demo.events.map((e) =>
        e.position === pos(2)
          ? { ...e, data: JSON.parse(JSON.stringify(e.data).replace('"scopes":["read"]', '"scopes":["read","write"]')) }
          : e
      )
      expect(JSON.stringify(events[2]?.data)).toContain('"scopes":["read","write"]')
      expect(yield* verify(events)).toEqual([`edited-data@${pos(2)}`])
    })
  )

  it.effect("finds edited metadata: a command id slipped in", () =>
    Effect.gen(function* () {
      const events = demo.events.map((e) =>
        e.position === pos(4) ? { ...e, metadata: { ...e.metadata, commandId: "forged" } } : e
      )
      expect(yield* verify(events)).toEqual([`edited-metadata@${pos(4)}`])
    })
  )

  it.effect("finds a deleted event: the revocation of the old token removed", () =>
    Effect.gen(function* () {
      expect(at(4).type).toBe("TokenRevoked")
      expect(yield* verify(demo.events.filter((e) => e.position !== pos(4)))).toEqual([`missing-events@${pos(5)}`])
    })
  )

  it.effect("finds an inserted event, sealed as if it belonged, at the event after it", () =>
    Effect.gen(function* () {
      const intruder = resealed(
        { ...at(3), eventId: "6f1c2b9e-8d4a-4e2b-9c3d-1a2b3c4d5e6f", revision: 4n, position: 4n },
        digestOf(at(3))
      )
      const shifted = demo.events.map((e) =>
        e.streamId === DIRECTORY && e.revision >= 4n
          ? { ...e, revision: e.revision + 1n, position: e.position + 1n }
          : e
      )
      const events = [...shifted.slice(0, 4), intruder, ...shifted.slice(4)]
      const found = yield* verify(events)
      expect(found[0]).toBe("edited-metadata@5")
      expect(found).toContain("broken-chain@5")
      // A naive intruder, not sealed at all, is found where it stands.
      const naive = [...shifted.slice(0, 4), { ...intruder, metadata: {} }, ...shifted.slice(4)]
      expect((yield* verify(naive))[0]).toBe("unsealed@4")
    })
  )

  it.effect("finds reordered events: the revocation moved before the issue it revokes", () =>
    Effect.gen(function* () {
      const events = [...demo.events]
      const [third, fourth] = [events[3], events[4]]
      if (third === undefined || fourth === undefined) throw new Error("short history")
      events[3] = fourth
      events[4] = third
      expect(yield* verify(events)).toEqual(["out-of-order@3", "missing-events@4"])
    })
  )

  it.effect("finds a truncated tail behind the checkpoint: the deletion and its cascade removed", () =>
    Effect.gen(function* () {
      const events = demo.events.filter((e) => !(e.streamId === DIRECTORY && e.revision >= 5n))
      const report = yield* IntegrityVerification.verifyHistory(Stream.fromIterable(events), { publicKey })
      const checkpoint = checkpointEvent().position
      expect(report.findings.map((f) => `${f.kind}@${f.position}`)).toEqual([`truncated@${checkpoint}`])
      expect(report.findings[0]?.message).toBe(
        `the stream ends at revision 4 (position ${pos(4)}), but the checkpoint at position ${checkpoint} signs revision 7: events were removed from its end`
      )
    })
  )

  it.effect("finds a history rewritten behind the checkpoint, even when re-sealed throughout", () =>
    Effect.gen(function* () {
      let previous = Integrity.GENESIS
      const events = demo.events.map((e) => {
        if (e.streamId !== DIRECTORY) return e
        const changed =
          e.position === 1n ? { ...e, data: JSON.parse(JSON.stringify(e.data).replace('"ci"', '"cd"')) } : e
        const sealed = resealed(changed, previous)
        previous = digestOf(sealed)
        return sealed
      })
      expect(yield* verify(events)).toEqual([`checkpoint-mismatch@${pos(7)}`])
    })
  )

  // The demo signs one checkpoint: replaced by one of another signer, no checkpoint verifies, which is what a wrong
  // key looks like too — reported once, for the whole history.
  it.effect("finds a forged checkpoint: signed with another key and re-sealed", () =>
    Effect.gen(function* () {
      const checkpoint = checkpointEvent()
      const { signature: _signature, ...signed } = Either.getOrThrow(IntegrityCheckpoints.decodeCheckpoint(checkpoint))
      const forged = Integrity.signCheckpoint(generateKeyPairSync("ed25519").privateKey, signed)
      const events = demo.events.map((e) =>
        e === checkpoint ? resealed({ ...e, data: { ...forged } }, Integrity.GENESIS) : e
      )
      expect(yield* verify(events)).toEqual(["key-mismatch@undefined"])
    })
  )
})
