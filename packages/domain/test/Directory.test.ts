import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Exit, Redacted, Schema } from "effect"
import {
  CreateServiceAccount,
  Directory,
  DeleteServiceAccount,
  fold,
  IssueToken,
  OrganizationId,
  RevokeToken,
  SecureRandom,
  ServiceAccountEvent,
  Token,
  UserId
} from "../src/index.js"

const context: Directory.DecisionContext = {
  organizationId: OrganizationId.make("org-1"),
  actor: { userId: UserId.make("alice"), role: "administrator" }
}

const create = (name: string, description?: string) =>
  Schema.decodeUnknownSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name, description })
const issue = (serviceAccountId: string, name: string) =>
  Schema.decodeUnknownSync(IssueToken)({ _tag: "IssueToken", serviceAccountId, name })
const revoke = (serviceAccountId: string, tokenId: string) =>
  Schema.decodeUnknownSync(RevokeToken)({ _tag: "RevokeToken", serviceAccountId, tokenId })
const remove = (serviceAccountId: string) =>
  Schema.decodeUnknownSync(DeleteServiceAccount)({ _tag: "DeleteServiceAccount", serviceAccountId })

/** Given the events so far, decide a command: a small given/when/then for the directory decider. */
let seed = 0
const given = (history: ReadonlyArray<ServiceAccountEvent>, randomSeed: number = seed++) => ({
  when: (command: Directory.DirectoryCommand["command"]) =>
    Directory.decider
      .decide({ context, command }, fold(Directory.decider, history))
      .pipe(Effect.provide(SecureRandom.layerSeeded(randomSeed)))
})

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runSync(Effect.exit(effect))

const createdHistory = () => {
  const decision = Effect.runSync(given([]).when(create("deploy-bot", "ships builds")))
  const created = decision.events[0]
  if (created?._tag !== "ServiceAccountCreated") throw new Error("expected ServiceAccountCreated")
  return { history: decision.events, serviceAccountId: created.serviceAccountId }
}

const withTokens = (...names: ReadonlyArray<string>) => {
  const { history, serviceAccountId } = createdHistory()
  const events = [...history]
  const tokenIds: Array<string> = []
  for (const name of names) {
    const decision = Effect.runSync(given(events).when(issue(serviceAccountId, name)))
    const issued = decision.events[0]
    if (issued?._tag !== "TokenIssued") throw new Error("expected TokenIssued")
    events.push(issued)
    tokenIds.push(issued.tokenId)
  }
  return { events, serviceAccountId, tokenIds }
}

describe("Directory decider", () => {
  it("creates an account with a fresh id, the actor and the time", () => {
    const decision = Effect.runSync(given([]).when(create("  deploy-bot ", "ships builds")))
    expect(decision.events).toHaveLength(1)
    const [event] = decision.events
    expect(event).toMatchObject({
      _tag: "ServiceAccountCreated",
      organizationId: "org-1",
      actor: { userId: "alice", role: "administrator" },
      name: "deploy-bot",
      description: "ships builds"
    })
    expect(event?.occurredAt).toBeInstanceOf(Object)
    expect(DateTime.isDateTime(event?.occurredAt)).toBe(true)
    expect(decision.output).toMatchObject({ _tag: "Created", name: "deploy-bot" })
  })

  it("refuses a name already used by a live account, compared case- and width-insensitively", () => {
    const { history } = createdHistory()
    for (const name of ["deploy-bot", "DEPLOY-BOT", "ｄｅｐｌｏｙ-ｂｏｔ"]) {
      const exit = run(given(history).when(create(name)))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("DuplicateServiceAccountName")
    }
  })

  it("frees a name once its account is deleted", () => {
    const { history, serviceAccountId } = createdHistory()
    const deleted = Effect.runSync(given(history).when(remove(serviceAccountId)))
    const again = run(given([...history, ...deleted.events]).when(create("deploy-bot")))
    expect(Exit.isSuccess(again)).toBe(true)
  })

  it("issues a token: the event holds the digest and the hint, the output the value", () => {
    const { history, serviceAccountId } = createdHistory()
    const decision = Effect.runSync(given(history).when(issue(serviceAccountId, "ci")))
    const [event] = decision.events
    if (event?._tag !== "TokenIssued" || decision.output._tag !== "Issued") throw new Error("expected an issued token")
    const value = Redacted.value(decision.output.value)
    expect(Token.isWellFormed(value)).toBe(true)
    expect(event.secretHash).toBe(Token.digest(value))
    expect(event.hint).toBe(value.slice(-4))
    expect(event.scopes).toEqual(["read", "write"])
    expect(JSON.stringify(event)).not.toContain(value)
  })

  it("refuses a token name already used by an active token, but not by a revoked one", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("ci")
    const duplicate = run(given(events).when(issue(serviceAccountId, "CI")))
    expect(Exit.isFailure(duplicate) && JSON.stringify(duplicate.cause)).toContain("DuplicateTokenName")
    const revoked = Effect.runSync(given(events).when(revoke(serviceAccountId, tokenIds[0] ?? "")))
    const reused = run(given([...events, ...revoked.events]).when(issue(serviceAccountId, "ci")))
    expect(Exit.isSuccess(reused)).toBe(true)
  })

  it("refuses tokens for unknown or deleted accounts", () => {
    const { history, serviceAccountId } = createdHistory()
    const unknown = run(given(history).when(issue("00000000-0000-4000-8000-000000000000", "ci")))
    expect(Exit.isFailure(unknown) && JSON.stringify(unknown.cause)).toContain("ServiceAccountNotFound")
    const deleted = Effect.runSync(given(history).when(remove(serviceAccountId)))
    const afterDelete = run(given([...history, ...deleted.events]).when(issue(serviceAccountId, "ci")))
    expect(Exit.isFailure(afterDelete) && JSON.stringify(afterDelete.cause)).toContain("ServiceAccountNotFound")
  })

  it("revokes once: a second revocation is TokenAlreadyRevoked, an unknown token TokenNotFound", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("ci")
    const tokenId = tokenIds[0] ?? ""
    const first = Effect.runSync(given(events).when(revoke(serviceAccountId, tokenId)))
    expect(first.events).toMatchObject([{ _tag: "TokenRevoked", tokenId, reason: "Manual" }])
    const second = run(given([...events, ...first.events]).when(revoke(serviceAccountId, tokenId)))
    expect(Exit.isFailure(second) && JSON.stringify(second.cause)).toContain("TokenAlreadyRevoked")
    const unknown = run(given(events).when(revoke(serviceAccountId, "00000000-0000-4000-8000-000000000001")))
    expect(Exit.isFailure(unknown) && JSON.stringify(unknown.cause)).toContain("TokenNotFound")
  })

  it("lists an account's active tokens in issue order, however many there are", () => {
    const names = Array.from({ length: 20 }, (_, i) => `token-${i}`)
    const { events, serviceAccountId, tokenIds } = withTokens(...names)
    let history = events
    for (const i of [3, 7, 8, 15]) {
      history = [...history, ...Effect.runSync(given(history).when(revoke(serviceAccountId, tokenIds[i] ?? ""))).events]
    }
    const decision = Effect.runSync(given(history).when(remove(serviceAccountId)))
    const active = tokenIds.filter((_, i) => ![3, 7, 8, 15].includes(i))
    expect(decision.events.at(-1)).toMatchObject({ revokedTokenIds: active })
  })

  it("deletes with the cascade: each active token revoked in issue order, then the deletion listing them", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("a", "b", "c")
    const revokedB = Effect.runSync(given(events).when(revoke(serviceAccountId, tokenIds[1] ?? "")))
    const history = [...events, ...revokedB.events]
    const decision = Effect.runSync(given(history).when(remove(serviceAccountId)))
    const active = [tokenIds[0], tokenIds[2]]
    expect(decision.events.map((event) => event._tag)).toEqual([
      "TokenRevoked",
      "TokenRevoked",
      "ServiceAccountDeleted"
    ])
    expect(decision.events.slice(0, 2)).toMatchObject(
      active.map((tokenId) => ({ tokenId, reason: "ServiceAccountDeleted" }))
    )
    expect(decision.events[2]).toMatchObject({ revokedTokenIds: active })
    const state = fold(Directory.decider, decision.events, fold(Directory.decider, history))
    expect(Directory.accounts(state)).toHaveLength(0)
  })

  it.effect("is deterministic under a seeded random source and a test clock", () =>
    Effect.gen(function* () {
      const a = yield* given([], 1).when(create("x"))
      const b = yield* given([], 1).when(create("x"))
      expect(a).toEqual(b)
      expect(DateTime.toEpochMillis(a.events[0]?.occurredAt ?? DateTime.unsafeMake(1))).toBe(0)
    })
  )

  it("builds ids and digests its schemas accept (they are made without re-checking them)", () => {
    for (let i = 0; i < 50; i++) {
      const created = Effect.runSync(given([], 1000 + i).when(create(`bot-${i}`)))
      const [account] = created.events
      if (account?._tag !== "ServiceAccountCreated") throw new Error("expected ServiceAccountCreated")
      expect(() => Schema.validateSync(ServiceAccountEvent)(account)).not.toThrow()
      const issued = Effect.runSync(given(created.events, 2000 + i).when(issue(account.serviceAccountId, "ci")))
      for (const event of issued.events) expect(() => Schema.validateSync(ServiceAccountEvent)(event)).not.toThrow()
    }
  })
})
