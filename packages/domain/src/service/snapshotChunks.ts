/**
 * The format of a read-model snapshot's chunks (format 2, ADR 0015): what they hold, how a state becomes their stored
 * texts, and how their content becomes the read models again. `snapshots.ts` writes and reads the chunk events.
 *
 * - A chunk event's data is `{ chunk: <JSON text> }`: the text is what the marker's digest covers and what is parsed.
 * - The chunks hold the directory view's organisations, with the digest under which the token index holds each of
 *   their tokens (digests, never values); the index's tokens the directory cannot account for (none, in a history
 *   the service wrote); the usage view's tokens; and the last revision of every directory stream. The token index is
 *   rebuilt from the directory's tokens and those few: each token's organisation, account, scopes and revocation
 *   are stored once.
 * - A chunk holds at most 2,000 items, and its event's data at most 512 KiB: a chunk whose texts make it larger is
 *   split in two, as often as it takes.
 *
 * @internal
 */
import { Buffer } from "node:buffer"
import { Schema } from "effect"
import { decodeEither } from "../fast/compiled.js"
import * as Versioned from "../fast/versioned.js"
import { SecretHash } from "../model/Events.js"
import * as DirectoryView from "../readModels/DirectoryView.js"
import * as TokenIndex from "../readModels/TokenIndex.js"
import * as UsageView from "../readModels/UsageView.js"
import type { ReadModelsState } from "./liveReadModels.js"

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
export type SnapshotChunk = typeof SnapshotChunk.Type
/** A chunk event's data: the chunk's JSON text, parsed and decoded when read. */
const ChunkData = Schema.Struct({ chunk: Schema.String })
/** A chunk event's data as the store gives it: its text, or `Left` when it is not a chunk's. */
export const decodeChunkData = decodeEither(ChunkData)
/** A chunk's JSON text, as a chunk event holds it. */
export const SnapshotChunkText = Schema.parseJson(SnapshotChunk)
/** A chunk's text decoded: its content, or `Left` when it does not decode. */
export const decodeChunkText = decodeEither(SnapshotChunkText)
const encodeChunk = Schema.encodeSync(SnapshotChunk)

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

/** The stored texts of a state's chunks, in order, made in one synchronous step (see `chunksOf`). */
export const chunkTexts = (state: ReadModelsState): Array<string> => {
  const texts: Array<string> = []
  for (const chunk of chunksOf(state)) textsOf(chunk, texts)
  return texts
}

/** The read models rebuilt from chunks, given one at a time in order. */
export interface ChunkRestorer {
  /** Adds one chunk's content: `undefined`, or why the chunk cannot be used. */
  readonly add: (chunk: SnapshotChunk) => string | undefined
  readonly build: () => Pick<ReadModelsState, "directory" | "tokens" | "usage" | "revisions">
}

export const chunkRestorer = (): ChunkRestorer => {
  const view = DirectoryView.builder()
  const index = TokenIndex.builder()
  const usage = UsageView.builder()
  const revisions = new Map<string, bigint>()
  return {
    add: (chunk) => {
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
          return at === chunk.digests.length ? undefined : `it has ${chunk.digests.length} digests for ${at} tokens`
        }
        case "tokens":
          for (const token of chunk.items) index.add(token)
          return undefined
        case "usage":
          for (const token of chunk.items) usage.add(token)
          return undefined
        case "revisions":
          for (const [streamId, revision] of chunk.items) revisions.set(streamId, revision)
          return undefined
      }
    },
    build: () => ({
      directory: view.build(),
      tokens: index.build(),
      usage: usage.build(),
      revisions: Versioned.of(revisions)
    })
  }
}
