import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  DirectoryView,
  decode,
  EventStore,
  type EventStoreShape,
  foldProjection,
  Integrity,
  OrganizationId,
  ServiceAccounts
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator, checkInvariants } from "@service-accounts/testing"
import { Chunk, Context, Deferred, Effect, Either, Exit, Layer, Redacted, Ref, Stream } from "effect"
import { servicesOnMemory } from "./support.js"

const acme = administrator("acme")
const member: CallerInput = { ...acme, actor: { userId: "bob", role: "member" } }
const smallCo: CallerInput = {
  organization: { id: "small-co", plan: "team", tenantUrl: "https://small-co.example.com" },
  actor: { userId: "carol", role: "administrator" }
}

const services = servicesOnMemory("service-test")

const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const [error] = failuresOf(exit)
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
}

function failuresOf(exit: Exit.Exit<unknown, unknown>): ReadonlyArray<unknown> {
  if (Exit.isSuccess(exit)) return []
  const out: Array<unknown> = []
  const walk = (cause: unknown) => {
    if (typeof cause !== "object" || cause === null || !("_tag" in cause)) return
    if (cause._tag === "Fail" && "error" in cause) out.push(cause.error)
    if ("left" in cause) walk(cause.left)
    if ("right" in cause) walk(cause.right)
  }
  walk(exit.cause)
  return out
}

const eventCount = Effect.flatMap(EventStore, (store) => store.readAll().pipe(Stream.runCount))

describe("ServiceAccounts", () => {
  it.layer(services)("the quick-start story", (it) => {
    it.effect("creates, issues, authenticates, refuses, rotates and cascades", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "deploy-bot", description: "ships the builds" })
        const first = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
        const second = yield* service.issueToken(acme, {
          serviceAccountId: account.serviceAccountId,
          name: "ci-next",
          scopes: ["read"]
        })

        const principal = yield* service.authenticate(first.value)
        expect(principal).toEqual({
          organizationId: "acme",
          serviceAccountId: account.serviceAccountId,
          tokenId: first.tokenId,
          scopes: ["read", "write"]
        })
        expect((yield* service.authenticate(second.value)).scopes).toEqual(["read"])
        expect(JSON.parse(Redacted.value(second.sessionJson))).toEqual({
          accessToken: Redacted.value(second.value),
          tenantURL: "https://acme.example.com",
          scopes: ["read"]
        })

        expect(tagOf(yield* Effect.exit(service.create(member, { name: "x" })))).toBe("NotAuthorized")
        expect(tagOf(yield* Effect.exit(service.create(smallCo, { name: "x" })))).toBe("PlanNotEligible")
        expect(tagOf(yield* Effect.exit(service.create(acme, { name: "  DEPLOY-BOT " })))).toBe(
          "DuplicateServiceAccountName"
        )

        // Rotation: issue new, move over, revoke old; the old one fails at once.
        const rotated = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci-2026" })
        yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: first.tokenId })
        expect(tagOf(yield* Effect.exit(service.authenticate(first.value)))).toBe("AuthenticationFailed")
        expect((yield* service.authenticate(rotated.value)).tokenId).toBe(rotated.tokenId)

        // The cascade: deleting the account revokes the rest in the same append.
        const deleted = yield* service.delete(acme, { serviceAccountId: account.serviceAccountId })
        expect(deleted.revokedTokenIds).toEqual([second.tokenId, rotated.tokenId])
        for (const token of [second, rotated]) {
          expect(tagOf(yield* Effect.exit(service.authenticate(token.value)))).toBe("AuthenticationFailed")
        }
        expect((yield* service.list(acme)).accounts).toEqual([])
        const trail = yield* service.auditTrail(acme)
        expect(trail.map((entry) => entry.action)).toEqual([
          "ServiceAccountCreated",
          "TokenIssued",
          "TokenIssued",
          "TokenIssued",
          "TokenRevoked",
          "TokenRevoked",
          "TokenRevoked",
          "ServiceAccountDeleted"
        ])
        const store = yield* EventStore
        const history = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
        expect(checkInvariants(history)).toEqual([])
        // Every appended event is sealed into its stream's chain.
        const verifier = new Integrity.ChainVerifier("serviceAccountDirectory-acme")
        expect(history.flatMap((event) => verifier.next(event))).toEqual([])
        expect(verifier.lastRevision).toBe(7n)
      })
    )
  })

  it.layer(services)("bad input", (it) => {
    const cases: ReadonlyArray<
      readonly [string, (s: typeof ServiceAccounts.Service, id: string) => Effect.Effect<unknown, unknown>, string]
    > = [
      ["create without a name", (s) => s.create(acme, {} as { name: string }), "name"],
      ["create with an empty name", (s) => s.create(acme, { name: "   " }), "name"],
      ["create with a 101-character name", (s) => s.create(acme, { name: "n".repeat(101) }), "name"],
      ["create with a control character", (s) => s.create(acme, { name: "a\u0007b" }), "name"],
      ["create with a bidi override", (s) => s.create(acme, { name: "abc\u202edef" }), "name"],
      ["create with a number as name", (s) => s.create(acme, { name: 5 as unknown as string }), "name"],
      [
        "create with a 501-character description",
        (s) => s.create(acme, { name: "ok", description: "d".repeat(501) }),
        "description"
      ],
      ["create with an unknown field", (s) => s.create(acme, { name: "ok", admin: true } as { name: string }), "admin"],
      [
        "create with __proto__",
        (s) => s.create(acme, JSON.parse('{"name":"ok","__proto__":{"polluted":1}}')),
        "__proto__"
      ],
      [
        "issue for a malformed account id",
        (s) => s.issueToken(acme, { serviceAccountId: "nope", name: "t" }),
        "serviceAccountId"
      ],
      ["issue with an empty token name", (s, id) => s.issueToken(acme, { serviceAccountId: id, name: "" }), "name"],
      ["issue with no scope", (s, id) => s.issueToken(acme, { serviceAccountId: id, name: "t", scopes: [] }), "scopes"],
      [
        "issue with an unknown scope",
        (s, id) => s.issueToken(acme, { serviceAccountId: id, name: "t", scopes: ["admin" as "read"] }),
        "scopes"
      ],
      [
        "issue with a repeated scope",
        (s, id) => s.issueToken(acme, { serviceAccountId: id, name: "t", scopes: ["read", "read"] }),
        "scopes"
      ],
      [
        "revoke a malformed token id",
        (s, id) => s.revokeToken(acme, { serviceAccountId: id, tokenId: "x" }),
        "tokenId"
      ],
      [
        "revoke without a token id",
        (s, id) => s.revokeToken(acme, { serviceAccountId: id } as { serviceAccountId: string; tokenId: string }),
        "tokenId"
      ],
      [
        "delete a malformed account id",
        (s) => s.delete(acme, { serviceAccountId: 7 as unknown as string }),
        "serviceAccountId"
      ],
      [
        "a caller without an organisation",
        (s) => s.create({ actor: acme.actor } as CallerInput, { name: "ok" }),
        "organization"
      ],
      [
        "a caller with a relative tenant URL",
        (s) => s.create({ ...acme, organization: { ...acme.organization, tenantUrl: "/x" } }, { name: "ok" }),
        "organization"
      ],
      [
        "a caller with an empty user id",
        (s) => s.create({ ...acme, actor: { userId: "", role: "administrator" } }, { name: "ok" }),
        "actor"
      ],
      ["get with a malformed id", (s) => s.get(acme, "../etc"), "serviceAccountId"]
    ]
    for (const [label, call, field] of cases) {
      it.effect(`${label}: InvalidInput naming ${field}, nothing appended`, () =>
        Effect.gen(function* () {
          const service = yield* ServiceAccounts
          const existing = yield* Effect.orElse(service.create(acme, { name: `host-${label}` }), () =>
            Effect.die("setup failed")
          )
          const before = yield* eventCount
          const exit = yield* Effect.exit(call(service, existing.serviceAccountId))
          const [error] = failuresOf(exit)
          expect(error).toMatchObject({ _tag: "InvalidInput", field })
          expect(String((error as Error).message)).toMatch(/^invalid /)
          expect(yield* eventCount).toBe(before)
          expect(({} as Record<string, unknown>).polluted).toBeUndefined()
        })
      )
    }

    it.effect("an error never repeats a token-shaped input", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "leak-check" })
        const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "t" })
        const secret = Redacted.value(issued.value)
        const attempts: ReadonlyArray<Effect.Effect<unknown, unknown>> = [
          service.create(acme, { name: `${secret}\u0000` }),
          service.create(acme, { name: secret.repeat(3) }),
          service.issueToken(acme, { serviceAccountId: secret, name: "x" }),
          service.issueToken(acme, {
            serviceAccountId: account.serviceAccountId,
            name: "x",
            scopes: [secret as "read"]
          })
        ]
        for (const attempt of attempts) {
          const [error] = failuresOf(yield* Effect.exit(attempt))
          expect(error).toMatchObject({ _tag: "InvalidInput" })
          expect(JSON.stringify(error) + String((error as Error).message)).not.toContain(secret)
        }
      })
    )
  })

  it.effect("two concurrent creates of one name: one succeeds, the other is refused after the conflict retry", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const bothLoaded = yield* Deferred.make<void>()
      const arrivals = yield* Ref.make(0)
      const conflicts = yield* Ref.make(0)
      // Hold the first two appends until both commands have decided, so they really race on the same revision.
      const racing: EventStoreShape = {
        ...inner,
        append: (streamId, events, expected) =>
          Effect.gen(function* () {
            const n = yield* Ref.updateAndGet(arrivals, (x) => x + 1)
            if (n === 2) yield* Deferred.succeed(bothLoaded, undefined)
            if (n <= 2) yield* Deferred.await(bothLoaded)
            return yield* inner
              .append(streamId, events, expected)
              .pipe(
                Effect.tapError((e) =>
                  e._tag === "ConcurrencyConflict" ? Ref.update(conflicts, (x) => x + 1) : Effect.void
                )
              )
          })
      }
      const layer = ServiceAccounts.layer.pipe(Layer.provide(Layer.succeed(EventStore, racing)))
      const [a, b] = yield* Effect.gen(function* () {
        const service = yield* ServiceAccounts
        return yield* Effect.all(
          [Effect.exit(service.create(acme, { name: "race" })), Effect.exit(service.create(acme, { name: "RACE" }))],
          { concurrency: 2 }
        )
      }).pipe(Effect.provide(layer))
      expect([tagOf(a), tagOf(b)].sort()).toEqual(["DuplicateServiceAccountName", "success"])
      expect(yield* Ref.get(conflicts)).toBe(1)
      expect(yield* inner.readAll().pipe(Stream.runCount)).toBe(1)
    })
  )

  it.effect("two service instances on one store never decide on stale state, and see each other's writes", () =>
    Effect.gen(function* () {
      const store = Layer.succeed(EventStore, yield* makeMemoryStore)
      const first = yield* Layer.build(ServiceAccounts.layer.pipe(Layer.provide(store)))
      const second = yield* Layer.build(ServiceAccounts.layer.pipe(Layer.provide(store)))
      const a = Context.get(first, ServiceAccounts)
      const b = Context.get(second, ServiceAccounts)
      const account = yield* a.create(acme, { name: "shared" })
      // b has never seen this organisation: it must load the store's state, not decide on an empty one.
      expect(tagOf(yield* Effect.exit(b.create(acme, { name: "Shared" })))).toBe("DuplicateServiceAccountName")
      const token = yield* b.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "t" })
      // a's cached state is behind now; its next command must catch up, not reuse the stale state.
      expect(
        tagOf(yield* Effect.exit(a.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "T" })))
      ).toBe("DuplicateTokenName")
      // a's read models follow the store: b's token authenticates through a once the subscription delivers it.
      const principal = yield* a.authenticate(token.value).pipe(Effect.retry({ times: 100 }))
      expect(principal.tokenId).toBe(token.tokenId)
    }).pipe(Effect.scoped)
  )

  it.layer(services)("replay", (it) => {
    it.effect("folding the stored history again gives the read model the service serves (I8)", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const store = yield* EventStore
        const x = yield* service.create(acme, { name: "x" })
        const y = yield* service.create(acme, { name: "y", description: "why" })
        const t = yield* service.issueToken(acme, { serviceAccountId: x.serviceAccountId, name: "t" })
        yield* service.issueToken(acme, { serviceAccountId: y.serviceAccountId, name: "u" })
        yield* service.revokeToken(acme, { serviceAccountId: x.serviceAccountId, tokenId: t.tokenId })
        yield* service.delete(acme, { serviceAccountId: y.serviceAccountId })
        const history = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
        const decoded = history.map((recorded) => Either.getOrThrow(decode(recorded)))
        const replayed = foldProjection(DirectoryView.projection, decoded)
        const directory = DirectoryView.directoryOf(replayed, OrganizationId.make(acme.organization.id))
        expect(DirectoryView.accounts(directory)).toEqual((yield* service.list(acme)).accounts)
      })
    )
  })
})
