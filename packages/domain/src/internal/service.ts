import { DateTime, Deferred, Effect, Either, HashMap, Option, Ref, Schedule, Schema, Stream } from "effect"
import * as AuditTrail from "../AuditTrail.js"
import * as Authorization from "../Authorization.js"
import { Caller } from "../Caller.js"
import {
  CreateServiceAccount,
  DeleteServiceAccount,
  IssueToken,
  RevokeToken,
  type ServiceAccountCommand
} from "../Commands.js"
import type { Decision } from "../Decider.js"
import * as Directory from "../Directory.js"
import * as DirectoryView from "../DirectoryView.js"
import * as Integrity from "../Integrity.js"
import { CommandIdReused, type ConcurrencyConflict, ServiceAccountNotFound } from "../Errors.js"
import { EventStore, EventStoreUnavailable, type ReadError } from "../EventStore.js"
import type { ServiceAccountEvent } from "../Events.js"
import { ServiceAccountId, uuidFromBytes } from "../Ids.js"
import { SecureRandom } from "../SecureRandom.js"
import type { CommandError, IssuedToken, ServiceAccountsOptions, ServiceAccountsShape } from "../ServiceAccounts.js"
import { commandHash, directoryStream, isDirectoryStream, toProposed } from "../StoredEvent.js"
import * as Token from "../Token.js"
import { decoder } from "./input.js"
import { makeAuthenticate } from "./authenticate.js"
import { makeReadModels } from "./readModels.js"
import { isConflict, isRetryable, repeatCreate, repeatDelete, repeatIssue, repeatRevoke } from "./repeats.js"
import { foldCached, makeStateCache } from "./stateCache.js"

const decodeCaller = decoder(Caller, "caller")
const decodeCreate = decoder(CreateServiceAccount, "service account", "CreateServiceAccount")
const decodeIssue = decoder(IssueToken, "token request", "IssueToken")
const decodeRevoke = decoder(RevokeToken, "revocation", "RevokeToken")
const decodeDelete = decoder(DeleteServiceAccount, "deletion", "DeleteServiceAccount")
const decodeAccountId = decoder(Schema.Struct({ serviceAccountId: ServiceAccountId }), "service account id")

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

    const newKey = Effect.map(random.bytes(16), uuidFromBytes)

    // The command is written; if the read models cannot be brought up to date right now, the subscription
    // will bring them. The command's result must not be lost over it (for issueToken it holds the only copy
    // of the value).
    const readModelLag = (streamId: string) => (error: ReadError) =>
      Effect.logWarning("the read models could not catch up after a write; the subscription will").pipe(
        Effect.annotateLogs({ streamId, error: error.message })
      )

    /**
     * Load → (answer a repeated command id from the history) → decide → append with the expected revision. A
     * retryable store failure re-sends the very same events (same ids, same expected revision), so a write
     * whose reply was lost is recognised, not repeated. A conflict loads what the other writer appended and
     * decides again.
     */
    const execute = <O, E, RE>(
      caller: Caller,
      command: ServiceAccountCommand,
      decide: (
        state: Directory.DirectoryState,
        context: Directory.DecisionContext
      ) => Effect.Effect<Decision<ServiceAccountEvent, O>, E, SecureRandom>,
      repeat: (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => Effect.Effect<O, RE>
    ) =>
      Effect.gen(function* () {
        const streamId = directoryStream(caller.organization.id)
        const context: Directory.DecisionContext = { organizationId: caller.organization.id, actor: caller.actor }
        const commandId = caller.commandId
        const recorded = commandId === undefined ? undefined : { commandId, hash: commandHash(command) }
        // Event ids derive from a key drawn once per call (and the command id, when given): a re-send within this
        // call is recognised by the store, while a repeat of the command by the caller gets new ids, so it can
        // never be mistaken for the first write — the history answers it instead.
        const idempotencyKey = `${commandId ?? ""}:${yield* newKey}`
        // The common case reads nothing: decide on the cached state and let the expected revision catch a
        // stale cache (a conflict loads what the other writer appended and decides again). A refusal or a no-op
        // is confirmed against the store before it is returned, since no append would catch it.
        const attempt = (fresh: boolean): Effect.Effect<O, E | RE | CommandError> =>
          Effect.gen(function* () {
            // A command id is checked against the store's history, never only against the cache.
            const cached = fresh || recorded !== undefined ? undefined : cache.peek(streamId)
            const loaded = cached ?? (yield* cache.load(streamId))
            if (recorded !== undefined) {
              const previous = HashMap.get(loaded.commands, recorded.commandId)
              if (Option.isSome(previous)) {
                if (previous.value.hash !== recorded.hash) {
                  return yield* new CommandIdReused({ commandId: recorded.commandId })
                }
                yield* readModels.catchUp(streamId).pipe(Effect.catchAll(readModelLag(streamId)))
                return yield* repeat(recorded.commandId, previous.value.events)
              }
            }
            const decided = yield* Effect.either(decide(loaded.state, context))
            if (Either.isLeft(decided)) {
              return cached === undefined ? yield* Effect.fail(decided.left) : yield* attempt(true)
            }
            const decision = decided.right
            if (decision.events.length === 0) {
              return cached === undefined ? decision.output : yield* attempt(true)
            }
            const firstRevision = (loaded.revision ?? -1n) + 1n
            const proposed = Integrity.seal(
              streamId,
              firstRevision,
              loaded.lastDigest,
              toProposed(streamId, decision.events, { idempotencyKey, command: recorded })
            ).events
            // Once an attempt's outcome is unknown, the command's is too, whatever later re-sends meet.
            let unknown = false
            const result = yield* store.append(streamId, proposed, loaded.revision ?? "no_stream").pipe(
              Effect.tapError((error) =>
                Effect.sync(() => {
                  if (error._tag === "EventStoreUnavailable" && error.unknownOutcome === true) unknown = true
                })
              ),
              Effect.retry({ schedule: storeRetry, while: isRetryable }),
              Effect.mapError((error) =>
                unknown && error._tag === "EventStoreUnavailable" && error.unknownOutcome !== true
                  ? new EventStoreUnavailable({ ...error, unknownOutcome: true })
                  : error
              )
            )
            let next = loaded
            for (const [i, event] of decision.events.entries()) {
              next = foldCached(next, firstRevision + BigInt(i), event, proposed[i]?.metadata ?? {})
            }
            cache.remember(streamId, next)
            yield* readModels
              .applyAppended(
                streamId,
                decision.events.map((event, i) => ({
                  streamId,
                  revision: firstRevision + BigInt(i),
                  position: result.position,
                  eventId: proposed[i]?.eventId ?? "",
                  recordedAt: new Date(DateTime.toEpochMillis(event.occurredAt)),
                  metadata: proposed[i]?.metadata ?? {},
                  event
                }))
              )
              .pipe(Effect.catchAll(readModelLag(streamId)))
            return decision.output
          }).pipe(Effect.provideService(SecureRandom, random))
        // A conflict means the cache is behind the store — or, with a store that broke its contract, ahead of it:
        // then the cached entry is dropped and the stream read from the start.
        const reconcile = (conflict: ConcurrencyConflict) =>
          Effect.sync(() => {
            const cachedRevision = cache.peek(streamId)?.revision
            const actual = conflict.actual === "no_stream" ? -1n : BigInt(conflict.actual)
            if (cachedRevision !== undefined && actual < cachedRevision) cache.evict(streamId)
          })
        return yield* attempt(false).pipe(
          Effect.catchIf(isConflict, (conflict) =>
            reconcile(conflict).pipe(
              Effect.zipRight(attempt(true)),
              Effect.tapError((error) => (isConflict(error) ? reconcile(error) : Effect.void)),
              Effect.retry({ schedule: conflictRetry, while: (error) => isConflict(error) })
            )
          )
        )
      })

    const admit = (callerInput: unknown, action: string) =>
      Effect.tap(decodeCaller(callerInput), (caller) => Authorization.authorize(caller, action))

    const create: ServiceAccountsShape["create"] = (callerInput, input) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "create service accounts")
        const command = yield* decodeCreate(input)
        const created = yield* execute(
          caller,
          command,
          (state, context) => Directory.create(state, context, command),
          repeatCreate
        )
        yield* Effect.logInfo("service account created").pipe(
          Effect.annotateLogs({ organizationId: caller.organization.id, serviceAccountId: created.serviceAccountId })
        )
        return created
      }).pipe(Effect.withSpan("ServiceAccounts.create", { captureStackTrace: false }))

    const issueToken: ServiceAccountsShape["issueToken"] = (callerInput, input) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "issue tokens")
        const command = yield* decodeIssue(input)
        const issued = yield* execute(
          caller,
          command,
          (state, context) => Directory.issueToken(state, context, command),
          repeatIssue
        )
        yield* Effect.logInfo("token issued").pipe(
          Effect.annotateLogs({
            organizationId: caller.organization.id,
            serviceAccountId: issued.serviceAccountId,
            tokenId: issued.tokenId
          })
        )
        const result: IssuedToken = {
          serviceAccountId: issued.serviceAccountId,
          tokenId: issued.tokenId,
          name: issued.name,
          scopes: issued.scopes,
          hint: issued.hint,
          value: issued.value,
          sessionJson: Token.sessionJson(issued.value, caller.organization.tenantUrl, issued.scopes)
        }
        return result
      }).pipe(Effect.withSpan("ServiceAccounts.issueToken", { captureStackTrace: false }))

    const revokeToken: ServiceAccountsShape["revokeToken"] = (callerInput, input) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "revoke tokens")
        const command = yield* decodeRevoke(input)
        const revoked = yield* execute(
          caller,
          command,
          (state, context) => Directory.revokeToken(state, context, command),
          repeatRevoke
        )
        yield* Effect.logInfo("token revoked").pipe(
          Effect.annotateLogs({
            organizationId: caller.organization.id,
            serviceAccountId: revoked.serviceAccountId,
            tokenId: revoked.tokenId
          })
        )
        return revoked
      }).pipe(Effect.withSpan("ServiceAccounts.revokeToken", { captureStackTrace: false }))

    const deleteAccount: ServiceAccountsShape["delete"] = (callerInput, input) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "delete service accounts")
        const command = yield* decodeDelete(input)
        const deleted = yield* execute(
          caller,
          command,
          (state, context) => Directory.deleteServiceAccount(state, context, command),
          repeatDelete
        )
        yield* Effect.logInfo("service account deleted").pipe(
          Effect.annotateLogs({
            organizationId: caller.organization.id,
            serviceAccountId: deleted.serviceAccountId,
            revokedTokens: deleted.revokedTokenIds.length
          })
        )
        return deleted
      }).pipe(Effect.withSpan("ServiceAccounts.delete", { captureStackTrace: false }))

    const directoryOf = (caller: Caller) =>
      Effect.map(readModels.get, (models) => DirectoryView.directoryOf(models.directory, caller.organization.id))

    const list: ServiceAccountsShape["list"] = (callerInput) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "list service accounts")
        const directory = yield* directoryOf(caller)
        return {
          organizationId: caller.organization.id,
          tenantUrl: caller.organization.tenantUrl,
          accounts: DirectoryView.accounts(directory)
        }
      })

    const get: ServiceAccountsShape["get"] = (callerInput, serviceAccountIdInput) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "view service accounts")
        const { serviceAccountId } = yield* decodeAccountId({ serviceAccountId: serviceAccountIdInput })
        const directory = yield* directoryOf(caller)
        const account = DirectoryView.account(directory, serviceAccountId)
        if (Option.isNone(account) || account.value.status !== "active") {
          return yield* new ServiceAccountNotFound({ serviceAccountId })
        }
        return account.value
      })

    const auditTrail: ServiceAccountsShape["auditTrail"] = (callerInput) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "read the audit trail")
        const models = yield* readModels.get
        return AuditTrail.entries(models.audit, caller.organization.id)
      })

    const authenticate = makeAuthenticate(readModels.get)

    // Follow the whole store, so writes of other processes reach the read models too; the layer is ready once
    // the history has been caught up with. Only retryable failures are retried, with a back-off that starts
    // over once the subscription has worked for a minute; a corrupt event quarantines its stream (see
    // readModels) instead of stopping every organisation.
    const caughtUp = yield* Deferred.make<void, ReadError>()
    const lastPosition = yield* Ref.make<bigint | undefined>(undefined)
    const follow = Stream.suspend(() =>
      Effect.map(Ref.get(lastPosition), (from) => store.subscribeToAll({ from: from ?? "start" })).pipe(Stream.unwrap)
    ).pipe(
      Stream.runForEach((message) => {
        if (message._tag === "CaughtUp") return Deferred.succeed(caughtUp, undefined)
        const recorded = message.event
        if (!isDirectoryStream(recorded.streamId) || recorded.type.startsWith("$")) {
          return Ref.set(lastPosition, recorded.position)
        }
        // Until the history is caught up with, a corrupt event fails the layer; after that it quarantines its stream.
        return Effect.flatMap(Deferred.isDone(caughtUp), (ready) => readModels.offer(recorded, !ready)).pipe(
          Effect.zipRight(Ref.set(lastPosition, recorded.position))
        )
      })
    )
    const scope = yield* Effect.scope
    yield* follow.pipe(
      Effect.tapError((error) =>
        Effect.logError("the read models lost their subscription to the event store").pipe(
          Effect.annotateLogs({ error: error.message, retrying: isRetryable(error) })
        )
      ),
      Effect.retry({
        schedule: Schedule.exponential("100 millis").pipe(
          Schedule.union(Schedule.spaced("30 seconds")),
          Schedule.resetAfter("1 minute")
        ),
        while: isRetryable
      }),
      Effect.catchAll((error) => Deferred.fail(caughtUp, error)),
      Effect.forkIn(scope)
    )
    yield* Deferred.await(caughtUp)

    const service: ServiceAccountsShape = {
      create,
      issueToken,
      revokeToken,
      delete: deleteAccount,
      list,
      get,
      auditTrail,
      authenticate
    }
    return service
  })
