/**
 * Snapshots of the service's read models, kept in the event store itself (ADR 0010), so that a process starts from
 * the latest one plus the events after it instead of the whole history.
 *
 * - A snapshot is one stream of its own, `serviceAccountSnapshot-<uuid>`, of chunk events (`$`-typed, so readers
 *   of the whole store treat them as system events and EventStoreDB's subscriptions never send them), each small
 *   enough for any store's append. A chunk event's data is `{ chunk: <JSON text> }`: the text is what the digest
 *   covers and what is parsed, so no chunk is serialised again to be checked (ADR 0015).
 * - What the chunks hold, and how a state becomes their texts and back: `snapshotChunks.ts`.
 * - A marker in `serviceAccountSnapshots` names the snapshot's stream, its version, how many chunks it has, the
 *   SHA-256 of their texts, the position it covers and the quarantined streams. It is written after the chunks,
 *   so a snapshot whose writer died half-way has no marker and is never read.
 * - Loading reads the newest markers first; a snapshot of another version, with missing chunks, a digest that does
 *   not match or a chunk that does not decode is skipped (logged) for the one before it, and without one the process
 *   replays the history.
 * - Writing retires the snapshots older than the two newest: their streams are tombstoned.
 *
 * @internal
 */
import { createHash } from "node:crypto"
import { Chunk, Effect, Either, HashMap, Option, Schema, Stream } from "effect"
import { type AppendError, CorruptStoredEvent } from "../model/Errors.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import type { EventStoreShape, Json, ProposedEvent } from "../store/EventStore.js"
import type { ReadModelsState } from "./liveReadModels.js"
import type { SnapshotInfo } from "./ServiceAccountsShape.js"
import { chunkRestorer, chunkTexts, decodeChunkData, decodeChunkText } from "./snapshotChunks.js"

/** The stream of the markers. */
export const SNAPSHOT_INDEX = "serviceAccountSnapshots"
const STREAM_PREFIX = "serviceAccountSnapshot-"
const CHUNK_TYPE = "$serviceAccountSnapshotChunk"
const MARKER_TYPE = "$serviceAccountSnapshot"
/**
 * Bump when the format or the read models' meaning changes: snapshots of another version are not read. Version 1
 * held every token twice (in the directory view and in the token index), and its digest covered each chunk's data
 * serialised again; version 2 holds each token once and its digest covers the stored text (ADR 0015).
 */
export const SNAPSHOT_VERSION = 2
/** Snapshots kept; older ones are retired when a new one is written. */
const KEEP = 2
/** How many markers loading tries, newest first, before it replays the history instead. */
const TRIES = 3

const Revision = Schema.BigInt

const Marker = Schema.Struct({
  version: Schema.Number,
  stream: Schema.String,
  chunks: Schema.Number,
  digest: Schema.String,
  position: Revision,
  createdAt: Schema.String,
  organizations: Schema.Number,
  tokens: Schema.Number,
  quarantined: Schema.Array(Schema.Struct({ streamId: Schema.String, revision: Revision, reason: Schema.String }))
})
const decodeMarker = Schema.decodeUnknownEither(Marker)

const infoOf = (marker: typeof Marker.Type): SnapshotInfo => ({
  position: marker.position,
  createdAt: new Date(marker.createdAt),
  organizations: marker.organizations,
  tokens: marker.tokens,
  chunks: marker.chunks
})

const event = (type: string, data: Json): ProposedEvent => ({
  eventId: crypto.randomUUID(),
  type,
  data,
  metadata: { schemaVersion: SNAPSHOT_VERSION }
})

/**
 * Writes a snapshot of `state`, which holds every event up to `position`, and retires the old ones. The state is
 * read at once, before anything is written: reading it later, while the read models move on, would be costly.
 */
export const write = (
  store: EventStoreShape,
  state: ReadModelsState,
  position: bigint,
  now: Date
): Effect.Effect<SnapshotInfo, AppendError> =>
  Effect.suspend(() => {
    const chunks = chunkTexts(state)
    const hash = createHash("sha256")
    for (const chunk of chunks) hash.update(chunk).update("\n")
    const stream = `${STREAM_PREFIX}${crypto.randomUUID()}`
    const marker: typeof Marker.Encoded = {
      version: SNAPSHOT_VERSION,
      stream,
      chunks: chunks.length,
      digest: hash.digest("hex"),
      position: String(position),
      createdAt: now.toISOString(),
      organizations: DirectoryView.size(state.directory),
      tokens: TokenIndex.size(state.tokens),
      quarantined: Array.from(HashMap.toEntries(state.quarantined), ([streamId, error]) => ({
        streamId,
        revision: String(error.revision),
        reason: error.reason
      }))
    }
    return Effect.forEach(
      chunks,
      (chunk, i) => store.append(stream, [event(CHUNK_TYPE, { chunk })], i === 0 ? "no_stream" : BigInt(i - 1)),
      { discard: true }
    ).pipe(
      Effect.zipRight(store.append(SNAPSHOT_INDEX, [event(MARKER_TYPE, marker)], "any")),
      Effect.tap(() => retire(store)),
      Effect.as(infoOf(Schema.decodeSync(Marker)(marker)))
    )
  })

/** The newest markers, newest first (malformed ones skipped). */
const markers = (store: EventStoreShape, count: number) =>
  store.readStream(SNAPSHOT_INDEX, { direction: "backwards", maxCount: count }).pipe(
    Stream.filterMap((recorded) =>
      recorded.type === MARKER_TYPE ? Either.getRight(decodeMarker(recorded.data)) : Option.none()
    ),
    Stream.runCollect
  )

/** Tombstones the streams of the snapshots older than the `KEEP` newest; a failure here only leaves them be. */
const retire = (store: EventStoreShape) =>
  markers(store, KEEP + 8).pipe(
    Effect.flatMap((found) =>
      Effect.forEach(Array.from(found).slice(KEEP), (marker) => Effect.ignore(store.tombstone(marker.stream, "any")), {
        discard: true
      })
    ),
    Effect.catchAll((error) =>
      Effect.logWarning("old read-model snapshots could not be retired").pipe(
        Effect.annotateLogs({ error: error.message })
      )
    )
  )

/** The newest snapshot, if there is one (for a writer deciding whether another is due). */
export const latest = (store: EventStoreShape) =>
  Effect.map(markers(store, 1), (found) => Option.map(Chunk.head(found), infoOf))

/** A snapshot read back: the read models' state, and what it covers. */
export interface Restored {
  readonly state: ReadModelsState
  readonly info: SnapshotInfo
}

class Rejected {
  constructor(readonly reason: string) {}
}

/** Reads one snapshot, checking everything its marker promises, chunk by chunk. */
const read = (store: EventStoreShape, marker: typeof Marker.Type) =>
  Effect.suspend(() => {
    if (marker.version !== SNAPSHOT_VERSION) return Effect.fail(new Rejected(`it is of version ${marker.version}`))
    const hash = createHash("sha256")
    const restorer = chunkRestorer()
    let chunks = 0
    return store.readStream(marker.stream).pipe(
      Stream.runForEach((recorded) =>
        Effect.suspend(() => {
          if (recorded.type !== CHUNK_TYPE)
            return Effect.fail(new Rejected(`it holds an event of type ${recorded.type}`))
          const data = decodeChunkData(recorded.data)
          if (Either.isLeft(data)) return Effect.fail(new Rejected(`chunk ${chunks} is not a chunk's text`))
          const text = data.right.chunk
          hash.update(text).update("\n")
          const decoded = decodeChunkText(text)
          if (Either.isLeft(decoded)) return Effect.fail(new Rejected(`chunk ${chunks} does not decode`))
          const refused = restorer.add(decoded.right)
          if (refused !== undefined) return Effect.fail(new Rejected(`chunk ${chunks}: ${refused}`))
          chunks++
          return Effect.void
        })
      ),
      Effect.mapError((error) => (error instanceof Rejected ? error : new Rejected(error.message))),
      Effect.flatMap(() => {
        if (chunks !== marker.chunks)
          return Effect.fail(new Rejected(`it has ${chunks} of its ${marker.chunks} chunks`))
        if (hash.digest("hex") !== marker.digest) return Effect.fail(new Rejected("its digest does not match"))
        const state: ReadModelsState = {
          ...restorer.build(),
          quarantined: HashMap.fromIterable(
            marker.quarantined.map(
              ({ streamId, revision, reason }) =>
                [streamId, new CorruptStoredEvent({ streamId, revision, reason })] as const
            )
          )
        }
        return Effect.succeed<Restored>({ state, info: infoOf(marker) })
      })
    )
  })

/**
 * The newest snapshot that reads back whole, if any. Nothing here fails: a snapshot that cannot be used is logged
 * and passed over, and without one the caller replays the history.
 */
export const load = (store: EventStoreShape): Effect.Effect<Option.Option<Restored>> =>
  markers(store, TRIES).pipe(
    Effect.flatMap((found) =>
      Effect.reduce(found, Option.none<Restored>(), (done, marker) =>
        Option.isSome(done)
          ? Effect.succeed(done)
          : read(store, marker).pipe(
              Effect.map(Option.some),
              Effect.catchAll((rejected) =>
                Effect.as(
                  Effect.logWarning("a read-model snapshot is not used; trying an older one or the history").pipe(
                    Effect.annotateLogs({ stream: marker.stream, reason: rejected.reason })
                  ),
                  Option.none<Restored>()
                )
              )
            )
      )
    ),
    Effect.catchAll((error) =>
      Effect.as(
        Effect.logWarning("the read-model snapshots could not be read; replaying the history").pipe(
          Effect.annotateLogs({ error: error.message })
        ),
        Option.none<Restored>()
      )
    )
  )
