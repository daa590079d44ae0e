/**
 * The multi-process test's view of the store once the processes have stopped: the whole history, the read models
 * rebuilt from it, and a process's read models as its snapshot wrote them out — each reduced to plain, sorted JSON
 * so that two of them compare with one `toEqual`.
 */
import {
  DirectoryView,
  decode,
  type EventStoreShape,
  isDirectoryEvent,
  type RecordedEvent,
  SecretHash,
  Token,
  TokenIndex
} from "@service-accounts/domain"
import { Chunk, Effect, Either, Option, Schema, Stream } from "effect"

/** The read models as comparable JSON: every account (with its tokens) and every token entry, sorted; revisions. */
export interface Comparable {
  readonly accounts: ReadonlyArray<string>
  readonly tokens: ReadonlyArray<string>
  readonly revisions: Readonly<Record<string, string>>
}

/** What was rebuilt from the history: the comparable read models, and the token index to ask who is accepted. */
export interface Rebuilt {
  readonly comparable: Comparable
  readonly tokenIndex: TokenIndex.TokenIndexState
}

const encodeOrganization = Schema.encodeSync(DirectoryView.OrganizationJsonSchema)
const encodeToken = Schema.encodeSync(TokenIndex.TokenJsonSchema)

/** One entry per account, its token parts put back together (a snapshot may split an account's tokens). */
const accountEntries = (organizations: ReadonlyArray<DirectoryView.OrganizationJson>): ReadonlyArray<string> => {
  const accounts = new Map<string, Array<unknown>>()
  for (const organization of organizations) {
    const [organizationId, parts] = encodeOrganization(organization)
    for (const part of parts) {
      const key = `${organizationId}/${part[0]}`
      const tokens = part[7]
      const known = accounts.get(key)
      if (known === undefined) accounts.set(key, [organizationId, ...part.slice(0, 7), [...tokens]])
      else {
        const all = known[8]
        if (Array.isArray(all)) all.push(...tokens)
      }
    }
  }
  return Array.from(accounts.values(), (account) => JSON.stringify(account)).sort()
}

const tokenEntries = (tokens: ReadonlyArray<TokenIndex.TokenJson>): ReadonlyArray<string> =>
  tokens.map((token) => JSON.stringify(encodeToken(token))).sort()

const collect = <A, E>(stream: Stream.Stream<A, E>) =>
  Effect.runPromise(Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray))

/** Every event of the store, as a reader of the whole store sees it (snapshots, being system events, are not). */
export const readHistory = (store: EventStoreShape): Promise<ReadonlyArray<RecordedEvent>> => collect(store.readAll())

/** The directory view and the token index folded from the history, and the last revision of every stream. */
export const rebuild = (history: ReadonlyArray<RecordedEvent>): Rebuilt => {
  let directory = DirectoryView.projection.initialState
  let tokens = TokenIndex.projection.initialState
  const revisions: Record<string, string> = {}
  for (const recorded of history) {
    if (!isDirectoryEvent(recorded)) continue
    const event = decode(recorded)
    if (Either.isLeft(event)) throw new Error(`the history does not decode: ${event.left.message}`)
    directory = DirectoryView.projection.apply(directory, event.right)
    tokens = TokenIndex.projection.apply(tokens, event.right)
    revisions[recorded.streamId] = String(recorded.revision)
  }
  return {
    comparable: {
      accounts: accountEntries(DirectoryView.toJson(directory)),
      tokens: tokenEntries(TokenIndex.toJson(tokens)),
      revisions
    },
    tokenIndex: tokens
  }
}

/** Whether the history says a token value authenticates: issued, not revoked (nor its account deleted). */
export const activeIn = (index: TokenIndex.TokenIndexState, value: string): boolean =>
  Option.match(TokenIndex.lookup(index, Token.digest(value)), {
    onNone: () => false,
    onSome: (entry) => Option.isNone(entry.revoked)
  })

const Marker = Schema.Struct({ stream: Schema.String, chunks: Schema.Number, position: Schema.String })
/** A chunk event's data: the chunk's JSON text (format 2, ADR 0015). */
const SnapshotChunk = Schema.Struct({
  chunk: Schema.parseJson(
    Schema.Union(
      Schema.Struct({
        kind: Schema.Literal("directory"),
        items: Schema.Array(DirectoryView.OrganizationJsonSchema),
        digests: Schema.Array(Schema.NullOr(Schema.String))
      }),
      Schema.Struct({ kind: Schema.Literal("tokens"), items: Schema.Array(TokenIndex.TokenJsonSchema) }),
      Schema.Struct({
        kind: Schema.Literal("revisions"),
        items: Schema.Array(Schema.Tuple(Schema.String, Schema.String))
      })
    )
  )
})

/**
 * The read models of the process that wrote the newest snapshot, as it held them: the snapshot is
 * `DirectoryView.toJson` of its state with, for each token, the digest the token index holds it under, and the
 * index's other tokens (`TokenIndex.toJson`'s entries), in chunks (ADR 0010, ADR 0015).
 */
export const newestSnapshot = async (store: EventStoreShape): Promise<Comparable & { readonly position: string }> => {
  const [newest] = await collect(store.readStream("serviceAccountSnapshots", { direction: "backwards", maxCount: 1 }))
  if (newest === undefined) throw new Error("no snapshot in the store")
  const marker = Schema.decodeUnknownSync(Marker)(newest.data)
  const chunks = (await collect(store.readStream(marker.stream))).map(
    (recorded) => Schema.decodeUnknownSync(SnapshotChunk)(recorded.data).chunk
  )
  if (chunks.length !== marker.chunks) throw new Error(`the snapshot has ${chunks.length} of ${marker.chunks} chunks`)
  const organizations: Array<DirectoryView.OrganizationJson> = []
  const tokens: Array<TokenIndex.TokenJson> = []
  const revisions: Record<string, string> = {}
  for (const chunk of chunks) {
    if (chunk.kind === "directory") {
      organizations.push(...chunk.items)
      // The index's entry of each token the directory accounts for: its digest, and the directory's fields.
      const digests = [...chunk.digests]
      for (const [organizationId, accounts] of chunk.items) {
        for (const [serviceAccountId, , , , , , , accountTokens] of accounts) {
          for (const [tokenId, , , scopes, , , , , reason] of accountTokens) {
            const digest = digests.shift()
            if (digest === undefined) throw new Error("a directory chunk has fewer digests than tokens")
            if (digest !== null) {
              const secretHash = Schema.decodeUnknownSync(SecretHash)(digest)
              tokens.push([secretHash, organizationId, serviceAccountId, tokenId, scopes, reason])
            }
          }
        }
      }
      if (digests.length > 0) throw new Error("a directory chunk has more digests than tokens")
    } else if (chunk.kind === "tokens") tokens.push(...chunk.items)
    else for (const [streamId, revision] of chunk.items) revisions[streamId] = revision
  }
  return {
    accounts: accountEntries(organizations),
    tokens: tokenEntries(tokens),
    revisions,
    position: marker.position
  }
}
