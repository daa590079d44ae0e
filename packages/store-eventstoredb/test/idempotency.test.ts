import { expect, layer as withLayer } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  OrganizationId,
  ServiceAccounts,
  directoryStream
} from "@service-accounts/domain"
import { Chunk, Effect, Either, Layer, Logger, LogLevel, Stream } from "effect"
import { onTestServer } from "./layers.js"

const callerFor = (organization: string, commandId: string): CallerInput => ({
  organization: { id: organization, plan: "enterprise", tenantUrl: `https://${organization}.example.com` },
  actor: { userId: "alice", role: "administrator" },
  commandId
})

const streamOf = (organization: string) => directoryStream(OrganizationId.make(organization))

const eventsOf = (organization: string) =>
  Effect.flatMap(EventStore, (store) => Stream.runCollect(store.readStream(streamOf(organization)))).pipe(
    Effect.map((events) => Chunk.toReadonlyArray(events).map((event) => `${event.type} ${event.eventId}`))
  )

withLayer(
  ServiceAccounts.layer.pipe(
    Layer.provideMerge(onTestServer()),
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  ),
  { excludeTestServices: true }
)("the same command sent twice with the same command id", (it) => {
  it.effect("leaves one set of events, for each kind of command", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const organization = `idem-${crypto.randomUUID().slice(0, 8)}`
      const twice = <A, E>(send: () => Effect.Effect<A, E>) =>
        Effect.gen(function* () {
          const first = yield* send()
          const second = yield* Effect.either(send())
          return { first, second }
        })
      const created = yield* twice(() => service.create(callerFor(organization, "cmd-create"), { name: "deploy-bot" }))
      const serviceAccountId = created.first.serviceAccountId
      const issued = yield* twice(() =>
        service.issueToken(callerFor(organization, "cmd-issue"), { serviceAccountId, name: "ci" })
      )
      const revoked = yield* twice(() =>
        service.revokeToken(callerFor(organization, "cmd-revoke"), { serviceAccountId, tokenId: issued.first.tokenId })
      )
      const deleted = yield* twice(() => service.delete(callerFor(organization, "cmd-delete"), { serviceAccountId }))
      const events = yield* eventsOf(organization)
      expect(events.map((line) => line.split(" ")[0])).toEqual([
        "ServiceAccountCreated",
        "TokenIssued",
        "TokenRevoked",
        "ServiceAccountDeleted"
      ])
      // What the service answers a repeat with is the service's business (the original result, or a refusal such as
      // for a token whose value cannot be shown twice); where it answers with a result, it is the original one.
      if (Either.isRight(created.second)) expect(created.second.right).toEqual(created.first)
      if (Either.isRight(revoked.second)) expect(revoked.second.right).toEqual(revoked.first)
      if (Either.isRight(deleted.second)) expect(deleted.second.right).toEqual(deleted.first)
    })
  )

  it.effect("a retried append of a command's events (after an unknown outcome) is deduplicated by the server", () =>
    Effect.gen(function* () {
      const store = yield* EventStore
      const service = yield* ServiceAccounts
      const organization = `retry-${crypto.randomUUID().slice(0, 8)}`
      const streamId = streamOf(organization)
      yield* service.create(callerFor(organization, "cmd-seed"), { name: "seed" })
      const [seed] = yield* Stream.runCollect(store.readStream(streamId)).pipe(Effect.map(Chunk.toReadonlyArray))
      // The event's id is a UUID derived from the call's idempotency key (the command id and a key drawn for the
      // call), and sent to the server as the event's UUID…
      expect(seed?.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
      expect(seed?.metadata.commandId).toBe("cmd-seed")
      // …so re-sending the append as it was proposed (as after an unknown outcome) returns the original result.
      const proposed =
        seed === undefined ? [] : [{ eventId: seed.eventId, type: seed.type, data: seed.data, metadata: seed.metadata }]
      const again = yield* store.append(streamId, proposed, "no_stream")
      expect(again).toEqual({ nextExpectedRevision: 0n, position: seed?.position })
      expect(yield* eventsOf(organization)).toHaveLength(1)
    })
  )
})
