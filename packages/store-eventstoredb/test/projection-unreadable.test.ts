/**
 * Projection runners over EventStoreDB meet an event of another application whose data is not JSON: the adapter
 * cannot hand it out, so the subscription fails with `CorruptStoredEvent` at its position. The runners record it
 * and go on after it (they used to resubscribe onto it for ever and apply nothing after it).
 */
import { binaryEvent, EventStoreDBClient } from "@eventstore/db-client"
import { expect, layer as withLayer } from "@effect/vitest"
import {
  type CallerInput,
  Checkpoints,
  type DomainEvent,
  type Projection,
  ProjectionRunner,
  ServiceAccounts
} from "@service-accounts/domain"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import { Effect, Layer, Logger, LogLevel, Option, Ref, Schedule, SubscriptionRef } from "effect"
import { onTestServer } from "./layers.js"

const caller = (organization: string): CallerInput => ({
  organization: { id: organization, plan: "enterprise", tenantUrl: `https://${organization}.example.com` },
  actor: { userId: "alice", role: "administrator" }
})

const create = (organization: string, name: string) =>
  Effect.flatMap(ServiceAccounts, (service) => service.create(caller(organization), { name }))

const plantNonJson = (streamId: string) =>
  Effect.flatMap(TestServer, ({ connectionString }) =>
    Effect.acquireUseRelease(
      Effect.sync(() => EventStoreDBClient.connectionString(connectionString)),
      (client) =>
        Effect.promise(() =>
          client.appendToStream(streamId, binaryEvent({ type: "OpaqueBytes", data: new Uint8Array([0xff, 0x1b]) }))
        ),
      (client) => Effect.promise(() => client.dispose())
    )
  )

/** Waits for the condition by looking again every 20 ms; the limit only turns a hang into a failure. */
const eventually = <A>(get: Effect.Effect<A>, done: (value: A) => boolean) =>
  get.pipe(
    Effect.repeat({ until: done, schedule: Schedule.spaced("20 millis") }),
    Effect.zipRight(get),
    Effect.timeoutFail({ duration: "60 seconds", onTimeout: () => new Error("the runner never got there") })
  )

withLayer(
  Layer.mergeAll(ServiceAccounts.layer, Checkpoints.layerMemory).pipe(
    Layer.provideMerge(onTestServer()),
    Layer.provide(Logger.minimumLogLevel(LogLevel.None))
  ),
  { excludeTestServices: true, timeout: "90 seconds" }
)("projection runners and an unreadable event of another application", (it) => {
  it.scoped(
    "runWithCheckpoints and start both go on past it, each directory event applied once",
    () =>
      Effect.gen(function* () {
        const organization = `runner-${crypto.randomUUID().slice(0, 8)}`
        const ours = (event: DomainEvent) => event.event.organizationId === organization
        yield* create(organization, "before-1")
        yield* create(organization, "before-2")
        yield* plantNonJson(`billing-${crypto.randomUUID()}`)
        yield* create(organization, "after-1")
        yield* create(organization, "after-2")

        const handled = yield* Ref.make<ReadonlyArray<string>>([])
        const handle = (event: DomainEvent) =>
          ours(event) ? Ref.update(handled, (ids) => [...ids, event.eventId]) : Effect.void
        yield* Effect.forkScoped(
          ProjectionRunner.runWithCheckpoints(`runner-${organization}`, handle, { retry: Schedule.spaced("20 millis") })
        )
        const names: Projection<ReadonlyArray<string>> = {
          name: "names",
          version: 1,
          initialState: [],
          apply: (state, event) =>
            ours(event) && event.event._tag === "ServiceAccountCreated" ? [...state, event.event.name] : state
        }
        const running = yield* ProjectionRunner.start(names, { retry: Schedule.spaced("20 millis") })
        yield* running.caughtUp

        expect(yield* eventually(SubscriptionRef.get(running.state), (state) => state.length >= 4)).toStrictEqual([
          "before-1",
          "before-2",
          "after-1",
          "after-2"
        ])
        const ids = yield* eventually(Ref.get(handled), (all) => all.length >= 4)
        expect(new Set(ids).size).toBe(4)
        expect(Option.isSome(yield* running.checkpoint)).toBe(true)
      }),
    120_000
  )
})
