import { DateTime, Effect, Either, FiberRef, HashMap, LogLevel, Option, Schedule, type Tracer } from "effect"
import * as AuditTrail from "../readModels/AuditTrail.js"
import type { Caller } from "../model/Caller.js"
import type { ServiceAccountCommand } from "../model/Commands.js"
import type { Decision } from "../model/Decider.js"
import * as Directory from "../model/Directory.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as Integrity from "../integrity/Integrity.js"
import { CommandIdReused, type ConcurrencyConflict, type InvalidInput, ServiceAccountNotFound } from "../model/Errors.js"
import {
  type AppendError,
  type AppendResult,
  EventStore,
  EventStoreUnavailable,
  type ExpectedRevision,
  type Json,
  type ProposedEvent,
  type ReadError
} from "../store/EventStore.js"
import type { ServiceAccountEvent } from "../model/Events.js"
import { uuidFromBytes } from "../model/Ids.js"
import { SecureRandom, withRandomBytes } from "./SecureRandom.js"
import type {
  AccessError,
  CommandError,
  IssuedToken,
  ServiceAccountsOptions,
  ServiceAccountsShape
} from "./ServiceAccounts.js"
import { type DomainEvent, commandHash, directoryStream } from "../store/StoredEvent.js"
import * as Token from "../model/Token.js"
import { makeAuthenticate } from "./authenticate.js"
import { toProposedDecided } from "../store/encode.js"
import { admit, decodeAccountId, decodeCreate, decodeDelete, decodeIssue, decodeRevoke } from "../model/decoders.js"
import { freshnessOptions, makeFreshness } from "./freshness.js"
import { followStore, makeReadModels } from "./liveReadModels.js"
import { isConflict, isRetryable, repeatCreate, repeatDelete, repeatIssue, repeatRevoke } from "./repeats.js"
import { type CachedState, foldCached, makeStateCache } from "./stateCache.js"

/**
 * Effect's default tracer (the one every runtime starts with), found once. It only keeps spans in memory, where
 * nothing outside a command could see them, yet making one costs several microseconds a command: so a command
 * gets its span (`ServiceAccounts.issueToken`, …) only when another tracer (OpenTelemetry, say) is installed.
 */
let defaultTracer: Tracer.Tracer | undefined
const isDefaultTracer = (tracer: Tracer.Tracer): boolean => {
  if (defaultTracer === undefined) defaultTracer = Effect.runSync(Effect.tracer)
  return tracer === defaultTracer
}

/** The digest `Integrity.seal` just put in an event's metadata (no need to check its form, as `recordOf` does). */
const sealedDigest = (metadata: { readonly [key: string]: Json }): string | undefined => {
  const record = metadata[Integrity.INTEGRITY_KEY]
  if (typeof record !== "object" || record === null || Array.isArray(record)) return undefined
  const digest = (record as { readonly [key: string]: Json }).digest
  return typeof digest === "string" ? digest : undefined
}

type Decide<O, E> = (
  state: Directory.DirectoryState,
  context: Directory.DecisionContext
) => Effect.Effect<Decision<ServiceAccountEvent, O>, E>

export const make = (options: ServiceAccountsOptions) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const random = Option.getOrElse(yield* Effect.serviceOption(SecureRandom), () => SecureRandom.live)
    const cache = makeStateCache(store, options.stateCacheCapacity ?? 10_000)
    const readModels = yield* makeReadModels(store)
    // Conflicts: a few immediate retries (in-process races resolve at once), then jittered back-off.
    const conflictRetry =
      options.conflictRetry ??
      Schedule.recurs(3).pipe(
        Schedule.andThen(
          Schedule.exponential("10 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(7)))
        )
      )
    const storeRetry =
      options.storeRetry ??
      Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))

    // The command is written; if the read models cannot be brought up to date right now, the subscription
    // will bring them. The command's result must not be lost over it (for issueToken it holds the only copy
    // of the value).
    const readModelLag = (streamId: string) => (error: ReadError) =>
      Effect.logWarning("the read models could not catch up after a write; the subscription will").pipe(
        Effect.annotateLogs({ streamId, error: error.message })
      )

    const isUnknownOutcome = (error: AppendError): boolean =>
      error._tag === "EventStoreUnavailable" && error.unknownOutcome === true

    /**
     * Appends; a retryable failure re-sends the very same events (same ids, same expected revision) on the
     * `storeRetry` schedule, so a write whose reply was lost is recognised, not repeated. Once an attempt's outcome
     * is unknown, the command's is too, whatever later re-sends meet. The common case (the first append works)
     * pays for none of it.
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

    /** Folds what was appended into the cached state, and into the read models (at once when it can). */
    const appended = <O>(
      streamId: string,
      loaded: CachedState,
      events: ReadonlyArray<ServiceAccountEvent>,
      proposed: ReadonlyArray<ProposedEvent>,
      result: AppendResult,
      output: O
    ): Effect.Effect<O> => {
      const firstRevision = (loaded.revision ?? -1n) + 1n
      let next = loaded
      const recorded: Array<DomainEvent> = []
      for (let i = 0; i < events.length; i++) {
        const event = events[i] as ServiceAccountEvent
        const revision = firstRevision + BigInt(i)
        const metadata = proposed[i]?.metadata ?? {}
        next = foldCached(next, revision, event, metadata, sealedDigest(metadata))
        recorded.push({
          streamId,
          revision,
          position: result.position,
          eventId: proposed[i]?.eventId ?? "",
          recordedAt: new Date(DateTime.toEpochMillis(event.occurredAt)),
          metadata,
          event
        })
      }
      cache.remember(streamId, next)
      if (readModels.applyAppendedNow(streamId, recorded)) return Effect.succeed(output)
      return readModels
        .applyAppended(streamId, recorded)
        .pipe(Effect.catchAll(readModelLag(streamId)), Effect.as(output))
    }

    /**
     * Load → (answer a repeated command id from the history) → decide → append with the expected revision. A
     * conflict loads what the other writer appended and decides again.
     */
    const execute = <O, E, RE>(
      caller: Caller,
      command: ServiceAccountCommand,
      decide: Decide<O, E>,
      repeat: (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => Effect.Effect<O, RE>
    ): Effect.Effect<O, E | RE | CommandError> => {
      const streamId = directoryStream(caller.organization.id)
      const context: Directory.DecisionContext = { organizationId: caller.organization.id, actor: caller.actor }
      const commandId = caller.commandId
      const recorded = commandId === undefined ? undefined : { commandId, hash: commandHash(command) }
      return withRandomBytes(random, 16, (keyBytes) => {
        const key = uuidFromBytes(keyBytes)
        // Event ids derive from a key drawn once per call (and the command id, when given): a re-send within this
        // call is recognised by the store, while a repeat of the command by the caller gets new ids, so it can
        // never be mistaken for the first write — the history answers it instead.
        const idempotencyKey = `${commandId ?? ""}:${key}`

        // Decides on `loaded` and appends. On a cached state (`optimistic`), a refusal or a no-op is confirmed
        // against the store before it is returned, since no append would catch a stale cache.
        const decideAndAppend = (loaded: CachedState, optimistic: boolean): Effect.Effect<O, E | RE | CommandError> =>
          Effect.matchEffect(decide(loaded.state, context), {
            onFailure: (error) => (optimistic ? attempt(true) : Effect.fail(error)),
            onSuccess: (decision) => {
              if (decision.events.length === 0) return optimistic ? attempt(true) : Effect.succeed(decision.output)
              const proposed = Integrity.seal(
                streamId,
                (loaded.revision ?? -1n) + 1n,
                loaded.lastDigest,
                toProposedDecided(streamId, decision.events, { idempotencyKey, command: recorded })
              ).events
              return Effect.flatMap(append(streamId, proposed, loaded.revision ?? "no_stream"), (result) =>
                appended(streamId, loaded, decision.events, proposed, result, decision.output)
              )
            }
          })

        // The common case reads nothing: decide on the cached state and let the expected revision catch a stale
        // cache. A command id is checked against the store's history, never only against the cache.
        const attempt = (fresh: boolean): Effect.Effect<O, E | RE | CommandError> => {
          const cached = fresh || recorded !== undefined ? undefined : cache.peek(streamId)
          if (cached !== undefined) return decideAndAppend(cached, true)
          return Effect.flatMap(cache.load(streamId), (loaded): Effect.Effect<O, E | RE | CommandError> => {
            const previous = recorded === undefined ? undefined : HashMap.get(loaded.commands, recorded.commandId)
            if (recorded === undefined || previous === undefined || Option.isNone(previous)) {
              return decideAndAppend(loaded, false)
            }
            if (previous.value.hash !== recorded.hash) {
              return Effect.fail(new CommandIdReused({ commandId: recorded.commandId }))
            }
            return Effect.zipRight(
              readModels.catchUp(streamId).pipe(Effect.catchAll(readModelLag(streamId))),
              repeat(recorded.commandId, previous.value.events)
            )
          })
        }

        // A conflict means the cache is behind the store — or, with a store that broke its contract, ahead of it:
        // then the cached entry is dropped and the stream read from the start.
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

    /**
     * One command method: the caller decoded and authorised, then the command decoded (bad input is an
     * `InvalidInput` naming the field, and nothing is appended), executed, logged, in a span of its own.
     */
    const command = <C extends ServiceAccountCommand, O, E, RE, R>(spec: {
      readonly span: string
      readonly action: string
      readonly decode: (input: unknown) => Either.Either<C, InvalidInput>
      readonly decide: (
        state: Directory.DirectoryState,
        context: Directory.DecisionContext,
        command: C
      ) => Effect.Effect<Decision<ServiceAccountEvent, O>, E>
      readonly repeat: (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => Effect.Effect<O, RE>
      readonly done: (caller: Caller, output: O) => R
      readonly log: string
      readonly annotations: (caller: Caller, output: O) => Record<string, unknown>
    }) => {
      // `quiet`: info logs are filtered out (the minimum level, read once as the command starts), so the log of the
      // outcome is not even built.
      const run = (callerInput: unknown, input: unknown, quiet: boolean): Effect.Effect<R, E | RE | CommandError> => {
        const caller = admit(callerInput, spec.action)
        if (Either.isLeft(caller)) return Effect.fail(caller.left)
        const decoded = spec.decode(input)
        if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
        const command = decoded.right
        const executed = execute(
          caller.right,
          command,
          (state, context) => spec.decide(state, context, command),
          spec.repeat
        )
        return quiet
          ? Effect.map(executed, (output) => spec.done(caller.right, output))
          : Effect.flatMap(executed, (output) =>
              Effect.as(
                Effect.annotateLogs(Effect.logInfo(spec.log), spec.annotations(caller.right, output)),
                spec.done(caller.right, output)
              )
            )
      }
      return (callerInput: unknown, input: unknown): Effect.Effect<R, E | RE | CommandError> =>
        Effect.withFiberRuntime((fiber) => {
          const quiet = LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Info)
          return isDefaultTracer(fiber.currentTracer)
            ? run(callerInput, input, quiet)
            : Effect.withSpan(
                Effect.suspend(() => run(callerInput, input, quiet)),
                spec.span,
                {
                  captureStackTrace: false
                }
              )
        })
    }

    const create: ServiceAccountsShape["create"] = command({
      span: "ServiceAccounts.create",
      action: "create service accounts",
      decode: decodeCreate,
      decide: (state, context, command) => Directory.createWith(random, state, context, command),
      repeat: repeatCreate,
      done: (_caller, created) => created,
      log: "service account created",
      annotations: (caller, created) => ({
        organizationId: caller.organization.id,
        serviceAccountId: created.serviceAccountId
      })
    })

    const issueToken: ServiceAccountsShape["issueToken"] = command({
      span: "ServiceAccounts.issueToken",
      action: "issue tokens",
      decode: decodeIssue,
      decide: (state, context, command) => Directory.issueTokenWith(random, state, context, command),
      repeat: repeatIssue,
      done: (caller, issued): IssuedToken => ({
        serviceAccountId: issued.serviceAccountId,
        tokenId: issued.tokenId,
        name: issued.name,
        scopes: issued.scopes,
        hint: issued.hint,
        value: issued.value,
        sessionJson: Token.sessionJson(issued.value, caller.organization.tenantUrl, issued.scopes)
      }),
      log: "token issued",
      annotations: (caller, issued) => ({
        organizationId: caller.organization.id,
        serviceAccountId: issued.serviceAccountId,
        tokenId: issued.tokenId
      })
    })

    const revokeToken: ServiceAccountsShape["revokeToken"] = command({
      span: "ServiceAccounts.revokeToken",
      action: "revoke tokens",
      decode: decodeRevoke,
      decide: Directory.revokeToken,
      repeat: repeatRevoke,
      done: (_caller, revoked) => revoked,
      log: "token revoked",
      annotations: (caller, revoked) => ({
        organizationId: caller.organization.id,
        serviceAccountId: revoked.serviceAccountId,
        tokenId: revoked.tokenId
      })
    })

    const deleteAccount: ServiceAccountsShape["delete"] = command({
      span: "ServiceAccounts.delete",
      action: "delete service accounts",
      decode: decodeDelete,
      decide: Directory.deleteServiceAccount,
      repeat: repeatDelete,
      done: (_caller, deleted) => deleted,
      log: "service account deleted",
      annotations: (caller, deleted) => ({
        organizationId: caller.organization.id,
        serviceAccountId: deleted.serviceAccountId,
        revokedTokens: deleted.revokedTokenIds.length
      })
    })

    const admitted = (callerInput: unknown, action: string): Effect.Effect<Caller, AccessError> =>
      Effect.suspend(() => {
        const caller = admit(callerInput, action)
        return Either.isRight(caller) ? Effect.succeed(caller.right) : Effect.fail(caller.left)
      })

    const directoryOf = (caller: Caller) =>
      DirectoryView.directoryOf(readModels.current().directory, caller.organization.id)

    const list: ServiceAccountsShape["list"] = (callerInput) =>
      Effect.map(admitted(callerInput, "list service accounts"), (caller) => ({
        organizationId: caller.organization.id,
        tenantUrl: caller.organization.tenantUrl,
        accounts: DirectoryView.accounts(directoryOf(caller))
      }))

    const get: ServiceAccountsShape["get"] = (callerInput, serviceAccountIdInput) =>
      Effect.gen(function* () {
        const caller = yield* admitted(callerInput, "view service accounts")
        const { serviceAccountId } = yield* decodeAccountId({ serviceAccountId: serviceAccountIdInput })
        const account = DirectoryView.account(directoryOf(caller), serviceAccountId)
        if (Option.isNone(account) || account.value.status !== "active") {
          return yield* new ServiceAccountNotFound({ serviceAccountId })
        }
        return account.value
      })

    const auditTrail: ServiceAccountsShape["auditTrail"] = (callerInput) =>
      Effect.map(admitted(callerInput, "read the audit trail"), (caller) =>
        AuditTrail.entries(readModels.current().audit, caller.organization.id)
      )

    const freshness = yield* makeFreshness(store, freshnessOptions(options))
    const authenticate = makeAuthenticate(readModels.current, freshness.gate)

    // Follow the whole store, so writes of other processes reach the read models too; the layer is ready once
    // the history has been caught up with. From then on the read models' freshness is watched.
    yield* followStore(store, readModels, freshness)
    yield* Effect.forkScoped(freshness.watch)

    const status: ServiceAccountsShape["freshness"] = Effect.suspend(() =>
      freshness.status(Array.from(HashMap.keys(readModels.current().quarantined)).sort())
    )

    const service: ServiceAccountsShape = {
      create,
      issueToken,
      revokeToken,
      delete: deleteAccount,
      list,
      get,
      auditTrail,
      authenticate,
      freshness: status
    }
    return service
  })
