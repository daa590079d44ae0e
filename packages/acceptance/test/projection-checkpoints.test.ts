/**
 * `ProjectionRunner.runWithCheckpoints` on a store shared with another application: every directory event is
 * handled once with its checkpoint saved after it, while the other application's events cost no checkpoint write
 * each — their position is saved once per delivered batch — and a restarted runner resumes after the last one.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  Checkpoints,
  type DomainEvent,
  EventStore,
  isDirectoryStream,
  ProjectionRunner,
  ServiceAccounts
} from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Chunk, Effect, Fiber, Option, Ref, Schedule, Stream } from "effect"
import { servicesOnMemory } from "./support.js"

const services = servicesOnMemory("projection-checkpoints")

const acme = administrator("acme")

const waitFor = <A, E>(read: Effect.Effect<A, E>, done: (a: A) => boolean) =>
  read.pipe(
    Effect.filterOrFail(done),
    Effect.retry(Schedule.spaced("5 millis")),
    Effect.timeout("5 seconds"),
    Effect.orDie
  )

describe("runWithCheckpoints on a shared store", () => {
  it.scopedLive(
    "handles each directory event once, saves foreign positions once a batch, resumes after a restart",
    () =>
      Effect.gen(function* () {
        const store = yield* EventStore
        const service = yield* ServiceAccounts
        // Another application's events, between and after ours.
        let orders = 0
        const placeOrders = (count: number) =>
          store.append(
            "orders-1",
            Array.from({ length: count }, () => ({
              eventId: crypto.randomUUID(),
              type: "OrderPlaced",
              data: { order: orders++ },
              metadata: {}
            })),
            "any"
          )
        yield* placeOrders(20)
        for (let i = 0; i < 3; i++) yield* service.create(acme, { name: `ci-${i}` })
        yield* placeOrders(30)
        const all = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
        const ours = all.filter((event) => isDirectoryStream(event.streamId)).map((event) => event.eventId)
        const last = all[all.length - 1]?.position

        const memory = yield* Checkpoints.makeMemory()
        const saves = yield* Ref.make<ReadonlyArray<bigint>>([])
        const checkpoints = {
          load: memory.load,
          save: (name: string, position: bigint) =>
            Ref.update(saves, (list) => [...list, position]).pipe(Effect.zipRight(memory.save(name, position)))
        }
        const handled = yield* Ref.make<ReadonlyArray<string>>([])
        const handle = (event: DomainEvent) => Ref.update(handled, (ids) => [...ids, event.eventId])
        const run = ProjectionRunner.runWithCheckpoints("shared", handle).pipe(
          Effect.provideService(Checkpoints, checkpoints)
        )

        const first = yield* Effect.fork(run)
        yield* waitFor(memory.load("shared"), (saved) => Option.getOrUndefined(saved) === last)
        yield* Fiber.interrupt(first)
        expect(yield* Ref.get(handled)).toEqual(ours)
        const saved = yield* Ref.get(saves)
        // A save after each handled event, and the foreign ones folded into a few: far fewer than one per event.
        expect(saved.length).toBeGreaterThanOrEqual(ours.length + 1)
        expect(saved.length).toBeLessThan(ours.length + 10)
        expect([...saved].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(saved)

        // A restart: nothing handled twice; what arrives after is handled.
        yield* service.create(acme, { name: "after" })
        yield* Effect.forkScoped(run)
        const more = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readAll()))
        const oursNow = more.filter((event) => isDirectoryStream(event.streamId)).map((event) => event.eventId)
        expect(yield* waitFor(Ref.get(handled), (ids) => ids.length >= oursNow.length)).toEqual(oursNow)
      }).pipe(Effect.provide(services))
  )
})
