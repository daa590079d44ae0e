import { expect, layer as withLayer } from "@effect/vitest"
import {
  type CallerInput,
  Checkpoints,
  type DomainEvent,
  EventStore,
  OrganizationId,
  type Projection,
  ProjectionRunner,
  ServiceAccounts,
  directoryStream
} from "@service-accounts/domain"
import { TestServer } from "@service-accounts/eventstoredb-test-server"
import {
  Chunk,
  Deferred,
  Effect,
  Equivalence,
  Fiber,
  Layer,
  Logger,
  LogLevel,
  Option,
  Ref,
  Schedule,
  Stream,
  SubscriptionRef
} from "effect"
import { layerCheckpoints } from "../src/index.js"
import { onTestServer } from "./layers.js"

const caller = (organization: string): CallerInput => ({
  organization: { id: organization, plan: "enterprise", tenantUrl: `https://${organization}.example.com` },
  actor: { userId: "alice", role: "administrator" }
})

/** Creates `count` service accounts in an organisation: one `ServiceAccountCreated` each. */
const createAccounts = (organization: string, from: number, count: number) =>
  Effect.flatMap(ServiceAccounts, (service) =>
    Effect.forEach(
      Array.from({ length: count }, (_, index) => from + index),
      (n) => service.create(caller(organization), { name: `robot-${n}` }),
      { discard: true }
    )
  )

/** The ids of an organisation's events, in order, as stored. */
const storedIds = (organization: string) =>
  Effect.flatMap(EventStore, (store) =>
    Stream.runCollect(store.readStream(directoryStream(OrganizationId.make(organization))))
  ).pipe(Effect.map((events) => Chunk.toReadonlyArray(events).map((event) => event.eventId)))

/** Polls until `done` holds; the limit only stops a hung test, so it is far beyond what a busy machine needs. */
const waitFor = <A, E, R>(get: Effect.Effect<A, E, R>, done: (value: A) => boolean) =>
  get.pipe(
    Effect.repeat({ until: done, schedule: Schedule.spaced("20 millis") }),
    Effect.zipRight(get),
    Effect.timeoutFail({ duration: "90 seconds", onTimeout: () => new Error("the runner did not catch up in time") })
  )

/** The position of an organisation's last stored event. */
const lastPosition = (organization: string) =>
  Effect.flatMap(EventStore, (store) =>
    Stream.runHead(store.readStream(directoryStream(OrganizationId.make(organization)), { direction: "backwards" }))
  ).pipe(Effect.map(Option.map((event) => event.position)))

/** Waits until the runner's checkpoint, in the database, is the organisation's last event. */
const checkpointAtLast = (name: string, organization: string) =>
  Effect.gen(function* () {
    const last = yield* lastPosition(organization)
    const checkpoints = yield* Checkpoints
    return yield* waitFor(checkpoints.load(name), (checkpoint) =>
      Option.getEquivalence(Equivalence.bigint)(checkpoint, last)
    )
  })

const retry = Schedule.spaced("20 millis")

/** The service logs every command; only warnings matter here. */
const quiet = Logger.minimumLogLevel(LogLevel.Warning)

// The adapter does not resubscribe here: a drop fails the runner's subscription, and the runner resubscribes from the
// checkpoint it keeps in the database.
const withoutResubscription = onTestServer({ resubscribe: Schedule.stop })

withLayer(
  Layer.mergeAll(ServiceAccounts.layer, layerCheckpoints).pipe(
    Layer.provideMerge(withoutResubscription),
    Layer.provide(quiet)
  ),
  { excludeTestServices: true, timeout: "30 seconds" }
)("a projection runner with checkpoints in EventStoreDB", (it) => {
  it.scoped("resubscribes from its checkpoint after the server drops it mid-stream, applying each event once", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const organization = `runner-${crypto.randomUUID().slice(0, 8)}`
      yield* createAccounts(organization, 0, 30)
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      const paused = yield* Deferred.make<void>()
      const resume = yield* Deferred.make<void>()
      const handle = (event: DomainEvent) =>
        Effect.gen(function* () {
          if (event.event.organizationId !== organization) return
          const count = (yield* Ref.updateAndGet(handled, (ids) => [...ids, event.eventId])).length
          if (count === 10) {
            yield* Deferred.succeed(paused, undefined)
            yield* Deferred.await(resume)
          }
        })
      const name = `runner-${organization}`
      yield* Effect.forkScoped(ProjectionRunner.runWithCheckpoints(name, handle, { retry }))
      // Dropped in the middle of the history, while the handler holds the 10th event…
      yield* Deferred.await(paused)
      const readsBefore = yield* server.callCount("Streams.Read")
      expect(yield* server.dropSubscriptions("end")).toBeGreaterThanOrEqual(1)
      yield* Deferred.succeed(resume, undefined)
      // …and again while live events arrive.
      yield* createAccounts(organization, 30, 15)
      yield* server.dropSubscriptions("unavailable")
      yield* createAccounts(organization, 45, 15)
      expect(yield* storedIds(organization)).toHaveLength(60)
      // One more event once the others are in: when it has been applied, a repeated or lost one would show before it.
      yield* createAccounts(organization, 60, 1)
      const all = yield* storedIds(organization)
      const applied = yield* waitFor(Ref.get(handled), (ids) => ids.length >= all.length)
      expect(applied).toEqual(all)
      // It resubscribed (a subscription is a Read call, and so is loading the checkpoint)…
      expect((yield* server.callCount("Streams.Read")) - readsBefore).toBeGreaterThanOrEqual(2)
      // …and its checkpoint, in the database, comes to be the last event it applied (saved after the handler ran).
      yield* checkpointAtLast(name, organization)
    })
  )

  it.scoped("after a restart, resumes after its checkpoint", () =>
    Effect.gen(function* () {
      const organization = `restart-${crypto.randomUUID().slice(0, 8)}`
      const name = `runner-${organization}`
      yield* createAccounts(organization, 0, 5)
      const handled = yield* Ref.make<ReadonlyArray<string>>([])
      const handle = (event: DomainEvent) =>
        event.event.organizationId === organization
          ? Ref.update(handled, (ids) => [...ids, event.eventId])
          : Effect.void
      const first = yield* Effect.fork(ProjectionRunner.runWithCheckpoints(name, handle, { retry }))
      yield* waitFor(Ref.get(handled), (ids) => ids.length >= 5)
      // Stopped once its checkpoint covers what it applied (the checkpoint is saved after the handler: a runner
      // stopped between the two applies that event again on restart, which is the at-least-once it promises).
      yield* checkpointAtLast(name, organization)
      yield* Fiber.interrupt(first)
      yield* createAccounts(organization, 5, 5)
      yield* Effect.forkScoped(ProjectionRunner.runWithCheckpoints(name, handle, { retry }))
      const all = yield* storedIds(organization)
      const applied = yield* waitFor(Ref.get(handled), (ids) => ids.length >= all.length)
      expect(applied).toEqual(all)
      // A later event arrives after them, with nothing repeated in between.
      yield* createAccounts(organization, 10, 1)
      const withLater = yield* storedIds(organization)
      expect(yield* waitFor(Ref.get(handled), (ids) => ids.length >= withLater.length)).toEqual(withLater)
    })
  )
})

// The adapter resubscribes by itself (its default): the runner does not even see the drop.
withLayer(ServiceAccounts.layer.pipe(Layer.provideMerge(onTestServer()), Layer.provide(quiet)), {
  excludeTestServices: true,
  timeout: "30 seconds"
})("a projection runner on a resubscribing adapter", (it) => {
  it.scoped("keeps every event exactly once across drops", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      const organization = `fold-${crypto.randomUUID().slice(0, 8)}`
      yield* createAccounts(organization, 0, 20)
      const seen: Projection<ReadonlyArray<string>> = {
        name: "seen",
        version: 1,
        initialState: [],
        apply: (state, event) => (event.event.organizationId === organization ? [...state, event.eventId] : state)
      }
      const running = yield* ProjectionRunner.start(seen, { retry })
      yield* running.caughtUp
      yield* server.dropSubscriptions("unavailable")
      yield* createAccounts(organization, 20, 10)
      yield* server.dropSubscriptions("end")
      yield* createAccounts(organization, 30, 10)
      // One more event once the others are in: when it has been applied, a repeated or lost one would show before it.
      yield* createAccounts(organization, 40, 1)
      const all = yield* storedIds(organization)
      const state = yield* waitFor(SubscriptionRef.get(running.state), (ids) => ids.length >= all.length)
      expect(state).toEqual(all)
    })
  )
})
