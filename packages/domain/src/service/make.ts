/**
 * Builds the application service: the state cache, the command handler, the read models and their follower, the
 * freshness watch, and the methods of `ServiceAccountsShape` on them.
 *
 * @internal
 */
import { Duration, Effect, Either, FiberRef, HashMap, LogLevel, Option, Schedule, Stream, type Tracer } from "effect"
import type { Caller } from "../model/Caller.js"
import type { ServiceAccountCommand } from "../model/Commands.js"
import { admit, decodeAccountId, decodeCreate, decodeDelete, decodeIssue, decodeRevoke } from "../model/decoders.js"
import * as Directory from "../model/Directory.js"
import { type AccessError, type CommandError, type InvalidInput, ServiceAccountNotFound } from "../model/Errors.js"
import * as AuditTrail from "../readModels/AuditTrail.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as UsageView from "../readModels/UsageView.js"
import { uuidFromBytes } from "../model/Ids.js"
import { EventStore } from "../store/EventStore.js"
import { decode, directoryStream } from "../store/StoredEvent.js"
import { makeAuthenticate } from "./authenticate.js"
import { catchUp } from "./catchUp.js"
import { type Decide, makeCommandHandler, type Repeat } from "./CommandHandler.js"
import { freshnessOptions, makeFreshness } from "./freshness.js"
import { followStore } from "./followStore.js"
import { makeReadModels } from "./liveReadModels.js"
import { repeatCreate, repeatDelete, repeatIssue, repeatRevoke } from "./repeats.js"
import { SecureRandom } from "./SecureRandom.js"
import type { IssuedToken, ServiceAccountsOptions, ServiceAccountsShape } from "./ServiceAccountsShape.js"
import { makeDrain, snapshotNow, writeSnapshots } from "./lifecycle.js"
import * as Snapshots from "./snapshots.js"
import { makeStateCache } from "./stateCache.js"
import { makeRecorder } from "./usage.js"
import { makeUsageMethods } from "./usageMethods.js"

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

export const make = (options: ServiceAccountsOptions) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const random = Option.getOrElse(yield* Effect.serviceOption(SecureRandom), () => SecureRandom.live)
    const cache = makeStateCache(store, options.stateCacheCapacity ?? 10_000)
    // The newest snapshot of the read models, if the store holds one that reads back whole (ADR 0010).
    const restored = Option.getOrUndefined(yield* Snapshots.load(store))
    const retentionDays = options.usage?.retentionDays ?? UsageView.DEFAULT_RETENTION_DAYS
    const readModels = yield* makeReadModels(store, restored?.state, UsageView.projectionKeeping(retentionDays))
    // Uses are summed in memory and flushed to this process's usage streams (ADR 0011).
    const recorder = makeRecorder(store, uuidFromBytes(yield* random.bytes(16)), {
      flushInterval: Duration.decode(options.usage?.flushInterval ?? "5 seconds"),
      maxPending: options.usage?.maxPending ?? 10_000
    })
    const usageMethods = makeUsageMethods(store, readModels.current, recorder, retentionDays)
    const drain = makeDrain(options.drainTimeout ?? "10 seconds")
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

    const handle = makeCommandHandler({ store, cache, readModels, random, conflictRetry, storeRetry })

    /**
     * One command method: the caller decoded and authorised, then the command decoded (bad input is an
     * `InvalidInput` naming the field, and nothing is appended), executed, logged, in a span of its own.
     */
    const command = <C extends ServiceAccountCommand, O, E, RE, R>(spec: {
      readonly span: string
      readonly action: string
      readonly decode: (input: unknown) => Either.Either<C, InvalidInput>
      readonly decide: Decide<C, O, E>
      readonly repeat: Repeat<O, RE>
      readonly done: (caller: Caller, output: O) => R
      readonly log: string
      readonly annotations: (caller: Caller, output: O) => Record<string, unknown>
    }) => {
      // `quiet`: debug logs are filtered out (the minimum level, read once as the command starts; Effect's default
      // is info), so the log of the outcome is not even built.
      const run = (callerInput: unknown, input: unknown, quiet: boolean): Effect.Effect<R, E | RE | CommandError> => {
        const caller = admit(callerInput, spec.action)
        if (Either.isLeft(caller)) return Effect.fail(caller.left)
        const decoded = spec.decode(input)
        if (Either.isLeft(decoded)) return Effect.fail(decoded.left)
        const executed = handle(caller.right, decoded.right, spec.decide, spec.repeat)
        return quiet
          ? Effect.map(executed, (output) => spec.done(caller.right, output))
          : Effect.flatMap(executed, (output) =>
              Effect.as(
                // A routine outcome: debug, so a host's console shows only what needs attention (a lost subscription…).
                Effect.annotateLogs(Effect.logDebug(spec.log), spec.annotations(caller.right, output)),
                spec.done(caller.right, output)
              )
            )
      }
      return (callerInput: unknown, input: unknown): Effect.Effect<R, E | RE | CommandError> =>
        drain.tracked(
          Effect.withFiberRuntime<R, E | RE | CommandError>((fiber) => {
            const quiet = LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)
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
        )
    }

    const create: ServiceAccountsShape["create"] = command({
      span: "ServiceAccounts.create",
      action: "create service accounts",
      decode: decodeCreate,
      decide: Directory.create,
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
      decide: Directory.issueToken,
      repeat: repeatIssue,
      done: (_caller, issued): IssuedToken => issued,
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
        accounts: DirectoryView.accounts(directoryOf(caller)).map(usageMethods.withLastUse)
      }))

    const get: ServiceAccountsShape["get"] = (callerInput, serviceAccountIdInput) =>
      Effect.gen(function* () {
        const caller = yield* admitted(callerInput, "view service accounts")
        const { serviceAccountId } = yield* decodeAccountId({ serviceAccountId: serviceAccountIdInput })
        const account = DirectoryView.account(directoryOf(caller), serviceAccountId)
        if (Option.isNone(account) || account.value.status !== "active") {
          return yield* new ServiceAccountNotFound({ serviceAccountId })
        }
        return usageMethods.withLastUse(account.value)
      })

    // An organisation's audit trail is its stream: read from the store when asked for, not kept in memory.
    const auditTrail: ServiceAccountsShape["auditTrail"] = (callerInput) =>
      Effect.flatMap(admitted(callerInput, "read the audit trail"), (caller) =>
        store.readStream(directoryStream(caller.organization.id)).pipe(
          Stream.runFoldEffect(AuditTrail.projection.initialState, (state, recorded) => {
            const decoded = decode(recorded)
            return Either.isLeft(decoded)
              ? Effect.fail(decoded.left)
              : Effect.succeed(AuditTrail.projection.apply(state, decoded.right))
          }),
          Effect.map((state) => AuditTrail.entries(state, caller.organization.id))
        )
      )

    const freshness = yield* makeFreshness(store, freshnessOptions(options))
    const authenticate = makeAuthenticate(readModels.current, freshness.gate, (token) =>
      recorder.tally(token, Date.now())
    )

    // Follow the whole store (from the snapshot's position, when there is one), so writes of other processes reach
    // the read models too; the layer is ready once the history has been caught up with (or at once, when the host
    // chose to catch up in the background). From then on the read models' freshness is watched.
    const following = yield* followStore(store, readModels, freshness, {
      from: restored?.info.position,
      background: options.startup === "background"
    })
    yield* Effect.forkScoped(freshness.watch)
    if (options.snapshots !== undefined) {
      yield* Effect.forkScoped(writeSnapshots(store, readModels, following, options.snapshots))
    }
    yield* Effect.forkScoped(recorder.run)
    yield* Effect.forkScoped(usageMethods.prune)
    // Runs when the layer closes, after the commands in flight have finished (see below): what was summed is flushed.
    yield* Effect.addFinalizer(() => recorder.flush)
    // Added last, so it runs first when the layer closes: commands in flight finish before anything else stops.
    yield* Effect.addFinalizer(() => drain.close)

    const status: ServiceAccountsShape["freshness"] = Effect.suspend(() =>
      freshness.status(Array.from(HashMap.keys(readModels.current().quarantined)).sort())
    )

    const readiness: ServiceAccountsShape["readiness"] = Effect.sync(() => {
      const caughtUp = freshness.hasCaughtUp()
      return {
        ready: !freshness.gate.stale,
        caughtUp,
        stale: caughtUp && freshness.gate.stale,
        startedFrom: restored?.info,
        commandsInFlight: drain.inFlight(),
        usagePending: recorder.pending()
      }
    })

    const service: ServiceAccountsShape = {
      create,
      issueToken,
      revokeToken,
      delete: deleteAccount,
      list,
      get,
      auditTrail,
      authenticate,
      recordUsage: usageMethods.recordUsage,
      usage: (callerInput, query) =>
        Effect.flatMap(admitted(callerInput, "read usage"), (caller) => usageMethods.usage(caller, query)),
      unusedTokens: (callerInput, query) =>
        Effect.flatMap(admitted(callerInput, "read usage"), (caller) => usageMethods.unusedTokens(caller, query)),
      freshness: status,
      readiness,
      snapshot: snapshotNow(store, readModels, following),
      catchUp: catchUp(store, following.reach)
    }
    return service
  })
