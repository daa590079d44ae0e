import { createHash, generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { FastCheck as fc } from "effect"
import { Integrity, type Json, type ProposedEvent, type RecordedEvent } from "../src/index.js"

const STREAM = "serviceAccountDirectory-acme"

const proposed = (n: number): ReadonlyArray<ProposedEvent> =>
  Array.from({ length: n }, (_, i) => ({
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    type: i % 2 === 0 ? "ServiceAccountCreated" : "TokenIssued",
    data: { n: i, nested: { b: [1, "two", null], a: true } },
    metadata: { schemaVersion: 1 }
  }))

const recorded = (events: ReadonlyArray<ProposedEvent>): Array<RecordedEvent> =>
  events.map((event, i) => ({
    ...event,
    streamId: STREAM,
    revision: BigInt(i),
    position: BigInt(1000 + i),
    recordedAt: new Date(0)
  }))

const history = (n = 6) => recorded(Integrity.seal(STREAM, 0n, Integrity.GENESIS, proposed(n)).events)

const verify = (events: ReadonlyArray<RecordedEvent>) => {
  const verifier = new Integrity.ChainVerifier(STREAM)
  return events.flatMap((event) => verifier.next(event)).map((f) => `${f.kind}@${f.revision}`)
}

describe("Integrity", () => {
  it("encodes canonically: key order does not matter, values do", () => {
    expect(Integrity.canonicalJson({ b: 1, a: [{ d: 2, c: 3 }] })).toBe('{"a":[{"c":3,"d":2}],"b":1}')
    expect(Integrity.canonicalJson({ a: "é\u2028" } as Json)).toBe('{"a":"é\u2028"}')
  })

  it("chains each event to its predecessor and verifies an intact history", () => {
    const events = history()
    const records = events.map((e) => Integrity.recordOf(e.metadata))
    expect(records[0]?.previous).toBe(Integrity.GENESIS)
    expect(records[1]?.previous).toBe(records[0]?.digest)
    expect(verify(events)).toEqual([])
  })

  it("continues a chain across appends", () => {
    const first = Integrity.seal(STREAM, 0n, Integrity.GENESIS, proposed(2))
    const second = Integrity.seal(STREAM, 2n, first.last, proposed(2))
    expect(verify(recorded([...first.events, ...second.events]))).toEqual([])
  })

  it("detects edited data", () => {
    const events = history()
    events[2] = { ...events[2], data: { n: 99 } } as RecordedEvent
    expect(verify(events)).toEqual(["edited-data@2"])
  })

  it("detects edited metadata and an edited type", () => {
    const events = history()
    const target = events[3] as RecordedEvent
    events[3] = { ...target, metadata: { ...target.metadata, commandId: "forged" } }
    expect(verify(events)).toEqual(["edited-metadata@3"])
    const retyped = history()
    retyped[1] = { ...(retyped[1] as RecordedEvent), type: "TokenRevoked" }
    expect(verify(retyped)).toEqual(["edited-metadata@1"])
  })

  it("checks the record's own data digest only to tell a data edit from a metadata edit", () => {
    // Nothing that matters changed: the whole digest covers the data, and the chain goes on from it.
    const events = history()
    const target = events[2] as RecordedEvent
    const record = Integrity.recordOf(target.metadata)
    events[2] = { ...target, metadata: { ...target.metadata, integrity: { ...record, data: "0".repeat(64) } } }
    expect(verify(events)).toEqual([])
    // With the data edited as well, the data digest says what was edited.
    events[2] = { ...(events[2] as RecordedEvent), data: { n: -2 } }
    expect(verify(events)).toEqual(["edited-data@2"])
  })

  it("detects a deleted event", () => {
    const events = history()
    events.splice(2, 1)
    expect(verify(events)).toEqual(["missing-events@3"])
  })

  it("detects a deleted event when the revisions were renumbered to hide it", () => {
    const events = history()
    events.splice(2, 1)
    const renumbered = events.map((e, i) => ({ ...e, revision: BigInt(i) }))
    expect(verify(renumbered)).toContain("broken-chain@2")
  })

  it("detects an inserted event, even one sealed as if it belonged", () => {
    const events = history()
    const intruder = recorded(Integrity.seal(STREAM, 3n, Integrity.GENESIS, proposed(1)).events)[0] as RecordedEvent
    const withIntruder = [
      ...events.slice(0, 3),
      { ...intruder, revision: 3n },
      ...events.slice(3).map((e) => ({ ...e, revision: e.revision + 1n }))
    ]
    const found = verify(withIntruder)
    expect(found).toContain("broken-chain@3")
    expect(found.length).toBeGreaterThan(0)
  })

  it("detects reordered events", () => {
    const events = history()
    const swapped = [events[0], events[2], events[1], ...events.slice(3)] as Array<RecordedEvent>
    expect(verify(swapped)).toEqual(["missing-events@2", "out-of-order@1"])
    const renumbered = swapped.map((e, i) => ({ ...e, revision: BigInt(i) }))
    expect(verify(renumbered)).toContain("edited-metadata@1")
  })

  it("flags events without an integrity record", () => {
    const events = recorded(proposed(2))
    expect(verify(events)).toEqual(["unsealed@0", "unsealed@1"])
  })

  it("signs checkpoints with Ed25519 and refuses forged or altered ones", () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519")
    const other = generateKeyPairSync("ed25519")
    const events = history()
    const last = Integrity.recordOf((events[5] as RecordedEvent).metadata)
    const checkpoint = Integrity.signCheckpoint(privateKey, {
      streamId: STREAM,
      revision: "5",
      digest: last?.digest ?? "",
      createdAt: "2026-11-28T00:00:00.000Z"
    })
    expect(Integrity.verifyCheckpointSignature(publicKey, checkpoint)).toBe(true)
    expect(
      Integrity.verifyCheckpointSignature(publicKey.export({ type: "spki", format: "pem" }).toString(), checkpoint)
    ).toBe(true)
    expect(Integrity.verifyCheckpointSignature(other.publicKey, checkpoint)).toBe(false)
    expect(Integrity.verifyCheckpointSignature(publicKey, { ...checkpoint, revision: "4" })).toBe(false)
    expect(Integrity.verifyCheckpointSignature(publicKey, { ...checkpoint, signature: "AAAA" })).toBe(false)
  })

  it("writes strings exactly as JSON.stringify does, escapes and all", () => {
    const tricky = [
      "plain",
      'say "hi"',
      "back\\slash",
      "tab\tnew\nline\u0000\u001f",
      "lone \ud800",
      "\udc00 lone",
      "pair 😀",
      "sep \u2028\u2029",
      "del \u007f",
      "é"
    ]
    for (const text of tricky) {
      expect(Integrity.canonicalJson(text)).toBe(JSON.stringify(text))
      expect(Integrity.canonicalJson({ [text]: text })).toBe(`{${JSON.stringify(text)}:${JSON.stringify(text)}}`)
    }
    fc.assert(
      fc.property(fc.fullUnicodeString(), fc.string({ unit: "binary" }), (a, b) => {
        expect(Integrity.canonicalJson([a, b])).toBe(JSON.stringify([a, b]))
      }),
      { numRuns: 500 }
    )
  })

  it("orders keys as Array.prototype.sort does, for few keys and many (numeric, surrogate pairs, prefixes)", () => {
    const key = fc.oneof(fc.string(), fc.fullUnicodeString({ maxLength: 4 }), fc.nat().map(String))
    fc.assert(
      fc.property(fc.uniqueArray(key, { maxLength: 40 }), (keys) => {
        const record: { [key: string]: Json } = {}
        keys.forEach((k, i) => {
          record[k] = i
        })
        const sorted = Object.keys(record).sort()
        expect(Integrity.canonicalJson(record)).toBe(
          `{${sorted.map((k) => `${JSON.stringify(k)}:${JSON.stringify(record[k])}`).join(",")}}`
        )
      }),
      { numRuns: 500 }
    )
  })

  it("computes each digest as defined: SHA-256 of the canonical data, and of the canonical whole", () => {
    // The definition, written the plain way, against the implementation (which canonicalises the data once).
    const canonical = (value: unknown): string => {
      if (value === null || typeof value !== "object") return JSON.stringify(value)
      if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`
      return `{${Object.keys(value)
        .sort()
        .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`)
        .join(",")}}`
    }
    const sha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex")
    const json: fc.Arbitrary<Json> = fc.jsonValue() as fc.Arbitrary<Json>
    fc.assert(
      fc.property(
        json,
        fc.dictionary(fc.string(), json),
        fc.string(),
        fc.bigInt({ min: 0n, max: 1n << 62n }),
        fc.string(),
        (data, extra, streamId, revision, type) => {
          const metadata = { ...extra, [Integrity.INTEGRITY_KEY]: "ignored" }
          const { [Integrity.INTEGRITY_KEY]: _left, ...withoutRecord } = metadata
          const record = Integrity.digestEvent({
            streamId,
            revision,
            type,
            data,
            metadata,
            previous: Integrity.GENESIS
          })
          expect(record.data).toBe(sha256(canonical(data)))
          expect(record.digest).toBe(
            sha256(
              canonical({
                stream: streamId,
                revision: String(revision),
                type,
                data,
                metadata: withoutRecord,
                previous: Integrity.GENESIS
              })
            )
          )
          expect(Integrity.canonicalJson(data)).toBe(canonical(data))
        }
      ),
      { numRuns: 300 }
    )
  })
})
