/**
 * What a verification says about its key and about how far signed checkpoints reach: a key that verifies no
 * checkpoint, keys that are not public Ed25519 keys, events no checkpoint covers, `requireSigned` and
 * `expectCheckpoints`.
 */
import { generateKeyPairSync } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { IntegrityCheckpoints } from "../src/index.js"
import { CHECKPOINTS, DIRECTORY, found, History, privateKey, publicKey, verify } from "./integrityHistory.js"

const other = generateKeyPairSync("ed25519")

describe("verification keys", () => {
  it.effect("a key that verifies none of the checkpoints is one finding, not a forgery of each", () =>
    Effect.gen(function* () {
      const history = new History().directory(2).checkpoint().directory(2).checkpoint()
      const report = yield* verify(history.events, { publicKey: other.publicKey })
      expect(found(report)).toEqual(["key-mismatch@c-1#undefined"])
      expect(report.findings[0]?.message).toMatch(/^the key does not match the signer of any checkpoint/)
      expect(report).toMatchObject({ checkpoints: 0, totalFindings: 1 })
      // The same history with the right key is intact; one checkpoint of another signer among them is a forgery.
      expect(found(yield* verify(history.events))).toEqual([])
      const mixed = new History().directory(2).checkpoint().directory(2).checkpoint(other.privateKey)
      expect(found(yield* verify(mixed.events))).toEqual(["forged-checkpoint@c1#5"])
      // A PEM that is no key at all verifies nothing either.
      expect(found(yield* verify(history.events, { publicKey: "not a key" }))).toEqual(["key-mismatch@c-1#undefined"])
    })
  )

  it("verificationKey refuses a private key, saying so, and anything but an Ed25519 public key", () => {
    const pem = (key: typeof publicKey) =>
      String(key.export({ type: key.type === "private" ? "pkcs8" : "spki", format: "pem" }))
    expect(Either.isRight(IntegrityCheckpoints.verificationKey(pem(publicKey)))).toBe(true)
    expect(Either.isRight(IntegrityCheckpoints.verificationKey(publicKey))).toBe(true)
    for (const given of [pem(privateKey), privateKey]) {
      const refused = IntegrityCheckpoints.verificationKey(given)
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ privateKey: true })
      expect(Either.isLeft(refused) && refused.left.message).toMatch(/it is a private key; give the public key/)
    }
    const rsa = generateKeyPairSync("rsa", { modulusLength: 1024 }).publicKey
    for (const given of [rsa, pem(rsa), "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", ""]) {
      const refused = IntegrityCheckpoints.verificationKey(given)
      expect(Either.isLeft(refused) && refused.left).toMatchObject({ privateKey: false })
    }
  })
})

describe("coverage", () => {
  it.effect("reports the events after the last signed checkpoint: how many, which revisions, which positions", () =>
    Effect.gen(function* () {
      // Revisions 0–3 signed (the checkpoint at position 4), then 4–5 at positions 5–6: a forged tail, say.
      const history = new History().directory(4).checkpoint().directory(2)
      const report = yield* verify(history.events)
      expect(found(report)).toEqual([])
      expect(report.uncovered).toEqual([
        { streamId: DIRECTORY, events: 2, firstRevision: 4n, lastRevision: 5n, firstPosition: 5n, lastPosition: 6n }
      ])
      expect(report.uncoveredEvents).toBe(2)
      expect(report.latest).toEqual([{ checkpoint: report.latestCheckpoints[0], position: 4n }])
      // Signed to its end, nothing is uncovered.
      expect((yield* verify(new History().directory(4).checkpoint().events)).uncovered).toEqual([])
    })
  )

  it.effect("counts every event uncovered without a key, without checkpoints, or when the checkpoint lies", () =>
    Effect.gen(function* () {
      const history = new History().directory(3).checkpoint()
      const all = { streamId: DIRECTORY, events: 3, firstRevision: 0n, lastRevision: 2n, firstPosition: 0n }
      expect((yield* verify(history.events, {})).uncovered).toEqual([{ ...all, lastPosition: 2n }])
      const stripped = history.events.filter((e) => e.streamId !== CHECKPOINTS)
      expect((yield* verify(stripped)).uncovered).toEqual([{ ...all, lastPosition: 2n }])
      const wrongKey = yield* verify(history.events, { publicKey: other.publicKey })
      expect(wrongKey.uncoveredEvents).toBe(3)
    })
  )

  it.effect("finds the first uncovered position of a checkpoint checked in the second pass", () =>
    Effect.gen(function* () {
      // The checkpoint signs revision 1 after revisions 2 and 3 were read: revisions 2–5 are uncovered.
      const history = new History().directory(4).checkpoint(privateKey, 1n).directory(2)
      const report = yield* verify(history.events)
      expect(report.passes).toBe(2)
      expect(report.uncovered).toEqual([
        { streamId: DIRECTORY, events: 4, firstRevision: 2n, lastRevision: 5n, firstPosition: 2n, lastPosition: 6n }
      ])
    })
  )

  it.effect("requireSigned: uncovered events and a history without a signed checkpoint are findings", () =>
    Effect.gen(function* () {
      const required = { publicKey, requireSigned: true }
      const tail = new History().directory(4).checkpoint().directory(2)
      const report = yield* verify(tail.events, required)
      expect(found(report)).toEqual(["unsigned-events@d4#5"])
      expect(report.findings[0]?.message).toBe(
        "2 event(s) (revisions 4–5, positions 5–6) are not covered by any signed checkpoint"
      )
      const none = tail.events.filter((e) => e.streamId !== CHECKPOINTS)
      expect(found(yield* verify(none, required))).toEqual([
        "unsigned-events@d0#0",
        "no-signed-checkpoint@c-1#undefined"
      ])
      // An empty history holds no signed checkpoint either.
      expect(found(yield* verify([], required))).toEqual(["no-signed-checkpoint@c-1#undefined"])
      expect(found(yield* verify(new History().directory(4).checkpoint().events, required))).toEqual([])
    })
  )

  it.effect("expectCheckpoints: the checkpoints noted at the last audit must still be there, signed", () =>
    Effect.gen(function* () {
      const history = new History().directory(3).checkpoint().directory(2).checkpoint().directory(1)
      const noted = yield* verify(history.events)
      const [last] = noted.latest
      if (last === undefined) return expect.unreachable("a checkpoint was written")
      const byPosition = { position: last.position }
      const byDigest = { digest: last.checkpoint.digest }
      for (const expected of [byPosition, byDigest]) {
        expect(found(yield* verify(history.events, { publicKey, expectCheckpoints: [expected] }))).toEqual([])
      }
      // The checkpoint lines removed, or them and the tail: each is a finding, naming what was expected.
      const withoutCheckpoints = history.events.filter((e) => e.streamId !== CHECKPOINTS)
      const cut = history.events.filter((e) => e.position < last.position)
      for (const events of [withoutCheckpoints, cut]) {
        const report = yield* verify(events, { publicKey, expectCheckpoints: [byPosition, byDigest] })
        expect(found(report)).toEqual([`missing-checkpoint@c-1#${last.position}`, "missing-checkpoint@c-1#undefined"])
        expect(report.findings[0]?.message).toMatch(
          new RegExp(`^the checkpoint at position ${last.position}, expected from an earlier audit, is not in the`)
        )
        expect(report.findings[1]?.message).toContain(`of digest ${last.checkpoint.digest}`)
      }
      // A checkpoint at that position that the key does not verify is not the one noted.
      const replaced = history.events.map((e) =>
        e.position === last.position ? { ...e, data: { ...(e.data as object), signature: "AAAA" } } : e
      )
      const report = yield* verify(replaced, { publicKey, expectCheckpoints: [byPosition] })
      expect(found(report)).toContain(`missing-checkpoint@c-1#${last.position}`)
    })
  )
})
