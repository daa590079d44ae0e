/**
 * The one command handler: runs any decision of the directory decider's shape
 * (`(command, state, context) → events or a refusal`) against the store.
 *
 *   load (state cache) → decide → encode and seal (each event with its digest) → append with the expected revision
 *   → retry on conflict → fold into the cache and the read models
 *
 * The common case reads nothing: it decides on the cached state and lets the expected revision catch a stale cache.
 * A refusal or a no-op decided on a cached state is confirmed against the store before it is returned, since no
 * append would catch a stale cache. A command id is always checked against the store's history (ADR 0004).
 *
 * @internal
 */
import { Effect, Either, HashMap, Option, type Schedule } from "effect"
import { utcAt } from "../fast/compact.js"
import * as Integrity from "../integrity/Integrity.js"
import type { Caller } from "../model/Caller.js"
import type { ServiceAccountCommand } from "../model/Commands.js"
import type { Decision } from "../model/Decider.js"
import * as Directory from "../model/Directory.js"
import {
  type AppendError,
  CommandIdReused,
  type CommandError,
  type ConcurrencyConflict,
  EventStoreUnavailable,
  type ReadError
} from "../model/Errors.js"
import type { ServiceAccountEvent } from "../model/Events.js"
import { uuidFromBytes } from "../model/Ids.js"
import { toProposedDecided } from "../store/encode.js"
import type { AppendResult, EventStoreShape, ExpectedRevision, ProposedEvent } from "../store/EventStore.js"
import { commandHash, type DomainEvent, directoryStream } from "../store/StoredEvent.js"
import type { ReadModels } from "./liveReadModels.js"
import { isConflict, isRetryable } from "./repeats.js"
import { type SecureRandomShape, withRandomBytes } from "./SecureRandom.js"
import { type CachedState, foldCached, type StateCache } from "./stateCache.js"

/** A decision of the directory's shape, for one kind of command. */
export type Decide<C, O, Refusal> = (
  command: C,
  state: Directory.DirectoryState,
  context: Directory.DecisionContext
) => Either.Either<Decision<ServiceAccountEvent, O>, Refusal>

/** What a repeated command (same command id, same command) answers, from the events it appended the first time. */
export type Repeat<O, E> = (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => Effect.Effect<O, E>

export interface CommandHandlerOptions {
  readonly store: EventStoreShape
  readonly cache: StateCache
  readonly readModels: ReadModels
  readonly random: SecureRandomShape
  readonly conflictRetry: Schedule.Schedule<unknown, unknown>
  readonly storeRetry: Schedule.Schedule<unknown, unknown>
}

const NO_BYTES = new Uint8Array(0)

const isUnknownOutcome = (error: AppendError): boolean =>
  error._tag === "EventStoreUnavailable" && error.unknownOutcome === true

export const makeCommandHandler = (options: CommandHandlerOptions) => {
  const { store, cache, readModels, random, conflictRetry, storeRetry } = options

  // The command is written; if the read models cannot be brought up to date right now, the subscription will bring
  // them. The command's result must not be lost over it (for issueToken it holds the only copy of the value).
  const readModelLag = (streamId: string) => (error: ReadError) =>
    Effect.logWarning("the read models could not catch up after a write; the subscription will").pipe(
      Effect.annotateLogs({ streamId, error: error.message })
    )

  /**
   * Appends; a retryable failure re-sends the very same events (same ids, same expected revision) on the
   * `storeRetry` schedule, so a write whose reply was lost is recognised, not repeated. Once an attempt's outcome is
   * unknown, the command's is too, whatever later re-sends meet. The common case (the first append works) pays for
   * none of it.
   */
  const append = (
    streamId: string,
    proposed: ReadonlyArray<ProposedEvent>,
    expected: ExpectedRevision
  ): Effect.Effect<AppendResult, AppendError> => {
    const once = store.append(streamId, proposed, expected)
    return Effect.catchAll(once, (first) => {
      if (!isRetryable(first)) return Effect.fail(first)
      let unknown = false
      // The schedule sees the first failure as its first input, exactly as if it had retried from the start.
      let replay: AppendError | undefined = first
      return Effect.suspend(() => {
        const failed = replay
        replay = undefined
        return failed === undefined ? once : Effect.fail(failed)
      }).pipe(
        Effect.tapError((error) =>
          Effect.sync(() => {
            if (isUnknownOutcome(error)) unknown = true
          })
        ),
        Effect.retry({ schedule: storeRetry, while: isRetryable }),
        Effect.mapError((error) =>
          unknown && error._tag === "EventStoreUnavailable" && error.unknownOutcome !== true
            ? new EventStoreUnavailable({ ...error, unknownOutcome: true })
            : error
        )
      )
    })
  }

  /** Folds what was appended, each event with the digest it was sealed with, into the cache and the read models. */
  const appended = <O>(
    streamId: string,
    loaded: CachedState,
    events: ReadonlyArray<ServiceAccountEvent>,
    sealed: ReadonlyArray<Integrity.SealedEvent>,
    result: AppendResult,
    output: O
  ): Effect.Effect<O> => {
    const firstRevision = (loaded.revision ?? -1n) + 1n
    let next = loaded
    const recorded: Array<DomainEvent> = []
    for (let i = 0; i < events.length; i++) {
      const event = events[i]
      const each = sealed[i]
      if (event === undefined || each === undefined) continue
      const revision = firstRevision + BigInt(i)
      next = foldCached(next, revision, event, each.event.metadata, each.digest)
      recorded.push({
        streamId,
        revision,
        position: result.position,
        eventId: each.event.eventId,
        recordedAt: new Date(event.occurredAt.epochMillis),
        metadata: each.event.metadata,
        event
      })
    }
    cache.remember(streamId, next)
    if (readModels.applyAppendedNow(streamId, recorded)) return Effect.succeed(output)
    return readModels.applyAppended(streamId, recorded).pipe(Effect.catchAll(readModelLag(streamId)), Effect.as(output))
  }

  /**
   * A command method's work once the caller and the command are decoded and the caller authorised: load → (answer a
   * repeated command id from the history) → decide → seal → append with the expected revision; a conflict loads
   * what the other writer appended and decides again.
   */
  return <C extends ServiceAccountCommand, O, Refusal, RepeatError>(
    caller: Caller,
    command: C,
    decide: Decide<C, O, Refusal>,
    repeat: Repeat<O, RepeatError>
  ): Effect.Effect<O, Refusal | RepeatError | CommandError> => {
    const streamId = directoryStream(caller.organization.id)
    const commandId = caller.commandId
    const recorded = commandId === undefined ? undefined : { commandId, hash: commandHash(command) }
    const randomBytes = Directory.randomBytesFor(command)
    return withRandomBytes(random, 16, (keyBytes) => {
      // Event ids derive from a key drawn once per call (and the command id, when given): a re-send within this call
      // is recognised by the store, while a repeat of the command by the caller gets new ids, so it can never be
      // mistaken for the first write — the history answers it instead.
      const idempotencyKey = `${commandId ?? ""}:${uuidFromBytes(keyBytes)}`

      /** The decision's context, made for each attempt: the time now, and fresh random bytes. */
      const decided = (loaded: CachedState) =>
        Effect.clockWith((clock) => {
          const decideWith = (bytes: Uint8Array) =>
            Effect.succeed(
              decide(command, loaded.state, {
                organizationId: caller.organization.id,
                tenantUrl: caller.organization.tenantUrl,
                actor: caller.actor,
                now: utcAt(clock.unsafeCurrentTimeMillis()),
                random: bytes
              })
            )
          return randomBytes === 0 ? decideWith(NO_BYTES) : withRandomBytes(random, randomBytes, decideWith)
        })

      // Decides on `loaded` and appends. On a cached state (`optimistic`), a refusal or a no-op is confirmed against
      // the store before it is returned.
      const decideAndAppend = (
        loaded: CachedState,
        optimistic: boolean
      ): Effect.Effect<O, Refusal | RepeatError | CommandError> =>
        Effect.flatMap(decided(loaded), (decision): Effect.Effect<O, Refusal | RepeatError | CommandError> => {
          if (Either.isLeft(decision)) return optimistic ? attempt(true) : Effect.fail(decision.left)
          const { events, output } = decision.right
          if (events.length === 0) return optimistic ? attempt(true) : Effect.succeed(output)
          const sealed = Integrity.sealEach(
            streamId,
            (loaded.revision ?? -1n) + 1n,
            loaded.lastDigest,
            toProposedDecided(streamId, events, { idempotencyKey, command: recorded })
          )
          return Effect.flatMap(
            append(
              streamId,
              sealed.map((each) => each.event),
              loaded.revision ?? "no_stream"
            ),
            (result) => appended(streamId, loaded, events, sealed, result, output)
          )
        })

      const attempt = (fresh: boolean): Effect.Effect<O, Refusal | RepeatError | CommandError> => {
        const cached = fresh || recorded !== undefined ? undefined : cache.peek(streamId)
        if (cached !== undefined) return decideAndAppend(cached, true)
        return Effect.flatMap(
          cache.load(streamId),
          (loaded): Effect.Effect<O, Refusal | RepeatError | CommandError> => {
            const previous = recorded === undefined ? undefined : HashMap.get(loaded.commands, recorded.commandId)
            if (recorded === undefined || previous === undefined || Option.isNone(previous)) {
              return decideAndAppend(loaded, false)
            }
            if (previous.value.hash !== recorded.hash) {
              return Effect.fail(new CommandIdReused({ commandId: recorded.commandId }))
            }
            // The answer comes from the history just read; the read models are brought to it (read-your-writes).
            return Effect.zipRight(
              readModels.catchUpTo(streamId, loaded.revision).pipe(Effect.catchAll(readModelLag(streamId))),
              repeat(recorded.commandId, previous.value.events)
            )
          }
        )
      }

      // A conflict means the cache is behind the store — or, with a store that broke its contract, ahead of it: then
      // the cached entry is dropped and the stream read from the start.
      const reconcile = (conflict: ConcurrencyConflict) =>
        Effect.sync(() => {
          const cachedRevision = cache.peek(streamId)?.revision
          const actual = conflict.actual === "no_stream" ? -1n : BigInt(conflict.actual)
          if (cachedRevision !== undefined && actual < cachedRevision) cache.evict(streamId)
        })
      return Effect.catchAll(attempt(false), (error) =>
        isConflict(error)
          ? reconcile(error).pipe(
              Effect.zipRight(attempt(true)),
              Effect.tapError((again) => (isConflict(again) ? reconcile(again) : Effect.void)),
              Effect.retry({ schedule: conflictRetry, while: (again) => isConflict(again) })
            )
          : Effect.fail(error)
      )
    })
  }
}
