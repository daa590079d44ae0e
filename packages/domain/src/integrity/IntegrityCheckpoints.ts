/**
 * Signed integrity checkpoints: a checkpoint pins an organisation directory's digest at a revision with an Ed25519
 * signature, so that rewriting, truncating or replacing the history behind it is caught by anyone with the public
 * key (see `IntegrityVerification`).
 *
 * Checkpoints are events too: type `IntegrityCheckpoint`, in the stream `serviceAccountIntegrity-<organization id>`
 * next to the directory they cover, sealed into their own digest chain so a removed checkpoint shows. They are
 * written on demand (`checkpoint`, `checkpointAll`) and periodically by `layer`/`layerConfig`, which read the
 * private key from configuration as a redacted value. A stream whose chain does not verify is never signed.
 *
 * @example
 * ```ts
 * import { generateKeyPairSync } from "node:crypto"
 * import { IntegrityCheckpoints, ServiceAccounts } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { Effect, Layer } from "effect"
 *
 * // Sign every directory of the store now: each chain is verified first, and a broken one is reported, not signed.
 * const { privateKey } = generateKeyPairSync("ed25519")
 * const signNow = IntegrityCheckpoints.checkpointAll(privateKey).pipe(
 *   Effect.map((run) => `${run.written.length} signed, ${run.upToDate} up to date, ${run.failed.length} not signed`)
 * )
 *
 * // Or every hour, next to the service, with the PEM key from SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY.
 * const live = Layer.merge(ServiceAccounts.layer, IntegrityCheckpoints.layerConfig()).pipe(Layer.provide(memoryStore))
 * ```
 *
 * @since 0.1.0
 */
import { createHash, type KeyObject } from "node:crypto"
import { Clock, Config, type ConfigError, Context, DateTime, Duration, Effect, Either, Layer, Option } from "effect"
import { ParseResult, type Redacted, Schedule, Schema, Stream } from "effect"
import { EventStore, type ExpectedRevision, type RecordedEvent } from "../store/EventStore.js"
import type { AppendError, ReadError } from "../model/Errors.js"
import { uuidFromBytes } from "../model/Ids.js"
import * as Integrity from "./Integrity.js"
import { type InvalidSigningKey, signingKey } from "./keys.js"
import { DIRECTORY_CATEGORY, isDirectoryStream } from "../store/StoredEvent.js"

export { InvalidSigningKey, InvalidVerificationKey, signingKey, verificationKey } from "./keys.js"

/**
 * The stream category of integrity checkpoints.
 *
 * @since 0.1.0
 * @category constants
 */
export const INTEGRITY_CATEGORY = "serviceAccountIntegrity"

/**
 * The event type of a checkpoint.
 *
 * @since 0.1.0
 * @category constants
 */
export const CHECKPOINT_EVENT_TYPE = "IntegrityCheckpoint"

/**
 * The checkpoint stream of a directory stream: `serviceAccountDirectory-acme` → `serviceAccountIntegrity-acme`.
 *
 * @since 0.1.0
 * @category streams
 */
export const integrityStreamOf = (directoryStreamId: string): string =>
  `${INTEGRITY_CATEGORY}-${directoryStreamId.slice(DIRECTORY_CATEGORY.length + 1)}`

// Made once: a reader of a history asks this of every event.
const INTEGRITY_PREFIX = `${INTEGRITY_CATEGORY}-`

/**
 * Whether a stream holds integrity checkpoints.
 *
 * @since 0.1.0
 * @category streams
 */
export const isIntegrityStream = (streamId: string): boolean => streamId.startsWith(INTEGRITY_PREFIX)

/**
 * A checkpoint event's data: `Integrity.Checkpoint`.
 *
 * @since 0.1.0
 * @category schemas
 */
export const CheckpointData = Schema.Struct({
  streamId: Schema.String.pipe(
    Schema.filter(isDirectoryStream, { message: () => "must name a service-account directory stream" })
  ),
  revision: Schema.String.pipe(Schema.pattern(/^(0|[1-9][0-9]{0,19})$/, { message: () => "must be decimal digits" })),
  digest: Schema.String.pipe(Schema.pattern(/^[0-9a-f]{64}$/, { message: () => "must be a SHA-256 digest in hex" })),
  createdAt: Schema.String.pipe(Schema.pattern(/^\d{4}-\d{2}-\d{2}T[0-9:.]+Z$/, { message: () => "must be ISO-8601" })),
  signature: Schema.String.pipe(Schema.pattern(/^[A-Za-z0-9+/]+=*$/, { message: () => "must be base64" }))
})

const decodeData = Schema.decodeUnknownEither(CheckpointData, { onExcessProperty: "error" })

/**
 * Reads a checkpoint event (its signature is not checked here). The left side says what is wrong.
 *
 * @since 0.1.0
 * @category decoding
 */
export const decodeCheckpoint = (recorded: RecordedEvent): Either.Either<Integrity.Checkpoint, string> => {
  if (recorded.type !== CHECKPOINT_EVENT_TYPE) {
    return Either.left(`an integrity stream holds an event of type ${recorded.type}, not ${CHECKPOINT_EVENT_TYPE}`)
  }
  return Either.mapLeft(decodeData(recorded.data), (error) => ParseResult.TreeFormatter.formatErrorSync(error))
}

/**
 * A directory's chain does not verify, so it was not signed: signing it would vouch for a tampered history.
 *
 * @since 0.1.0
 * @category errors
 */
export class IntegrityBroken extends Schema.TaggedError<IntegrityBroken>()("IntegrityBroken", {
  streamId: Schema.String,
  findings: Schema.Array(Schema.String)
}) {
  override get message(): string {
    return `${this.streamId} does not verify, so no checkpoint was written: ${this.findings.join("; ")}`
  }
}

/** What one pass learned of the last checkpoint of a directory and of its checkpoint stream. */
interface Tip {
  readonly lastRevision: bigint
  readonly lastDigest: string
  readonly checkpointed: bigint
}

const emptyTip: Tip = { lastRevision: -1n, lastDigest: Integrity.GENESIS, checkpointed: -1n }

const tipOf = (tip: Tip, event: RecordedEvent): Tip => {
  const record = Integrity.recordOf(event.metadata)
  const checkpoint = decodeCheckpoint(event)
  return {
    lastRevision: event.revision,
    lastDigest: record?.digest ?? Integrity.GENESIS,
    checkpointed: Either.isRight(checkpoint) ? BigInt(checkpoint.right.revision) : tip.checkpointed
  }
}

const MAX_REPORTED = 20

const describeFinding = (finding: Integrity.Finding) => `${finding.kind} at revision ${finding.revision}`

/** Signs `directory` at `revision`/`digest` and appends the checkpoint after `tip` of its checkpoint stream. */
const writeCheckpoint = (key: KeyObject, directory: string, revision: bigint, digest: string, tip: Tip) =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const createdAt = DateTime.formatIso(DateTime.unsafeMake(yield* Clock.currentTimeMillis))
    const checkpoint = Integrity.signCheckpoint(key, {
      streamId: directory,
      revision: String(revision),
      digest,
      createdAt
    })
    const stream = integrityStreamOf(directory)
    const eventId = uuidFromBytes(createHash("sha256").update(`${directory}\u0000${revision}`).digest())
    const { events } = Integrity.seal(stream, tip.lastRevision + 1n, tip.lastDigest, [
      { eventId, type: CHECKPOINT_EVENT_TYPE, data: { ...checkpoint }, metadata: {} }
    ])
    const expected: ExpectedRevision = tip.lastRevision < 0n ? "no_stream" : tip.lastRevision
    yield* store.append(stream, events, expected)
    return checkpoint
  })

/**
 * Verifies one directory's whole chain and, when it holds events that no checkpoint covers yet, signs its last
 * revision and appends the checkpoint. `None` when there was nothing new to sign.
 *
 * @since 0.1.0
 * @category checkpoints
 */
export const checkpoint = (
  key: KeyObject,
  directoryStreamId: string
): Effect.Effect<Option.Option<Integrity.Checkpoint>, IntegrityBroken | ReadError | AppendError, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const verifier = new Integrity.ChainVerifier(directoryStreamId)
    const findings = yield* Stream.runFold(store.readStream(directoryStreamId), [] as Array<string>, (acc, event) => {
      for (const finding of verifier.next(event)) if (acc.length < MAX_REPORTED) acc.push(describeFinding(finding))
      return acc
    })
    if (findings.length > 0) return yield* new IntegrityBroken({ streamId: directoryStreamId, findings })
    if (verifier.lastRevision < 0n) return Option.none()
    const tip = yield* Stream.runFold(
      store.readStream(integrityStreamOf(directoryStreamId), { direction: "backwards", maxCount: 1 }),
      emptyTip,
      tipOf
    )
    if (tip.checkpointed >= verifier.lastRevision) return Option.none()
    return Option.some(yield* writeCheckpoint(key, directoryStreamId, verifier.lastRevision, verifier.lastDigest, tip))
  })

/**
 * What one `checkpointAll` did.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckpointRun {
  readonly written: ReadonlyArray<Integrity.Checkpoint>
  /** Directories whose last revision was already checkpointed. */
  readonly upToDate: number
  /** Directories not signed, because their chain does not verify or the append failed. */
  readonly failed: ReadonlyArray<IntegrityBroken | AppendError>
}

/**
 * Checkpoints every directory of the store in one pass over it: verifies each directory's chain and signs those
 * with events that no checkpoint covers yet. A directory that does not verify is reported, not signed.
 *
 * @since 0.1.0
 * @category checkpoints
 */
export const checkpointAll = (key: KeyObject): Effect.Effect<CheckpointRun, ReadError, EventStore> =>
  Effect.gen(function* () {
    const store = yield* EventStore
    const directories = new Map<string, { readonly verifier: Integrity.ChainVerifier; findings: Array<string> }>()
    const tips = new Map<string, Tip>()
    yield* Stream.runForEach(store.readAll(), (event) =>
      Effect.sync(() => {
        if (isDirectoryStream(event.streamId)) {
          let entry = directories.get(event.streamId)
          if (entry === undefined) {
            entry = { verifier: new Integrity.ChainVerifier(event.streamId), findings: [] }
            directories.set(event.streamId, entry)
          }
          for (const finding of entry.verifier.next(event)) {
            if (entry.findings.length < MAX_REPORTED) entry.findings.push(describeFinding(finding))
          }
        } else if (isIntegrityStream(event.streamId)) {
          tips.set(event.streamId, tipOf(tips.get(event.streamId) ?? emptyTip, event))
        }
      })
    )
    const written: Array<Integrity.Checkpoint> = []
    const failed: Array<IntegrityBroken | AppendError> = []
    let upToDate = 0
    for (const [streamId, { verifier, findings }] of directories) {
      if (findings.length > 0) {
        failed.push(new IntegrityBroken({ streamId, findings }))
        continue
      }
      const tip = tips.get(integrityStreamOf(streamId)) ?? emptyTip
      if (tip.checkpointed >= verifier.lastRevision) {
        upToDate++
        continue
      }
      const result = yield* Effect.either(
        writeCheckpoint(key, streamId, verifier.lastRevision, verifier.lastDigest, tip)
      )
      if (Either.isRight(result)) written.push(result.right)
      else failed.push(result.left)
    }
    return { written, upToDate, failed }
  })

/**
 * The checkpoint writer as a service.
 *
 * @since 0.1.0
 * @category models
 */
export interface IntegrityCheckpointerShape {
  /** Checkpoints one organisation's directory now (`None`: nothing new to sign). */
  readonly checkpoint: (
    directoryStreamId: string
  ) => Effect.Effect<Option.Option<Integrity.Checkpoint>, IntegrityBroken | ReadError | AppendError>
  /** Checkpoints every directory now. */
  readonly checkpointAll: Effect.Effect<CheckpointRun, ReadError>
}

/**
 * @since 0.1.0
 * @category tags
 */
export class IntegrityCheckpointer extends Context.Tag("@service-accounts/domain/IntegrityCheckpointer")<
  IntegrityCheckpointer,
  IntegrityCheckpointerShape
>() {}

/**
 * Options of the periodic checkpointer.
 *
 * @since 0.1.0
 * @category models
 */
export interface CheckpointerOptions {
  readonly privateKey: Redacted.Redacted<string> | KeyObject
  /** When to run `checkpointAll`: once when the layer starts, then on this schedule. Default: every hour. */
  readonly schedule?: Schedule.Schedule<unknown>
}

const runPeriodically = (service: IntegrityCheckpointerShape) =>
  service.checkpointAll.pipe(
    Effect.tap((run) =>
      Effect.forEach(run.failed, (error) =>
        Effect.logError("an integrity checkpoint was not written").pipe(Effect.annotateLogs("reason", error.message))
      )
    ),
    Effect.catchAllCause((cause) => Effect.logError("integrity checkpointing failed", cause))
  )

/**
 * Provides `IntegrityCheckpointer` and runs `checkpointAll` once at start, then on the schedule, in a fiber that
 * ends with the layer's scope. A failed run is logged and the next one happens as planned.
 *
 * @since 0.1.0
 * @category layers
 */
export const layer = (
  options: CheckpointerOptions
): Layer.Layer<IntegrityCheckpointer, InvalidSigningKey, EventStore> =>
  Layer.scoped(
    IntegrityCheckpointer,
    Effect.gen(function* () {
      const key = yield* signingKey(options.privateKey)
      const context = yield* Effect.context<EventStore>()
      const service: IntegrityCheckpointerShape = {
        checkpoint: (directoryStreamId) => Effect.provide(checkpoint(key, directoryStreamId), context),
        checkpointAll: Effect.provide(checkpointAll(key), context)
      }
      yield* Effect.forkScoped(Effect.repeat(runPeriodically(service), options.schedule ?? Schedule.spaced("1 hour")))
      return service
    })
  )

/**
 * Like `layer`, from configuration: the PEM private key from `SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY` (redacted,
 * so it never shows in logs) and the interval from `SERVICE_ACCOUNTS_INTEGRITY_INTERVAL` (default `1 hour`).
 *
 * @since 0.1.0
 * @category layers
 */
export const layerConfig = (
  config: {
    readonly privateKey?: Config.Config<Redacted.Redacted<string>>
    readonly interval?: Config.Config<Duration.Duration>
  } = {}
): Layer.Layer<IntegrityCheckpointer, ConfigError.ConfigError | InvalidSigningKey, EventStore> =>
  Layer.unwrapEffect(
    Effect.gen(function* () {
      const privateKey = yield* config.privateKey ?? Config.redacted("SERVICE_ACCOUNTS_INTEGRITY_PRIVATE_KEY")
      const interval = yield* config.interval ??
        Config.duration("SERVICE_ACCOUNTS_INTEGRITY_INTERVAL").pipe(Config.withDefault(Duration.hours(1)))
      return layer({ privateKey, schedule: Schedule.spaced(interval) })
    })
  )
