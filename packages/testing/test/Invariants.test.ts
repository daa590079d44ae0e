import { describe, expect, it } from "@effect/vitest"
import * as Domain from "@service-accounts/domain"
import * as DomainIntegrity from "@service-accounts/domain/integrity"
import { decode, type Json, type RecordedEvent, Token } from "@service-accounts/domain"
import { Either, FastCheck as fc } from "effect"
import {
  checkInvariants,
  type HistoryStep,
  historyFromSteps,
  makeInvariantChecker,
  validHistory
} from "../src/index.js"
import * as KitInvariants from "../src/Invariants.js"

const ORG = "org-a"
const STREAM = `serviceAccountDirectory-${ORG}`
const ACCOUNT = "11111111-1111-4111-8111-111111111111"
const OTHER_ACCOUNT = "22222222-2222-4222-8222-222222222222"
const TOKEN = "33333333-3333-4333-8333-333333333333"
const TOKEN_2 = "44444444-4444-4444-8444-444444444444"
const HASH = "a".repeat(64)
const admin = { userId: "admin", role: "administrator" }

type Data = { readonly [key: string]: Json }

const created = (serviceAccountId: string, name: string): Data => ({
  _tag: "ServiceAccountCreated",
  organizationId: ORG,
  actor: admin,
  occurredAt: "2026-01-01T00:00:00.000Z",
  serviceAccountId,
  name
})
const issued = (serviceAccountId: string, tokenId: string, name: string): Data => ({
  _tag: "TokenIssued",
  organizationId: ORG,
  actor: admin,
  occurredAt: "2026-01-01T00:00:01.000Z",
  serviceAccountId,
  tokenId,
  name,
  scopes: ["read"],
  secretHash: HASH,
  hint: "abcd"
})
const revoked = (serviceAccountId: string, tokenId: string, reason = "Manual"): Data => ({
  _tag: "TokenRevoked",
  organizationId: ORG,
  actor: admin,
  occurredAt: "2026-01-01T00:00:02.000Z",
  serviceAccountId,
  tokenId,
  reason
})
const deleted = (serviceAccountId: string, revokedTokenIds: ReadonlyArray<string>): Data => ({
  _tag: "ServiceAccountDeleted",
  organizationId: ORG,
  actor: admin,
  occurredAt: "2026-01-01T00:00:03.000Z",
  serviceAccountId,
  revokedTokenIds: [...revokedTokenIds]
})

/** Records events as a store would: gapless revisions, increasing positions, unique ids. */
const history = (...events: ReadonlyArray<Data>): Array<RecordedEvent> =>
  events.map((data, i) => ({
    streamId: STREAM,
    revision: BigInt(i),
    position: BigInt(100 + i * 10),
    eventId: `00000000-0000-4000-8000-${String(i).padStart(12, "0")}`,
    type: String(data._tag),
    data,
    metadata: { schemaVersion: 1 },
    recordedAt: new Date(0)
  }))

const codes = (events: ReadonlyArray<RecordedEvent>) =>
  checkInvariants(events).map((v) => `${v.invariant}@${v.position}`)

describe("checkInvariants", () => {
  it("is the domain's checker, from its root and its integrity subpath, under the same names", () => {
    for (const module of [Domain, DomainIntegrity, KitInvariants]) {
      expect(module.checkInvariants).toBe(checkInvariants)
      expect(module.makeInvariantChecker).toBe(makeInvariantChecker)
    }
  })

  it("finds nothing wrong in a correct history", () => {
    const h = history(
      created(ACCOUNT, "deploy"),
      issued(ACCOUNT, TOKEN, "ci"),
      issued(ACCOUNT, TOKEN_2, "ci-2"),
      revoked(ACCOUNT, TOKEN_2),
      revoked(ACCOUNT, TOKEN, "ServiceAccountDeleted"),
      deleted(ACCOUNT, [TOKEN]),
      created(OTHER_ACCOUNT, "DEPLOY")
    )
    expect(checkInvariants(h)).toEqual([])
  })

  it("I1: two live accounts with the same name (case, width and spacing folded)", () => {
    expect(codes(history(created(ACCOUNT, "deploy"), created(OTHER_ACCOUNT, "ＤＥＰＬＯＹ")))).toEqual(["I1@110"])
  })

  it("I2: two active tokens of an account with the same name", () => {
    expect(
      codes(history(created(ACCOUNT, "a"), issued(ACCOUNT, TOKEN, "ci"), issued(ACCOUNT, TOKEN_2, " CI")))
    ).toEqual(["I2@120"])
  })

  it("I3: an event about an account that does not exist or is deleted", () => {
    expect(codes(history(issued(ACCOUNT, TOKEN, "ci")))).toEqual(["I3@100"])
    expect(codes(history(created(ACCOUNT, "a"), deleted(ACCOUNT, []), issued(ACCOUNT, TOKEN, "ci")))).toEqual([
      "I3@120"
    ])
    expect(codes(history(created(ACCOUNT, "a"), deleted(ACCOUNT, []), deleted(ACCOUNT, [])))).toEqual(["I3@120"])
  })

  it("I4: a token revoked twice, or revoked without being issued", () => {
    expect(
      codes(
        history(created(ACCOUNT, "a"), issued(ACCOUNT, TOKEN, "ci"), revoked(ACCOUNT, TOKEN), revoked(ACCOUNT, TOKEN))
      )
    ).toEqual(["I4@130"])
    expect(codes(history(created(ACCOUNT, "a"), revoked(ACCOUNT, TOKEN)))).toEqual(["I4@110"])
  })

  it("I5: an account deleted while a token is still active, or without its cascade", () => {
    expect(codes(history(created(ACCOUNT, "a"), issued(ACCOUNT, TOKEN, "ci"), deleted(ACCOUNT, [])))).toEqual([
      "I5@120"
    ])
    const listedButNotRevoked = codes(
      history(created(ACCOUNT, "a"), issued(ACCOUNT, TOKEN, "ci"), revoked(ACCOUNT, TOKEN), deleted(ACCOUNT, [TOKEN]))
    )
    expect(listedButNotRevoked).toEqual(["I5@130"])
    const cascadeWithoutDeletion = codes(
      history(created(ACCOUNT, "a"), issued(ACCOUNT, TOKEN, "ci"), revoked(ACCOUNT, TOKEN, "ServiceAccountDeleted"))
    )
    expect(cascadeWithoutDeletion).toEqual(["I5@120"])
  })

  it("I6: a token value stored anywhere in an event", () => {
    // Made from fixed bytes here, never issued to anyone, and not written out as a literal for scanners to flag.
    const value = Token.fromEntropy(new Uint8Array(32).fill(1))
    const h = history(created(ACCOUNT, "a"))
    const leaky = h.map((e) => ({ ...e, metadata: { ...e.metadata, note: `oops ${value}` } }))
    expect(codes(leaky)).toEqual(["I6@100"])
    // Wherever it is: a key, deep in arrays, the data; a look-alike (wrong checksum) or a cut value is not one.
    const places: ReadonlyArray<readonly [Json, string]> = [
      [{ [value]: 1 }, "I6@100"],
      [{ a: [1, [null, { b: [`x${value}y`] }]] }, "I6@100"],
      [{ a: `${value.slice(0, -1)}${value.endsWith("a") ? "b" : "a"}` }, ""],
      [{ a: value.slice(0, 40), b: value.slice(40) }, ""]
    ]
    for (const [extra, expected] of places) {
      const withExtra = h.map((e) => ({ ...e, metadata: { ...e.metadata, extra } }))
      expect(codes(withExtra).join(",")).toBe(expected)
    }
    const inData = history({ ...created(ACCOUNT, "a"), description: value })
    expect(codes(inData)).toContain("I6@100")
  })

  it("gives the same violations when the caller hands over the events it decoded (property)", () => {
    // Valid histories with events dropped and repeated, so that there is something to find.
    const broken = fc
      .tuple(validHistory({ maxSteps: 30 }), fc.array(fc.tuple(fc.boolean(), fc.nat()), { maxLength: 4 }))
      .map(([h, edits]) =>
        edits.reduce<ReadonlyArray<RecordedEvent>>((events, [drop, at]) => {
          const i = events.length === 0 ? 0 : at % events.length
          const event = events[i]
          if (event === undefined) return events
          return drop ? events.filter((_, j) => j !== i) : [...events.slice(0, i + 1), event, ...events.slice(i + 1)]
        }, h)
      )
    let found = 0
    fc.assert(
      fc.property(broken, (h) => {
        const checker = makeInvariantChecker()
        for (const event of h) {
          const decoded = decode(event)
          checker.next(event, Either.isRight(decoded) ? decoded.right : undefined)
        }
        const expected = checkInvariants(h)
        found += expected.length
        expect(checker.finish()).toEqual(expected)
      }),
      { numRuns: 200 }
    )
    expect(found).toBeGreaterThan(0)
  })

  it("I7: an event whose actor is not an administrator", () => {
    const h = history({ ...created(ACCOUNT, "a"), actor: { userId: "bob", role: "member" } })
    expect(codes(h)).toEqual(["I7@100"])
  })

  it("I8: an event that cannot be replayed (undecodable, foreign organisation, repeated id)", () => {
    expect(codes(history({ ...created(ACCOUNT, "a"), name: 42 }))).toEqual(["I8@100"])
    expect(codes(history({ ...created(ACCOUNT, "a"), organizationId: "org-z" }))).toEqual(["I8@100"])
    const repeated = history(created(ACCOUNT, "a"), created(OTHER_ACCOUNT, "b"))
    const withSameId = repeated.map((e) => ({ ...e, eventId: "00000000-0000-4000-8000-000000000000" }))
    expect(codes(withSameId)).toEqual(["I8@110"])
  })

  it("I9: a gap in a stream's revisions or positions that go backwards", () => {
    const h = history(created(ACCOUNT, "a"), created(OTHER_ACCOUNT, "b"))
    expect(codes(h.map((e, i) => (i === 1 ? { ...e, revision: 2n } : e)))).toEqual(["I9@110"])
    expect(codes(h.map((e, i) => (i === 1 ? { ...e, position: 50n } : e)))).toEqual(["I9@50"])
  })

  it("reports the position, stream, revision and a message", () => {
    const [violation] = checkInvariants(history(issued(ACCOUNT, TOKEN, "ci")))
    expect(violation).toMatchObject({ invariant: "I3", streamId: STREAM, revision: 0n, position: 100n })
    expect(violation?.message).toContain(ACCOUNT)
  })

  it("ignores streams that are not organisation directories and system events", () => {
    const foreign: RecordedEvent = {
      ...history(issued(ACCOUNT, TOKEN, "x"))[0],
      streamId: "other-stream"
    } as RecordedEvent
    const system: RecordedEvent = { ...history(issued(ACCOUNT, TOKEN, "x"))[0], type: "$metadata" } as RecordedEvent
    expect(checkInvariants([foreign, system])).toEqual([])
  })

  it("finds nothing wrong in any history the domain's decider writes (property)", () => {
    fc.assert(
      fc.property(validHistory({ maxSteps: 60 }), (h) => {
        expect(checkInvariants(h)).toEqual([])
      }),
      { numRuns: 200 }
    )
  })

  it("histories built from steps exercise every event type", () => {
    const steps: ReadonlyArray<HistoryStep> = [
      { _tag: "Create", name: "a", description: "first" },
      { _tag: "Issue", account: 0, name: "t1" },
      { _tag: "Issue", account: 0, name: "t2" },
      { _tag: "Revoke", account: 0, token: 0 },
      { _tag: "Delete", account: 0 }
    ]
    const types = historyFromSteps(steps).map((e) => e.type)
    expect(types).toEqual([
      "ServiceAccountCreated",
      "TokenIssued",
      "TokenIssued",
      "TokenRevoked",
      "TokenRevoked",
      "ServiceAccountDeleted"
    ])
  })
})
