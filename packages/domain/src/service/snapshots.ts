/**
 * Snapshots of the service's read models, kept in the event store itself (ADR 0010), so that a process starts from
 * the latest one plus the events after it instead of the whole history.
 *
 * - A snapshot is one stream of its own, `serviceAccountSnapshot-<uuid>`, of chunk events (`$`-typed, so readers
 *   of the whole store treat them as system events and EventStoreDB's subscriptions never send them), each small
 *   enough for any store's append. A chunk event's data is `{ chunk: <JSON text> }`: the text is what the digest
 *   covers and what is parsed, so no chunk is serialised again to be checked (ADR 0015).
 * - The chunks hold the directory view's organisations, with the digest under which the token index holds each of
 *   their tokens (digests, never values); the index's tokens the directory cannot account for (none, in a history
 *   the service wrote); the usage view's tokens; and the last revision of every directory stream. The token index is
 *   rebuilt from the directory's tokens and those few: each token's organisation, account, scopes and revocation
 *   are stored once.
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
import { Buffer } from "node:buffer"
import { createHash } from "node:crypto"
import { Chunk, Effect, Either, HashMap, Option, Schema, Stream } from "effect"
import { decodeEither } from "../fast/compiled.js"
import * as Versioned from "../fast/versioned.js"
import { type AppendError, CorruptStoredEvent } from "../model/Errors.js"
import { SecretHash } from "../model/Events.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import * as UsageView from "../readModels/UsageView.js"
import type { EventStoreShape, Json, ProposedEvent } from "../store/EventStore.js"
import type { ReadModelsState } from "./liveReadModels.js"
import type { SnapshotInfo } from "./ServiceAccountsShape.js"

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
/** Items of a chunk at most (tokens, for the directory's chunks): about 250 bytes each with the usual texts. */
const TOKENS_PER_CHUNK = 2000
/**
 * The most bytes of a chunk event's data (its text, quoted): half of EventStoreDB's default largest append (1 MiB).
 * A chunk whose texts (names, user ids) make it larger is split in two, as often as it takes.
 */
const MAX_CHUNK_BYTES = 512 * 1024

const Revision = Schema.BigInt

/**
 * One chunk's content. A directory chunk's `digests` has one entry per token of its `items`, in their order (by
 * organisation, account, token): the digest the token index holds the token under, or `null` when the index does
 * not hold it with the same organisation, account, scopes and revocation (its entry, if any, is then among the
 * `tokens` chunks, whole).
 */
export const SnapshotChunk = Schema.Union(
  Schema.Struct({
    kind: Schema.Literal("directory"),
    items: Schema.Array(DirectoryView.OrganizationJsonSchema),
    digests: Schema.Array(Schema.NullOr(SecretHash))
  }),
  Schema.Struct({ kind: Schema.Literal("tokens"), items: Schema.Array(TokenIndex.TokenJsonSchema) }),
  Schema.Struct({ kind: Schema.Literal("revisions"), items: Schema.Array(Schema.Tuple(Schema.String, Revision)) }),
  Schema.Struct({ kind: Schema.Literal("usage"), items: Schema.Array(UsageView.TokenUsageJsonSchema) })
)
type SnapshotChunk = typeof SnapshotChunk.Type
/** A chunk event's data: the chunk's JSON text, parsed and decoded when read. */
const ChunkData = Schema.Struct({ chunk: Schema.String })
const decodeChunkData = decodeEither(ChunkData)
/** A chunk's JSON text, as a chunk event holds it. */
export const SnapshotChunkText = Schema.parseJson(SnapshotChunk)
const decodeChunk = decodeEither(SnapshotChunkText)
const encodeChunk = Schema.encodeSync(SnapshotChunk)

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

/** How many tokens a directory chunk's items hold (one digest each). */
const tokensIn = (items: ReadonlyArray<DirectoryView.OrganizationJson>): number => {
  let count = 0
  for (const [, accounts] of items) for (const account of accounts) count += account[7].length
  return count
}

/** A list in two halves, or `undefined` when it has fewer than two items. */
const inTwo = <A>(items: ReadonlyArray<A>): readonly [ReadonlyArray<A>, ReadonlyArray<A>] | undefined => {
  if (items.length < 2) return undefined
  const middle = Math.ceil(items.length / 2)
  return [items.slice(0, middle), items.slice(middle)]
}

/** Two halves of a chunk, in order, or `undefined` when it is one item (one token, for the directory's) already. */
const halve = (chunk: SnapshotChunk): readonly [SnapshotChunk, SnapshotChunk] | undefined => {
  switch (chunk.kind) {
    case "tokens": {
      const halves = inTwo(chunk.items)
      return (
        halves && [
          { kind: "tokens", items: halves[0] },
          { kind: "tokens", items: halves[1] }
        ]
      )
    }
    case "usage": {
      const halves = inTwo(chunk.items)
      return (
        halves && [
          { kind: "usage", items: halves[0] },
          { kind: "usage", items: halves[1] }
        ]
      )
    }
    case "revisions": {
      const halves = inTwo(chunk.items)
      return (
        halves && [
          { kind: "revisions", items: halves[0] },
          { kind: "revisions", items: halves[1] }
        ]
      )
    }
    case "directory":
      return halveDirectory(chunk.items, chunk.digests)
  }
}

/** A directory chunk's halves: by its entries, else by its one entry's accounts, else by its one account's tokens. */
const halveDirectory = (
  items: ReadonlyArray<DirectoryView.OrganizationJson>,
  digests: ReadonlyArray<SecretHash | null>
): readonly [SnapshotChunk, SnapshotChunk] | undefined => {
  if (items.length > 1) {
    const middle = Math.ceil(items.length / 2)
    const first = items.slice(0, middle)
    const split = tokensIn(first)
    return [
      { kind: "directory", items: first, digests: digests.slice(0, split) },
      { kind: "directory", items: items.slice(middle), digests: digests.slice(split) }
    ]
  }
  // The builder joins an account's parts (an account split over entries is one record), so any split reads back.
  const [only] = items
  if (only === undefined) return undefined
  const [organizationId, accounts] = only
  if (accounts.length > 1) {
    const middle = Math.ceil(accounts.length / 2)
    const first = accounts.slice(0, middle)
    const split = tokensIn([[organizationId, first]])
    return [
      { kind: "directory", items: [[organizationId, first]], digests: digests.slice(0, split) },
      { kind: "directory", items: [[organizationId, accounts.slice(middle)]], digests: digests.slice(split) }
    ]
  }
  const [account] = accounts
  if (account === undefined || account[7].length < 2) return undefined
  const [id, name, description, createdAt, createdBy, deletedAt, deletedBy, tokens] = account
  const middle = Math.ceil(tokens.length / 2)
  const part = (from: number, to: number): DirectoryView.OrganizationJson => [
    organizationId,
    [[id, name, description, createdAt, createdBy, deletedAt, deletedBy, tokens.slice(from, to)]]
  ]
  return [
    { kind: "directory", items: [part(0, middle)], digests: digests.slice(0, middle) },
    { kind: "directory", items: [part(middle, tokens.length)], digests: digests.slice(middle) }
  ]
}

/** The bytes of a chunk event's data holding `text`. */
const storedBytes = (text: string): number => Buffer.byteLength(JSON.stringify({ chunk: text }))

/**
 * The stored texts of a chunk, each within `MAX_CHUNK_BYTES` once quoted: the chunk's JSON, or that of its halves.
 * One item larger than that on its own (no text of the model is that long) is written as it is.
 */
const textsOf = (chunk: SnapshotChunk, out: Array<string>): void => {
  const text = JSON.stringify(encodeChunk(chunk))
  const halves = storedBytes(text) > MAX_CHUNK_BYTES ? halve(chunk) : undefined
  if (halves === undefined) {
    out.push(text)
    return
  }
  textsOf(halves[0], out)
  textsOf(halves[1], out)
}

/** The index's entry of a token, as `TokenIndex.toJson` gives it, keyed by token id. */
type IndexRows = Map<string, TokenIndex.TokenJson>

const sameScopes = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): boolean =>
  a.length === b.length && a.every((scope, i) => scope === b[i])

/**
 * The digest of a directory token, if the index holds that token with the same organisation, account, scopes and
 * revocation — what restoring it from the directory's fields gives back — and takes it out of `rows`; else `null`.
 */
const coveredDigest = (
  rows: IndexRows,
  organizationId: string,
  serviceAccountId: string,
  token: DirectoryView.OrganizationJson[1][number][7][number]
): SecretHash | null => {
  const [tokenId, , , scopes, , , , , reason] = token
  const row = rows.get(tokenId)
  if (
    row === undefined ||
    row[1] !== organizationId ||
    row[2] !== serviceAccountId ||
    !sameScopes(row[4], scopes) ||
    row[5] !== reason
  ) {
    return null
  }
  rows.delete(tokenId)
  return row[0]
}

/** The chunks of a state, made in one synchronous step (the state must not be read again later: see `write`). */
const chunksOf = (state: ReadModelsState): Array<SnapshotChunk> => {
  const chunks: Array<SnapshotChunk> = []
  // Every token of the index; those the directory accounts for are taken out as the directory is written.
  const rows: IndexRows = new Map(TokenIndex.toJson(state.tokens).map((row) => [row[3], row] as const))
  // Organisations, split (by account, then by token) so that no chunk holds more than TOKENS_PER_CHUNK tokens.
  let current: Array<DirectoryView.OrganizationJson> = []
  let digests: Array<SecretHash | null> = []
  let weight = 0
  const flush = () => {
    if (current.length > 0) chunks.push({ kind: "directory", items: current, digests })
    current = []
    digests = []
    weight = 0
  }
  for (const [organizationId, accounts] of DirectoryView.toJson(state.directory)) {
    for (const account of accounts) {
      const tokens = account[7]
      for (let from = 0; from === 0 || from < tokens.length; from += TOKENS_PER_CHUNK) {
        const part = tokens.slice(from, from + TOKENS_PER_CHUNK)
        if (weight + part.length + 1 > TOKENS_PER_CHUNK) flush()
        const [id, name, description, createdAt, createdBy, deletedAt, deletedBy] = account
        current.push([organizationId, [[id, name, description, createdAt, createdBy, deletedAt, deletedBy, part]]])
        for (const token of part) digests.push(coveredDigest(rows, organizationId, id, token))
        weight += part.length + 1
      }
    }
  }
  flush()
  // The index's tokens the directory does not account for, whole, in the index's order.
  const tokens = Array.from(rows.values())
  for (let from = 0; from < tokens.length; from += TOKENS_PER_CHUNK) {
    chunks.push({ kind: "tokens", items: tokens.slice(from, from + TOKENS_PER_CHUNK) })
  }
  const usage = UsageView.toJson(state.usage)
  for (let from = 0; from < usage.length; from += TOKENS_PER_CHUNK) {
    chunks.push({ kind: "usage", items: usage.slice(from, from + TOKENS_PER_CHUNK) })
  }
  const revisions = Array.from(
    Versioned.read(state.revisions) ?? [],
    ([streamId, revision]) => [streamId, revision] as const
  )
  for (let from = 0; from < revisions.length; from += TOKENS_PER_CHUNK) {
    chunks.push({ kind: "revisions", items: revisions.slice(from, from + TOKENS_PER_CHUNK) })
  }
  return chunks
}

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
    const chunks: Array<string> = []
    for (const chunk of chunksOf(state)) textsOf(chunk, chunks)
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
    const view = DirectoryView.builder()
    const index = TokenIndex.builder()
    const usage = UsageView.builder()
    const revisions = new Map<string, bigint>()
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
          const decoded = decodeChunk(text)
          if (Either.isLeft(decoded)) return Effect.fail(new Rejected(`chunk ${chunks} does not decode`))
          chunks++
          const chunk = decoded.right
          switch (chunk.kind) {
            case "directory": {
              let at = 0
              for (const organization of chunk.items) {
                view.add(organization)
                const [organizationId, accounts] = organization
                for (const [serviceAccountId, , , , , , , tokens] of accounts) {
                  for (const [tokenId, , , scopes, , , , , reason] of tokens) {
                    const digest = chunk.digests[at++]
                    if (digest !== undefined && digest !== null) {
                      index.add([digest, organizationId, serviceAccountId, tokenId, scopes, reason])
                    }
                  }
                }
              }
              if (at !== chunk.digests.length) {
                const counts = `${chunk.digests.length} digests for ${at} tokens`
                return Effect.fail(new Rejected(`chunk ${chunks - 1} has ${counts}`))
              }
              break
            }
            case "tokens":
              for (const token of chunk.items) index.add(token)
              break
            case "usage":
              for (const token of chunk.items) usage.add(token)
              break
            case "revisions":
              for (const [streamId, revision] of chunk.items) revisions.set(streamId, revision)
              break
          }
          return Effect.void
        })
      ),
      Effect.mapError((error) => (error instanceof Rejected ? error : new Rejected(error.message))),
      Effect.flatMap(() => {
        if (chunks !== marker.chunks)
          return Effect.fail(new Rejected(`it has ${chunks} of its ${marker.chunks} chunks`))
        if (hash.digest("hex") !== marker.digest) return Effect.fail(new Rejected("its digest does not match"))
        const state: ReadModelsState = {
          directory: view.build(),
          tokens: index.build(),
          usage: usage.build(),
          revisions: Versioned.of(revisions),
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
