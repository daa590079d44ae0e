/**
 * Helpers of the history-compatibility tests: decoding a history file with today's code, and the directory view
 * as plain JSON with sorted keys, so the committed expectation does not depend on the order fields are built in.
 */
import { Chunk, DateTime, Effect, Either, Stream } from "effect"
import {
  decode,
  DirectoryView,
  type DomainEvent,
  isDirectoryStream,
  type Json,
  Ndjson,
  type OrganizationId,
  type RevocationReason,
  type TokenId,
  type TokenIssued,
  Upcasting
} from "../src/index.js"

const sortKeys = (value: Json): Json => {
  if (value === null || typeof value !== "object") return value
  if (Array.isArray(value)) return value.map(sortKeys)
  const entries: Array<[string, Json]> = Object.entries(value)
  return Object.fromEntries(entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([key, item]) => [key, sortKeys(item)]))
}

/** The directory view as plain JSON, in a stable order. */
export const directoryJson = (state: DirectoryView.DirectoryViewState): Json =>
  sortKeys(
    JSON.parse(
      JSON.stringify(
        [...DirectoryView.organizations(state)]
          .sort((a, b) => a.organizationId.localeCompare(b.organizationId))
          .map((directory) => ({
            organizationId: directory.organizationId,
            accounts: DirectoryView.accounts(directory, { includeDeleted: true }).map((account) => ({
              ...account,
              createdAt: DateTime.formatIso(account.createdAt),
              ...(account.deletedAt === undefined ? {} : { deletedAt: DateTime.formatIso(account.deletedAt) }),
              tokens: account.tokens.map((token) => ({
                ...token,
                issuedAt: DateTime.formatIso(token.issuedAt),
                ...(token.revokedAt === undefined ? {} : { revokedAt: DateTime.formatIso(token.revokedAt) })
              }))
            }))
          }))
      )
    )
  )

/** Decodes a history file's directory events with today's code (upcasters included). */
export const domainEvents = (text: string, registry: Upcasting.Registry = Upcasting.registry) =>
  Effect.gen(function* () {
    const recorded = yield* Stream.runCollect(Ndjson.decodeText(text))
    return Chunk.toReadonlyArray(recorded)
      .filter((event) => isDirectoryStream(event.streamId))
      .map((event) => Either.getOrThrow(Either.flatMap(Upcasting.upcast(event, registry), decode)))
  })

/** A token id made of a number, for tokens a test makes up. */
export const tokenIdOf = (n: number): TokenId => `00000000-0000-4000-8000-${String(n).padStart(12, "0")}` as TokenId

/**
 * Makers of token events shaped like a history's first `TokenIssued` and `TokenRevoked` (same stream, account,
 * actor and time), with the token, digest, organisation and reason a test chooses.
 */
export const tokenEvents = (events: ReadonlyArray<DomainEvent>) => {
  const issuedTemplate = events.find((e) => e.event._tag === "TokenIssued")
  const revokedTemplate = events.find((e) => e.event._tag === "TokenRevoked")
  if (issuedTemplate?.event._tag !== "TokenIssued" || revokedTemplate?.event._tag !== "TokenRevoked") {
    throw new Error("the history has no token events")
  }
  const issuedEvent = issuedTemplate.event
  const revokedEvent = revokedTemplate.event
  return {
    /** The template's `TokenIssued`, for the fields a made-up token shares with it. */
    template: issuedEvent,
    issued: (tokenId: TokenId, secretHash: string, organizationId?: string): DomainEvent => ({
      ...issuedTemplate,
      event: {
        ...issuedEvent,
        tokenId,
        secretHash: secretHash as TokenIssued["secretHash"],
        ...(organizationId === undefined ? {} : { organizationId: organizationId as OrganizationId })
      }
    }),
    revoked: (tokenId: TokenId, reason: RevocationReason): DomainEvent => ({
      ...revokedTemplate,
      event: { ...revokedEvent, tokenId, reason }
    })
  }
}
