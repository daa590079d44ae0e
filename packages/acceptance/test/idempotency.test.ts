import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  type EventStoreShape,
  EventStoreUnavailable,
  ServiceAccounts
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator, checkInvariants } from "@service-accounts/testing"
import { Chunk, Effect, Exit, Layer, Ref, Schedule, Stream } from "effect"
import { servicesOnMemory } from "./support.js"

const acme = administrator("acme")
const withId = (commandId: string): CallerInput => ({ ...acme, commandId })

const services = servicesOnMemory(7)
const history = Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readAll())).pipe(
  Effect.map(Chunk.toReadonlyArray)
)
const failure = (exit: Exit.Exit<unknown, unknown>) =>
  Exit.isFailure(exit) && exit.cause._tag === "Fail" ? exit.cause.error : undefined

describe("idempotent commands", () => {
  it.layer(services)("with a command id", (it) => {
    it.effect("a repeated create returns the original result and appends nothing", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const first = yield* service.create(withId("create-1"), { name: "deploy-bot" })
        const before = (yield* history).length
        const again = yield* service.create(withId("create-1"), { name: "deploy-bot" })
        expect(again).toEqual(first)
        expect((yield* history).length).toBe(before)
      })
    )

    it.effect("a repeated issueToken names the token but never shows its value again", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "issuer" })
        const input = { serviceAccountId: account.serviceAccountId, name: "ci" }
        const first = yield* service.issueToken(withId("issue-1"), input)
        const before = (yield* history).length
        const again = failure(yield* Effect.exit(service.issueToken(withId("issue-1"), input)))
        expect(again).toMatchObject({ _tag: "TokenAlreadyIssued", tokenId: first.tokenId, commandId: "issue-1" })
        expect((yield* history).length).toBe(before)
        expect((yield* service.list(acme)).accounts.find((a) => a.name === "issuer")?.tokens).toHaveLength(1)
      })
    )

    it.effect("a repeated revoke and delete return their original results", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "short-lived" })
        const a = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "a" })
        yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "b" })
        const revoke = { serviceAccountId: account.serviceAccountId, tokenId: a.tokenId }
        expect(yield* service.revokeToken(withId("revoke-1"), revoke)).toEqual(
          yield* service.revokeToken(withId("revoke-1"), revoke)
        )
        const removed = yield* service.delete(withId("delete-1"), { serviceAccountId: account.serviceAccountId })
        const before = (yield* history).length
        expect(yield* service.delete(withId("delete-1"), { serviceAccountId: account.serviceAccountId })).toEqual(
          removed
        )
        expect((yield* history).length).toBe(before)
      })
    )

    it.effect("a command id reused for a different command is refused, and nothing is appended", () =>
      Effect.gen(function* () {
        const service = yield* ServiceAccounts
        yield* service.create(withId("reused"), { name: "one" })
        const before = (yield* history).length
        const error = failure(yield* Effect.exit(service.create(withId("reused"), { name: "two" })))
        expect(error).toMatchObject({ _tag: "CommandIdReused", commandId: "reused" })
        expect((yield* history).length).toBe(before)
      })
    )
  })

  it.effect("a write whose reply was lost is re-sent and recognised: one set of events, a working token", () =>
    Effect.gen(function* () {
      const inner = yield* makeMemoryStore
      const lost = yield* Ref.make(0)
      // The first append of each command is written, but its reply is "lost".
      const lossy: EventStoreShape = {
        ...inner,
        append: (streamId, events, expected) =>
          Effect.flatMap(inner.append(streamId, events, expected), (result) =>
            Effect.flatMap(
              Ref.getAndUpdate(lost, (n) => n + 1),
              (n) =>
                n % 2 === 0
                  ? Effect.fail(
                      new EventStoreUnavailable({
                        operation: "append",
                        reason: "connection reset after the write was sent",
                        retryable: true,
                        unknownOutcome: true
                      })
                    )
                  : Effect.succeed(result)
            )
          )
      }
      const layer = ServiceAccounts.layerWith({ storeRetry: Schedule.recurs(3) }).pipe(
        Layer.provide(Layer.succeed(EventStore, lossy))
      )
      const token = yield* Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "flaky" })
        const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
        const principal = yield* service.authenticate(issued.value)
        expect(principal.tokenId).toBe(issued.tokenId)
        return issued
      }).pipe(Effect.provide(layer))
      const events = Chunk.toReadonlyArray(yield* Stream.runCollect(inner.readAll()))
      expect(events.map((e) => e.type)).toEqual(["ServiceAccountCreated", "TokenIssued"])
      expect(checkInvariants(events)).toEqual([])
      expect(yield* Ref.get(lost)).toBe(4)
      expect(token.tokenId).toBeDefined()
    })
  )
})
