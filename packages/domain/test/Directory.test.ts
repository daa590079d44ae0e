/**
 * The directory decider, specified given/when/then: plain values in, events or a refusal out — no Effect runtime, no
 * store, no clock. The context of each decision (the time, the random bytes) is written out, so every event is
 * known exactly.
 *
 * `DeciderSpecification` comes from `@service-accounts/testing`, which depends on this package: it is taken from its
 * source, since a dependency back would make the workspace's package graph circular.
 */
import { describe, expect, it } from "vitest"
import { DateTime, Redacted, Schema } from "effect"
import { DeciderSpecification } from "../../testing/src/DeciderSpecification.js"
import {
  CreateServiceAccount,
  DeleteServiceAccount,
  Directory,
  DuplicateServiceAccountName,
  DuplicateTokenName,
  IssueToken,
  OrganizationId,
  RevokeToken,
  SecretHash,
  ServiceAccountEvent,
  ServiceAccountId,
  ServiceAccountNotFound,
  Token,
  TokenAlreadyRevoked,
  TokenId,
  TokenNotFound,
  UserId,
  uuidFromBytes
} from "../src/index.js"

const now = DateTime.unsafeMake("2026-12-07T10:00:00.000Z")
const actor = { userId: UserId.make("alice"), role: "administrator" }
const organizationId = OrganizationId.make("org-1")

/** Random bytes that differ for every decision of a test file: each new id and token is known in advance. */
let draw = 0
const bytes = (length: number, seed: number = ++draw): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (seed * 31 + i * 7) & 0xff)

const contextFor = (command: Directory.DirectoryCommand, seed?: number): Directory.DecisionContext => ({
  organizationId,
  tenantUrl: "https://org-1.example.com",
  actor,
  now,
  random: bytes(Directory.randomBytesFor(command), seed)
})

const spec = DeciderSpecification.for(Directory.decider, (command) => contextFor(command))

const create = (name: string, description?: string) =>
  Schema.decodeUnknownSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name, description })
const issue = (serviceAccountId: string, name: string) =>
  Schema.decodeUnknownSync(IssueToken)({ _tag: "IssueToken", serviceAccountId, name })
const revoke = (serviceAccountId: string, tokenId: string) =>
  Schema.decodeUnknownSync(RevokeToken)({ _tag: "RevokeToken", serviceAccountId, tokenId })
const remove = (serviceAccountId: string) =>
  Schema.decodeUnknownSync(DeleteServiceAccount)({ _tag: "DeleteServiceAccount", serviceAccountId })

/** The events of one account created, and its id. */
const createdHistory = () => {
  const events = spec.given([]).when(create("deploy-bot", "ships builds")).events()
  const [created] = events
  if (created?._tag !== "ServiceAccountCreated") throw new Error("expected ServiceAccountCreated")
  return { history: events, serviceAccountId: created.serviceAccountId }
}

/** An account with tokens of these names issued, in order. */
const withTokens = (...names: ReadonlyArray<string>) => {
  const { history, serviceAccountId } = createdHistory()
  const events = [...history]
  const tokenIds: Array<TokenId> = []
  for (const name of names) {
    const [issued] = spec.given(events).when(issue(serviceAccountId, name)).events()
    if (issued?._tag !== "TokenIssued") throw new Error("expected TokenIssued")
    events.push(issued)
    tokenIds.push(issued.tokenId)
  }
  return { events, serviceAccountId, tokenIds }
}

const unknownAccount = ServiceAccountId.make("00000000-0000-4000-8000-000000000000")
const unknownToken = TokenId.make("00000000-0000-4000-8000-000000000001")

describe("the directory decider", () => {
  it("creates an account: its id from the context's random bytes, the actor and the time from the context", () => {
    const command = create("  deploy-bot ", "ships builds")
    const context = contextFor(command, 7)
    spec
      .given([])
      .when(command, context)
      .then([
        {
          _tag: "ServiceAccountCreated",
          organizationId,
          actor,
          occurredAt: now,
          serviceAccountId: ServiceAccountId.make(uuidFromBytes(bytes(16, 7))),
          name: command.name,
          description: command.description
        }
      ])
    expect(command.name).toBe("deploy-bot")
  })

  it("refuses a name already used by a live account, compared case- and width-insensitively", () => {
    const { history } = createdHistory()
    for (const name of ["deploy-bot", "DEPLOY-BOT", "ｄｅｐｌｏｙ-ｂｏｔ"]) {
      spec
        .given(history)
        .when(create(name))
        .thenRefuses(new DuplicateServiceAccountName({ accountName: create(name).name }))
    }
  })

  it("frees a name once its account is deleted", () => {
    const { history, serviceAccountId } = createdHistory()
    const deleted = spec.given(history).when(remove(serviceAccountId)).events()
    spec
      .given([...history, ...deleted])
      .when(create("deploy-bot"))
      .then((decision) => expect(decision.events.map((event) => event._tag)).toEqual(["ServiceAccountCreated"]))
  })

  it("issues a token: the event holds its id, digest and hint; the output the value and its session.json", () => {
    const { history, serviceAccountId } = createdHistory()
    const command = issue(serviceAccountId, "ci")
    const context = contextFor(command, 11)
    const value = Token.fromEntropy(bytes(48, 11).subarray(16))
    const tokenId = TokenId.make(uuidFromBytes(bytes(16, 11)))
    spec
      .given(history)
      .when(command, context)
      .then([
        {
          _tag: "TokenIssued",
          organizationId,
          actor,
          occurredAt: now,
          serviceAccountId,
          tokenId,
          name: command.name,
          scopes: ["read", "write"],
          secretHash: SecretHash.make(Token.digest(value)),
          hint: value.slice(-4)
        }
      ])
    spec
      .given(history)
      .when(command, context)
      .then(({ events, output }) => {
        if (output._tag !== "Issued") throw new Error("expected Issued")
        expect(Redacted.value(output.value)).toBe(value)
        expect(JSON.parse(Redacted.value(output.sessionJson))).toEqual({
          accessToken: value,
          tenantURL: "https://org-1.example.com",
          scopes: ["read", "write"]
        })
        expect(JSON.stringify(events)).not.toContain(value)
      })
  })

  it("refuses a token name already used by an active token, but not by a revoked one", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("ci")
    spec
      .given(events)
      .when(issue(serviceAccountId, "CI"))
      .thenRefuses(new DuplicateTokenName({ serviceAccountId, tokenName: issue(serviceAccountId, "CI").name }))
    const revoked = spec
      .given(events)
      .when(revoke(serviceAccountId, tokenIds[0] ?? unknownToken))
      .events()
    spec
      .given([...events, ...revoked])
      .when(issue(serviceAccountId, "ci"))
      .then((decision) => expect(decision.events).toHaveLength(1))
  })

  it("refuses tokens for unknown or deleted accounts", () => {
    const { history, serviceAccountId } = createdHistory()
    spec
      .given(history)
      .when(issue(unknownAccount, "ci"))
      .thenRefuses(new ServiceAccountNotFound({ serviceAccountId: unknownAccount }))
    const deleted = spec.given(history).when(remove(serviceAccountId)).events()
    spec
      .given([...history, ...deleted])
      .when(issue(serviceAccountId, "ci"))
      .thenRefuses(new ServiceAccountNotFound({ serviceAccountId }))
  })

  it("revokes once: a second revocation is TokenAlreadyRevoked, an unknown token TokenNotFound", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("ci")
    const tokenId = tokenIds[0] ?? unknownToken
    spec
      .given(events)
      .when(revoke(serviceAccountId, tokenId))
      .then([
        { _tag: "TokenRevoked", organizationId, actor, occurredAt: now, serviceAccountId, tokenId, reason: "Manual" }
      ])
    const first = spec.given(events).when(revoke(serviceAccountId, tokenId)).events()
    spec
      .given([...events, ...first])
      .when(revoke(serviceAccountId, tokenId))
      .thenRefuses(new TokenAlreadyRevoked({ serviceAccountId, tokenId }))
    spec
      .given(events)
      .when(revoke(serviceAccountId, unknownToken))
      .thenRefuses(new TokenNotFound({ serviceAccountId, tokenId: unknownToken }))
    spec
      .given(events)
      .when(revoke(unknownAccount, tokenId))
      .thenRefuses(new ServiceAccountNotFound({ serviceAccountId: unknownAccount }))
  })

  it("lists an account's active tokens in issue order, however many there are", () => {
    const names = Array.from({ length: 20 }, (_, i) => `token-${i}`)
    const { events, serviceAccountId, tokenIds } = withTokens(...names)
    let history = events
    for (const i of [3, 7, 8, 15]) {
      history = [
        ...history,
        ...spec
          .given(history)
          .when(revoke(serviceAccountId, tokenIds[i] ?? unknownToken))
          .events()
      ]
    }
    const active = tokenIds.filter((_, i) => ![3, 7, 8, 15].includes(i))
    spec
      .given(history)
      .when(remove(serviceAccountId))
      .then((decision) => expect(decision.events.at(-1)).toMatchObject({ revokedTokenIds: active }))
  })

  it("deletes with the cascade: each active token revoked in issue order, then the deletion listing them", () => {
    const { events, serviceAccountId, tokenIds } = withTokens("a", "b", "c")
    const [a, b, c] = tokenIds
    if (a === undefined || b === undefined || c === undefined) throw new Error("expected three tokens")
    const history = [...events, ...spec.given(events).when(revoke(serviceAccountId, b)).events()]
    const common = { organizationId, actor, occurredAt: now, serviceAccountId }
    spec
      .given(history)
      .when(remove(serviceAccountId))
      .then([
        { _tag: "TokenRevoked", ...common, tokenId: a, reason: "ServiceAccountDeleted" },
        { _tag: "TokenRevoked", ...common, tokenId: c, reason: "ServiceAccountDeleted" },
        { _tag: "ServiceAccountDeleted", ...common, revokedTokenIds: [a, c] }
      ])
    const deleted = spec.given(history).when(remove(serviceAccountId)).events()
    const state = [...history, ...deleted].reduce(Directory.evolve, Directory.initialState)
    expect(Directory.accounts(state)).toHaveLength(0)
    spec
      .given([...history, ...deleted])
      .when(remove(serviceAccountId))
      .thenRefuses(new ServiceAccountNotFound({ serviceAccountId }))
  })

  it("decides the same way for the same command, state and context", () => {
    const command = create("x")
    const first = spec.given([]).when(command, contextFor(command, 3)).events()
    const second = spec.given([]).when(command, contextFor(command, 3)).events()
    expect(second).toStrictEqual(first)
  })

  it("refuses to decide without the random bytes the command needs (a caller's mistake, not a refusal)", () => {
    const command = issue(unknownAccount, "ci")
    const { history, serviceAccountId } = createdHistory()
    const short = { ...contextFor(command), random: new Uint8Array(10) }
    expect(() => spec.given(history).when(issue(serviceAccountId, "ci"), short).events()).toThrow(RangeError)
  })

  it("builds ids and digests its schemas accept (they are made without re-checking them)", () => {
    for (let i = 0; i < 50; i++) {
      const created = spec
        .given([])
        .when(create(`bot-${i}`))
        .events()
      const [account] = created
      if (account?._tag !== "ServiceAccountCreated") throw new Error("expected ServiceAccountCreated")
      expect(() => Schema.validateSync(ServiceAccountEvent)(account)).not.toThrow()
      const issued = spec.given(created).when(issue(account.serviceAccountId, "ci")).events()
      for (const event of issued) expect(() => Schema.validateSync(ServiceAccountEvent)(event)).not.toThrow()
    }
  })
})
