import {
  Chunk,
  DateTime,
  Deferred,
  Effect,
  Either,
  HashMap,
  Metric,
  Option,
  Redacted,
  Ref,
  Schedule,
  Stream
} from "effect"
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
import { AuthenticationFailed, CommandIdReused, type ConcurrencyConflict, ServiceAccountNotFound } from "../Errors.js"
import { EventStore } from "../EventStore.js"
import type { ServiceAccountEvent } from "../Events.js"
import { ServiceAccountId, uuidFromBytes } from "../Ids.js"
import { SecureRandom } from "../SecureRandom.js"
import type {
  CommandError,
  IssuedToken,
  Principal,
  ServiceAccountsOptions,
  ServiceAccountsShape
} from "../ServiceAccounts.js"
import { commandHash, directoryStream, isDirectoryStream, toProposed } from "../StoredEvent.js"
import * as Token from "../Token.js"
import * as TokenIndex from "../TokenIndex.js"
import { decoder } from "./input.js"
import { makeReadModels } from "./readModels.js"
import { isConflict, isRetryable, repeatCreate, repeatDelete, repeatIssue, repeatRevoke } from "./repeats.js"
import { foldCached, makeStateCache } from "./stateCache.js"

const decodeCaller = decoder(Caller, "caller")
const decodeCreate = decoder(CreateServiceAccount, "CreateServiceAccount command")
const decodeIssue = decoder(IssueToken, "IssueToken command")
const decodeRevoke = decoder(RevokeToken, "RevokeToken command")
const decodeDelete = decoder(DeleteServiceAccount, "DeleteServiceAccount command")
const decodeAccountId = decoder(ServiceAccountId, "service account id")

/** Adds the command's tag, so callers pass plain fields. A non-object stays as it is and fails to decode. */
const tagged = (tag: string, input: unknown): unknown =>
  typeof input === "object" && input !== null && !Array.isArray(input) ? { ...input, _tag: tag } : input

const authenticationFailures = Metric.counter("service_accounts_authentication_failures", {
  description: "authentications refused, by cause"
})

type FailureCause = Token.MalformedReason | "unknown" | "revoked" | "account-deleted" | "other-organization"

export const make = (options: ServiceAccountsOptions) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const random = Option.getOrElse(yield* Effect.serviceOption(SecureRandom), () => SecureRandom.live)
    const cache = makeStateCache(store, options.stateCacheCapacity ?? 10_000)
    const readModels = yield* makeReadModels(store)
    const conflictRetry = options.conflictRetry ?? Schedule.recurs(5)
    const storeRetry =
      options.storeRetry ??
      Schedule.exponential("50 millis").pipe(Schedule.jittered, Schedule.intersect(Schedule.recurs(3)))

    const newKey = Effect.map(random.bytes(16), uuidFromBytes)

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
        const idempotencyKey = commandId ?? (yield* newKey)
        // The common case reads nothing: decide on the cached state and let the expected revision catch a
        // stale cache (a conflict loads what the other writer appended and decides again). A refusal or a no-op
        // is confirmed against the store before it is returned, since no append would catch it.
        const attempt = (fresh: boolean): Effect.Effect<O, E | RE | CommandError> =>
          Effect.gen(function* () {
            const cached = fresh ? undefined : cache.peek(streamId)
            const loaded = cached ?? (yield* cache.load(streamId))
            if (recorded !== undefined) {
              const previous = HashMap.get(loaded.commands, recorded.commandId)
              if (Option.isSome(previous)) {
                if (previous.value.hash !== recorded.hash) {
                  return yield* new CommandIdReused({ commandId: recorded.commandId })
                }
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
            const append = store.append(streamId, proposed, loaded.revision ?? "no_stream")
            const result = yield* append.pipe(
              Effect.catchIf(isRetryable, () => append.pipe(Effect.retry({ schedule: storeRetry, while: isRetryable })))
            )
            let next = loaded
            for (const [i, event] of decision.events.entries()) {
              next = foldCached(next, firstRevision + BigInt(i), event, proposed[i]?.metadata ?? {})
            }
            cache.remember(streamId, next)
            yield* readModels.applyAppended(
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
        const command = yield* decodeCreate(tagged("CreateServiceAccount", input))
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
        const command = yield* decodeIssue(tagged("IssueToken", input))
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
        const command = yield* decodeRevoke(tagged("RevokeToken", input))
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
        const command = yield* decodeDelete(tagged("DeleteServiceAccount", input))
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
      Effect.map(readModels.get, (models) =>
        Option.getOrElse(HashMap.get(models.directory, caller.organization.id), () =>
          DirectoryView.emptyDirectory(caller.organization.id)
        )
      )

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
        const serviceAccountId = yield* decodeAccountId(serviceAccountIdInput)
        const directory = yield* directoryOf(caller)
        const account = HashMap.get(directory.accounts, serviceAccountId)
        if (Option.isNone(account) || account.value.status !== "active") {
          return yield* new ServiceAccountNotFound({ serviceAccountId })
        }
        return DirectoryView.view(account.value)
      })

    const auditTrail: ServiceAccountsShape["auditTrail"] = (callerInput) =>
      Effect.gen(function* () {
        const caller = yield* admit(callerInput, "read the audit trail")
        const models = yield* readModels.get
        return Chunk.toReadonlyArray(
          Option.getOrElse(HashMap.get(models.audit, caller.organization.id), () => Chunk.empty())
        )
      })

    const refuse = (cause: FailureCause) =>
      Effect.logDebug("authentication failed").pipe(
        Effect.annotateLogs({ cause }),
        Effect.zipRight(Metric.increment(Metric.tagged(authenticationFailures, "cause", cause))),
        Effect.zipRight(Effect.fail(new AuthenticationFailed()))
      )

    const authenticate: ServiceAccountsShape["authenticate"] = (value, authOptions) =>
      Effect.suspend(() => {
        const raw: unknown = typeof value === "string" ? value : Redacted.value(value)
        if (typeof raw !== "string") return refuse("wrong-length")
        const malformed = Token.checkFormat(raw)
        if (malformed !== undefined) return refuse(malformed)
        return Effect.flatMap(readModels.get, (models) => {
          const entry = TokenIndex.lookup(models.tokens, Token.digest(raw))
          if (Option.isNone(entry)) return refuse("unknown")
          if (Option.isSome(entry.value.revoked)) {
            return refuse(entry.value.revoked.value === "Manual" ? "revoked" : "account-deleted")
          }
          if (authOptions?.organizationId !== undefined && authOptions.organizationId !== entry.value.organizationId) {
            return refuse("other-organization")
          }
          const principal: Principal = {
            organizationId: entry.value.organizationId,
            serviceAccountId: entry.value.serviceAccountId,
            tokenId: entry.value.tokenId,
            scopes: entry.value.scopes
          }
          return Effect.succeed(principal)
        })
      })

    // Follow the whole store, so writes of other processes reach the read models too; the layer is ready once
    // the history has been caught up with.
    const caughtUp = yield* Deferred.make<void>()
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
        return readModels.offer(recorded).pipe(Effect.zipRight(Ref.set(lastPosition, recorded.position)))
      })
    )
    const scope = yield* Effect.scope
    yield* follow.pipe(
      Effect.tapError((error) =>
        Effect.logError("the read models lost their subscription to the event store; resubscribing").pipe(
          Effect.annotateLogs({ error: error.message })
        )
      ),
      Effect.retry(Schedule.exponential("100 millis").pipe(Schedule.union(Schedule.spaced("30 seconds")))),
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
