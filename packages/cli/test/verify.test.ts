/**
 * `sa-audit verify` as an auditor uses it: the keys it is given, how far the signed checkpoints cover the history,
 * and what an auditor noted last time (`--require-signed`, `--expect-checkpoint`). The golden history is signed by
 * a key whose private half is not kept; the forgeries here are made with keys of the run.
 */
import { generateKeyPairSync, type KeyObject } from "node:crypto"
import { describe, expect, it } from "@effect/vitest"
import { Integrity, IntegrityCheckpoints, Ndjson, type RecordedEvent } from "@service-accounts/domain"
import { Effect } from "effect"
import { golden, goldenKeyPath, goldenLines, goldenPath, sa, tempFile } from "./helpers.js"

const pem = (key: KeyObject) => String(key.export({ type: key.type === "private" ? "pkcs8" : "spki", format: "pem" }))
const forger = generateKeyPairSync("ed25519")

const events = (): Array<RecordedEvent> =>
  goldenLines.slice(1).map((text, i) => {
    const decoded = Ndjson.decodeLine({ number: i + 2, text, terminated: true })
    if (decoded._tag === "Left") throw new Error(decoded.left.message)
    return decoded.right
  })

/** The next event of a stream, sealed onto the golden history's chain as a forger with write access would. */
const appended = (streamId: string, type: string, data: RecordedEvent["data"]): string => {
  const all = events()
  const last = all.filter((e) => e.streamId === streamId).at(-1)
  const revision = last === undefined ? 0n : last.revision + 1n
  const previous = last === undefined ? Integrity.GENESIS : (Integrity.recordOf(last.metadata)?.digest ?? "")
  const { events: sealed } = Integrity.seal(streamId, revision, previous, [
    { eventId: crypto.randomUUID(), type, data, metadata: { schemaVersion: 1 } }
  ])
  const [event] = sealed
  if (event === undefined) throw new Error("nothing sealed")
  const position = BigInt(all.length)
  return Ndjson.encodeLine({ ...event, streamId, revision, position, recordedAt: new Date("2026-01-05T10:00:00Z") })
}

const lines = (...extra: ReadonlyArray<string>) => `${[...goldenLines, ...extra].join("\n")}\n`

/** A revocation of the golden "backup" token, forged after the last checkpoint (position 17, acme revision 13). */
const forgedTail = appended("serviceAccountDirectory-acme", "TokenRevoked", {
  _tag: "TokenRevoked",
  organizationId: "acme",
  actor: { userId: "mallory@acme.example.com", role: "administrator" },
  occurredAt: "2026-01-05T10:00:00.000Z",
  serviceAccountId: "84c67782-8385-429e-9c26-d5df29c1269f",
  tokenId: "7c65663b-3c39-4995-a662-4da06971d3f2",
  reason: "Manual"
})

const withoutCheckpoints = `${goldenLines.filter((line) => !line.includes('"stream":"serviceAccountIntegrity-')).join("\n")}\n`

describe("verify's keys", () => {
  it.effect("refuses a private key given as --public-key, saying so", () =>
    Effect.gen(function* () {
      const result = yield* sa(
        "verify",
        "--file",
        goldenPath,
        "--public-key",
        tempFile(pem(forger.privateKey), "k.pem")
      )
      expect(result.code).toBe(2)
      expect(result.stderr).toMatch(
        /^sa-audit: --public-key .*k\.pem: it is a private key; give the public key instead/
      )
      expect(result.stdout).toBe("")
    })
  )

  it.effect("a key that verifies no checkpoint is reported as such, not as a forgery of each", () =>
    Effect.gen(function* () {
      const result = yield* sa("verify", "--file", goldenPath, "--public-key", tempFile(pem(forger.publicKey), "k.pem"))
      expect(result.code).toBe(1)
      expect(result.stdout).toContain(
        "(the history)  key-mismatch  the key does not match the signer of any checkpoint"
      )
      expect(result.stdout).not.toContain("forged-checkpoint")
      expect(result.stdout).not.toContain("TAMPERING")
      expect(result.stdout).toContain("WRONG KEY? The public key does not match the signer of any checkpoint")
      expect(result.stderr).toBe("sa-audit: the public key does not match the signer of any checkpoint")
    })
  )

  it.effect("a checkpoint of another signer among valid ones is a forgery, and tampering", () =>
    Effect.gen(function* () {
      const signed = Integrity.signCheckpoint(forger.privateKey, {
        streamId: "serviceAccountDirectory-globex",
        revision: "1",
        digest: "0".repeat(64),
        createdAt: "2026-01-05T10:00:00.000Z"
      })
      const forged = appended("serviceAccountIntegrity-globex", IntegrityCheckpoints.CHECKPOINT_EVENT_TYPE, {
        ...signed
      })
      const result = yield* sa("verify", "--file", tempFile(lines(forged)), "--public-key", goldenKeyPath)
      expect(result.code).toBe(1)
      expect(result.stdout).toContain("position 17 (serviceAccountIntegrity-globex@1)  forged-checkpoint")
      expect(result.stdout).toContain("TAMPERING: 1 finding(s).")
      expect(result.stdout).not.toContain("key-mismatch")
    })
  )
})

describe("verify's coverage", () => {
  it.effect("reports events after the last signed checkpoint, and --require-signed makes them a finding", () =>
    Effect.gen(function* () {
      const path = tempFile(lines(forgedTail))
      const reported = yield* sa("verify", "--file", path, "--public-key", goldenKeyPath)
      expect(reported.code).toBe(0)
      expect(reported.stdout).toContain(
        "1 event(s) not covered by any signed checkpoint:\n  serviceAccountDirectory-acme  1 event(s), revision 13, position 17"
      )
      const required = yield* sa("verify", "--file", path, "--public-key", goldenKeyPath, "--require-signed")
      expect(required.code).toBe(1)
      expect(required.stdout).toContain(
        "position 17 (serviceAccountDirectory-acme@13)  unsigned-events  1 event(s) (revision 13, position 17) are not covered by any signed checkpoint"
      )
      const json = JSON.parse(
        (yield* sa("verify", "--file", path, "--public-key", goldenKeyPath, "--format", "json")).stdout
      )
      expect(json).toMatchObject({
        uncoveredEvents: 1,
        uncovered: [{ streamId: "serviceAccountDirectory-acme", events: 1, firstRevision: "13", firstPosition: "17" }]
      })
      // Signed to its end, the golden history needs nothing more.
      expect((yield* sa("verify", "--file", goldenPath, "--public-key", goldenKeyPath, "--require-signed")).code).toBe(
        0
      )
    })
  )

  it.effect("a history stripped of its checkpoints passes only without --require-signed, and says so", () =>
    Effect.gen(function* () {
      const path = tempFile(withoutCheckpoints)
      const plain = yield* sa("verify", "--file", path, "--public-key", goldenKeyPath)
      expect(plain.code).toBe(0)
      expect(plain.stdout).toContain("No signed checkpoint: a removed tail or a rewritten history cannot be detected.")
      expect(plain.stdout).toContain("15 event(s) not covered by any signed checkpoint:")
      const required = yield* sa("verify", "--file", path, "--public-key", goldenKeyPath, "--require-signed")
      expect(required.code).toBe(1)
      expect(required.stdout).toContain("(the history)  no-signed-checkpoint")
    })
  )

  it.effect("--expect-checkpoint: the checkpoints noted last time must still be there", () =>
    Effect.gen(function* () {
      const noted = JSON.parse(
        (yield* sa("verify", "--file", goldenPath, "--public-key", goldenKeyPath, "--format", "json")).stdout
      ) as { readonly latestCheckpoints: ReadonlyArray<{ readonly position: string; readonly digest: string }> }
      const [acme, globex] = noted.latestCheckpoints
      if (acme === undefined || globex === undefined) return expect.unreachable("two checkpoints")
      const expect2 = ["--expect-checkpoint", acme.position, "--expect-checkpoint", globex.digest]
      expect((yield* sa("verify", "--file", goldenPath, "--public-key", goldenKeyPath, ...expect2)).code).toBe(0)
      // Without the checkpoint lines, or without them and the tail after the first directory's events.
      const cut = `${goldenLines.slice(0, 11).join("\n")}\n`
      for (const text of [withoutCheckpoints, cut]) {
        const result = yield* sa("verify", "--file", tempFile(text), "--public-key", goldenKeyPath, ...expect2)
        expect(result.code).toBe(1)
        expect(result.stdout).toContain(
          `position ${acme.position} (the history)  missing-checkpoint  the checkpoint at position ${acme.position}, expected from an earlier audit, is not in the history with a valid signature`
        )
        expect(result.stdout).toContain(`the checkpoint of digest ${globex.digest}, expected from an earlier audit`)
      }
    })
  )

  it.effect("--require-signed and --expect-checkpoint need the key, and a well-formed checkpoint", () =>
    Effect.gen(function* () {
      for (const args of [["--require-signed"], ["--expect-checkpoint", "15"]]) {
        expect(yield* sa("verify", "--file", goldenPath, ...args)).toMatchObject({
          code: 2,
          stderr:
            "sa-audit: --require-signed and --expect-checkpoint need --public-key: only a valid signature vouches for a checkpoint"
        })
      }
      const bad = yield* sa("verify", "--file", goldenPath, "--public-key", goldenKeyPath, "--expect-checkpoint", "x")
      expect(bad.code).toBe(2)
      expect(bad.stderr).toMatch(
        /^sa-audit: --expect-checkpoint must be a checkpoint's position \(digits\) or its digest/
      )
    })
  )
})

describe("not found", () => {
  it.effect("one rule for as-of and token: an id the history does not hold (at that point) exits 1", () =>
    Effect.gen(function* () {
      const unknown = "00000000-0000-4000-8000-000000000000"
      const asOf = yield* sa("as-of", "--file", goldenPath, "--position", "5", "--account", unknown)
      expect(asOf.code).toBe(1)
      expect(asOf.stdout).toContain(`Service account ${unknown} did not exist at position 5`)
      expect(asOf.stderr).toBe(`sa-audit: service account ${unknown} did not exist at position 5`)
      const token = yield* sa("token", unknown, "--file", goldenPath)
      expect(token).toMatchObject({ code: 1, stderr: `sa-audit: token ${unknown} does not appear in the history` })
      // Found, it is an answer: exit 0.
      expect(golden).toContain("84c67782-8385-429e-9c26-d5df29c1269f")
      const found = yield* sa(
        "as-of",
        "--file",
        goldenPath,
        "--position",
        "5",
        "--account",
        "84c67782-8385-429e-9c26-d5df29c1269f"
      )
      expect(found.code).toBe(0)
    })
  )
})
