/**
 * A source of randomness may draw synchronously (`unsafeBytes`, as both sources of the library do) or only through
 * `bytes`: the service draws the same bytes in the same order either way, so the same seed gives the same history.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  EventStore,
  makeSeededRandom,
  SecureRandom,
  type SecureRandomShape,
  ServiceAccounts
} from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { administrator } from "@service-accounts/testing"
import { Chunk, Effect, Layer, Redacted, Stream } from "effect"

const acme = administrator("acme")

/** Runs a few commands and returns what they gave and what they wrote. */
const session = (random: SecureRandomShape) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts
    const store = yield* EventStore
    const account = yield* service.create(acme, { name: "deploy-bot" })
    const first = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
    const second = yield* service.issueToken(
      { ...acme, commandId: "cmd-2" },
      {
        serviceAccountId: account.serviceAccountId,
        name: "cd"
      }
    )
    yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: first.tokenId })
    const principal = yield* service.authenticate(second.value)
    const events = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
    return {
      values: [Redacted.value(first.value), Redacted.value(second.value)],
      principal,
      events: events.map(({ eventId, type, data, metadata }) => ({ eventId, type, data, metadata }))
    }
  }).pipe(
    Effect.provide(
      ServiceAccounts.layer.pipe(Layer.provideMerge(memoryStore), Layer.provide(Layer.succeed(SecureRandom, random)))
    )
  )

describe("sources of randomness", () => {
  it.effect("a source that draws only through `bytes` gives the same history as one that draws at once", () =>
    Effect.gen(function* () {
      const seeded = makeSeededRandom("random-sources")
      expect(seeded.unsafeBytes).toBeDefined()
      const throughEffects = makeSeededRandom("random-sources")
      const effectOnly: SecureRandomShape = { bytes: throughEffects.bytes }
      const atOnce = yield* session(seeded)
      const viaBytes = yield* session(effectOnly)
      // Times differ between the runs (the clock is the real one): compare everything but them.
      const withoutTimes = (result: typeof atOnce) =>
        JSON.parse(
          JSON.stringify(result, (key, value) => (key === "occurredAt" || key === "integrity" ? undefined : value))
        )
      expect(withoutTimes(viaBytes)).toStrictEqual(withoutTimes(atOnce))
      expect(atOnce.values[0]).not.toBe(atOnce.values[1])
      expect(atOnce.principal.tokenId).toBeDefined()
    })
  )
})
