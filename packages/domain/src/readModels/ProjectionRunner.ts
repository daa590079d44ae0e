/**
 * Runs a projection by subscribing to the whole store: catch up from a checkpoint, then follow live. After a
 * dropped subscription it resubscribes (with backoff) from its last checkpoint, so every event is applied
 * exactly once.
 *
 * @example
 * ```ts
 * import { DirectoryView, OrganizationId, ProjectionRunner } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Effect, SubscriptionRef } from "effect"
 *
 * const program = Effect.scoped(
 *   Effect.gen(function* () {
 *     // Subscribes to the store in the background for as long as the scope lives.
 *     const running = yield* ProjectionRunner.start(DirectoryView.projection)
 *     yield* running.caughtUp // the history so far is applied; from here the state follows the store live
 *     const view = yield* SubscriptionRef.get(running.state)
 *     return DirectoryView.accounts(DirectoryView.directoryOf(view, OrganizationId.make("acme")))
 *   })
 * )
 *
 * Effect.runPromise(Effect.provide(program, memoryStore))
 * ```
 *
 * @since 0.1.0
 */
import {
  type Chunk,
  Context,
  Deferred,
  Effect,
  Either,
  Layer,
  Option,
  Ref,
  Schedule,
  type Scope,
  SubscriptionRef
} from "effect"
import { EventStore, type SubscriptionMessage } from "../store/EventStore.js"
import type { CorruptStoredEvent, ReadError } from "../model/Errors.js"
import { applyEvents, type Projection } from "./Projection.js"
import { type Follower, followAll, type UnreadableEvent } from "./follow.js"
import { type DomainEvent, decode, isDirectoryEvent, isDirectoryStream } from "../store/StoredEvent.js"

/**
 * Where runners keep their checkpoints: the position of the last event each projection applied.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckpointStoreShape {
  readonly load: (name: string) => Effect.Effect<Option.Option<bigint>, ReadError>
  readonly save: (name: string, position: bigint) => Effect.Effect<void, ReadError>
}

/**
 * The checkpoint store. `Checkpoints.layerMemory` keeps them in memory, for projections whose state lives in
 * memory too; adapters offer durable ones.
 *
 * @since 0.1.0
 * @category tags
 */
export class Checkpoints extends Context.Tag("@service-accounts/domain/Checkpoints")<
  Checkpoints,
  CheckpointStoreShape
>() {
  static readonly makeMemory = (): Effect.Effect<CheckpointStoreShape> =>
    Effect.map(Ref.make(new Map<string, bigint>()), (ref) => ({
      load: (name) => Effect.map(Ref.get(ref), (map) => Option.fromNullable(map.get(name))),
      save: (name, position) => Ref.update(ref, (map) => new Map(map).set(name, position))
    }))

  static readonly layerMemory: Layer.Layer<Checkpoints> = Layer.effect(Checkpoints, Checkpoints.makeMemory())
}

/**
 * A projection being run.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunningProjection<S> {
  /** The current state, and its changes. */
  readonly state: SubscriptionRef.SubscriptionRef<S>
  /** Completes once the history present at start has been applied. */
  readonly caughtUp: Effect.Effect<void>
  /** The position of the last applied event. */
  readonly checkpoint: Effect.Effect<Option.Option<bigint>>
}

/**
 * Options of a runner.
 *
 * @since 0.1.0
 * @category models
 */
export interface RunOptions<S> {
  /** The state to resume from, with the checkpoint it corresponds to. Defaults to the projection's initial state from the start. */
  readonly resume?: { readonly state: S; readonly checkpoint: bigint }
  /** How to wait between resubscriptions after a failure. Default: exponential from 100 ms, capped at 30 s. */
  readonly retry?: Schedule.Schedule<unknown, unknown>
}

/** Between attempts to follow the store again: from 100 ms, doubling, at most 30 s apart, for ever. */
const defaultRetry = Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))

/**
 * An event the store cannot read: one of another stream is skipped (logged, and `record` moves the checkpoint past
 * it); one of an organisation's stream stops the projection there, retried by the schedule — never skipped, since a
 * projection that went on without it would be wrong from then on.
 */
const skipUnreadable = <E, R>(
  name: string,
  { error, position }: UnreadableEvent,
  record: Effect.Effect<void, E, R>
): Effect.Effect<void, E | CorruptStoredEvent, R> =>
  isDirectoryStream(error.streamId)
    ? Effect.fail(error)
    : Effect.logError(`projection ${name}: a stored event of another stream cannot be read: skipped`).pipe(
        Effect.annotateLogs({
          streamId: error.streamId,
          revision: String(error.revision),
          position: String(position),
          reason: error.reason
        }),
        Effect.zipRight(record)
      )

/**
 * Starts a projection in the current scope. Only organisation-directory streams are applied; system events
 * (types starting with `$`) and other streams are skipped. The events a subscription delivers together are
 * applied together (`applyEvents`), so `state` changes once per delivery, not necessarily once per event.
 *
 * Whatever fails — the store, the subscription — is logged and followed by a new subscription from the last
 * applied position, on the `retry` schedule, for as long as the scope lives. An organisation's event that does not
 * decode (or that the store cannot read at all) stops the projection there, logged and retried: it is never
 * skipped. An event of another stream that the store cannot read is skipped, logged with its stream and position.
 *
 * @since 0.1.0
 * @category runners
 */
export const start = <S>(
  projection: Projection<S>,
  options: RunOptions<S> = {}
): Effect.Effect<RunningProjection<S>, never, EventStore | Scope.Scope> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const state = yield* SubscriptionRef.make(options.resume?.state ?? projection.initialState)
    const checkpoint = yield* Ref.make(Option.fromNullable(options.resume?.checkpoint))
    const caughtUp = yield* Deferred.make<void>()
    // A chunk of messages at a time: its events are folded in one step (`applyEvents`), without a state per event.
    const handle = (messages: Chunk.Chunk<SubscriptionMessage>): Effect.Effect<void, CorruptStoredEvent> => {
      const steps: Array<Effect.Effect<void, CorruptStoredEvent>> = []
      let batch: Array<DomainEvent> = []
      let position: bigint | undefined
      const flush = () => {
        if (position === undefined) return
        const events = batch
        const applied = Option.some(position)
        batch = []
        position = undefined
        const update =
          events.length === 0
            ? Effect.void
            : SubscriptionRef.update(state, (current) => applyEvents(projection, current, events))
        steps.push(Effect.zipRight(update, Ref.set(checkpoint, applied)))
      }
      for (const message of messages) {
        if (message._tag === "CaughtUp") {
          flush()
          steps.push(Deferred.succeed(caughtUp, undefined))
          continue
        }
        const recorded = message.event
        if (isDirectoryEvent(recorded)) {
          const decoded = decode(recorded)
          if (Either.isLeft(decoded)) {
            flush()
            steps.push(Effect.fail(decoded.left))
            break
          }
          batch.push(decoded.right)
        }
        position = recorded.position
      }
      flush()
      return Effect.forEach(steps, (step) => step, { discard: true })
    }
    const follower: Follower<CorruptStoredEvent> = {
      name: `projection ${projection.name}`,
      resumeFrom: Effect.map(
        Ref.get(checkpoint),
        Option.getOrElse(() => "start" as const)
      ),
      handle,
      unreadable: (unreadable) =>
        skipUnreadable(projection.name, unreadable, Ref.set(checkpoint, Option.some(unreadable.position)))
    }
    yield* Effect.forkScoped(followAll(store, follower, options.retry ?? defaultRetry))
    return { state, caughtUp: Deferred.await(caughtUp), checkpoint: Ref.get(checkpoint) }
  })

/**
 * Runs a projection whose state lives elsewhere (a database table, say): `handle` is called once per event,
 * in order, and the checkpoint is saved after each event it handles. Events it has no use for (other streams of
 * the store, system events) are not handled, and their positions are saved once per batch the subscription
 * delivers rather than once each, so a store shared with other applications costs no checkpoint write per foreign
 * event. On restart the runner resumes after the saved checkpoint (at worst re-reading, and skipping again, the
 * foreign events of the last batch). A failure of `handle`, of the store or of a checkpoint save is logged and
 * followed by a new subscription from the saved checkpoint, so an event is handled again only if its checkpoint
 * was not saved. Unreadable events are treated as by `start`.
 *
 * @since 0.1.0
 * @category runners
 */
export const runWithCheckpoints = <E, R>(
  name: string,
  handle: (event: DomainEvent) => Effect.Effect<void, E, R>,
  options: { readonly retry?: Schedule.Schedule<unknown, unknown> } = {}
): Effect.Effect<never, never, EventStore | Checkpoints | R> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const checkpoints = yield* Checkpoints
    // One batch: each handled event then its checkpoint, in order; the position of skipped events after them is
    // saved once, at the end of the batch.
    const handleBatch = (messages: Chunk.Chunk<SubscriptionMessage>) =>
      Effect.suspend(() => {
        const steps: Array<Effect.Effect<void, E | ReadError | CorruptStoredEvent, R>> = []
        let skipped: bigint | undefined
        for (const message of messages) {
          if (message._tag === "CaughtUp") continue
          const recorded = message.event
          if (!isDirectoryEvent(recorded)) {
            skipped = recorded.position
            continue
          }
          skipped = undefined
          const decoded = decode(recorded)
          if (Either.isLeft(decoded)) {
            steps.push(Effect.fail(decoded.left))
            break
          }
          steps.push(handle(decoded.right), checkpoints.save(name, recorded.position))
        }
        if (skipped !== undefined) steps.push(checkpoints.save(name, skipped))
        return Effect.forEach(steps, (step) => step, { discard: true })
      })
    const follower: Follower<E | ReadError | CorruptStoredEvent, R> = {
      name: `projection ${name}`,
      resumeFrom: Effect.map(
        checkpoints.load(name),
        Option.getOrElse(() => "start" as const)
      ),
      handle: handleBatch,
      unreadable: (unreadable) => skipUnreadable(name, unreadable, checkpoints.save(name, unreadable.position))
    }
    // `followAll` never ends: it only fails when told to, which this follower never does.
    return yield* Effect.orDie(followAll(store, follower, options.retry ?? defaultRetry))
  })
