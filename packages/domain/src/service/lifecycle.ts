/**
 * What the service does over its life besides answering calls: it drains the commands in flight when its layer
 * closes, and writes snapshots of its read models when they are due.
 *
 * @internal
 */
import { Clock, Deferred, Duration, Effect, Exit, FiberId, Option, Random } from "effect"
import { type AppendError, EventStoreUnavailable } from "../model/Errors.js"
import type { EventStoreShape } from "../store/EventStore.js"
import type { Following, ReadModels } from "./liveReadModels.js"
import type { ServiceAccountsOptions, SnapshotInfo } from "./ServiceAccountsShape.js"
import * as Snapshots from "./snapshots.js"

const shuttingDown = new EventStoreUnavailable({
  operation: "command",
  reason: "the service is shutting down",
  retryable: true
})

/** Commands in flight, and the wait for them when the layer closes. */
export interface Drain {
  /** Runs a command, counted while it runs; once closing has begun, fails at once (retryable, elsewhere). */
  readonly tracked: <A, E>(command: Effect.Effect<A, E>) => Effect.Effect<A, E | EventStoreUnavailable>
  readonly inFlight: () => number
  /** Stops taking commands and waits (at most `timeout`) for those in flight: the layer's finalizer. */
  readonly close: Effect.Effect<void>
}

export const makeDrain = (timeout: Duration.DurationInput): Drain => {
  let inFlight = 0
  let closing = false
  let drained: Deferred.Deferred<void> | undefined
  const done = Effect.sync(() => {
    inFlight--
    if (inFlight === 0 && drained !== undefined) Deferred.unsafeDone(drained, Exit.void)
  })
  return {
    tracked: <A, E>(command: Effect.Effect<A, E>) =>
      Effect.suspend((): Effect.Effect<A, E | EventStoreUnavailable> => {
        if (closing) return Effect.fail(shuttingDown)
        inFlight++
        return Effect.ensuring(command, done)
      }),
    inFlight: () => inFlight,
    close: Effect.suspend(() => {
      closing = true
      if (inFlight === 0) return Effect.void
      const waiting = Deferred.unsafeMake<void>(FiberId.none)
      drained = waiting
      const left = inFlight
      return Effect.logDebug("the service is closing: waiting for the commands in flight").pipe(
        Effect.annotateLogs({ commands: left }),
        Effect.zipRight(Deferred.await(waiting)),
        Effect.timeout(timeout),
        Effect.catchAll(() =>
          Effect.logWarning("the service closed with commands still in flight").pipe(
            Effect.annotateLogs({ commands: inFlight })
          )
        )
      )
    })
  }
}

/** A snapshot of the read models as they are, covering what the follower has handled (none before anything). */
export const snapshotNow = (
  store: EventStoreShape,
  readModels: ReadModels,
  following: Following
): Effect.Effect<SnapshotInfo | undefined, AppendError> =>
  Effect.flatMap(Clock.currentTimeMillis, (now) =>
    Effect.suspend(() => {
      // The state and the position are read together, at once: the state holds every event up to the position.
      const position = following.position()
      if (position === undefined) return Effect.succeed(undefined)
      return Snapshots.write(store, readModels.current(), position, new Date(now))
    })
  )

/**
 * Writes snapshots when they are due (see `ServiceAccountsOptions.snapshots`), for ever: to be forked in the
 * service's scope. A snapshot another process wrote since this one's last counts as this one's. Failures are logged
 * and tried again later; nothing here stops the service.
 */
export const writeSnapshots = (
  store: EventStoreShape,
  readModels: ReadModels,
  following: Following,
  options: NonNullable<ServiceAccountsOptions["snapshots"]>
): Effect.Effect<never> => {
  const every = options.every ?? 100_000
  const interval = Duration.toMillis(options.interval ?? "10 minutes")
  const check = Duration.millis(Math.min(interval, 5_000))
  return Effect.gen(function* () {
    let handledAtLast = following.handled()
    let lastAt = yield* Clock.currentTimeMillis
    for (;;) {
      // A little jitter, so that processes that follow the same store do not all check at the same moment.
      yield* Effect.sleep(Duration.sum(check, Duration.millis(yield* Random.nextIntBetween(0, 250))))
      const now = yield* Clock.currentTimeMillis
      const handled = following.handled()
      const due = handled - handledAtLast >= every || (handled > handledAtLast && now - lastAt >= interval)
      if (!due) continue
      const newest = yield* Effect.option(Snapshots.latest(store))
      const byOther = Option.flatten(newest)
      if (Option.isSome(byOther) && byOther.value.createdAt.getTime() > lastAt) {
        // Another process wrote one since this process's last: it will do.
        handledAtLast = handled
        lastAt = now
        continue
      }
      const written = yield* Effect.either(snapshotNow(store, readModels, following))
      if (written._tag === "Left") {
        yield* Effect.logWarning("a snapshot of the read models could not be written; trying again later").pipe(
          Effect.annotateLogs({ error: written.left.message })
        )
        continue
      }
      handledAtLast = handled
      lastAt = now
      if (written.right !== undefined) {
        yield* Effect.logDebug("snapshot of the read models written").pipe(
          Effect.annotateLogs({ position: String(written.right.position), chunks: written.right.chunks })
        )
      }
    }
  })
}
