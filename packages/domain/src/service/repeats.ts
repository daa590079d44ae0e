import { Effect } from "effect"
import type * as Directory from "../model/Directory.js"
import { CommandIdReused, type ConcurrencyConflict, TokenAlreadyIssued } from "../model/Errors.js"
import { EventStoreUnavailable } from "../model/Errors.js"
import type { ServiceAccountEvent } from "../model/Events.js"

export const isConflict = (error: unknown): error is ConcurrencyConflict =>
  typeof error === "object" && error !== null && "_tag" in error && error._tag === "ConcurrencyConflict"

export const isRetryable = (error: unknown): boolean => error instanceof EventStoreUnavailable && error.retryable

/** What a repeated command answers, rebuilt from the events it appended the first time. */
const firstOf = <T extends ServiceAccountEvent["_tag"]>(events: ReadonlyArray<ServiceAccountEvent>, tag: T) =>
  events.find((event): event is Extract<ServiceAccountEvent, { _tag: T }> => event._tag === tag)

export const repeatCreate = (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => {
  const created = firstOf(events, "ServiceAccountCreated")
  return created === undefined
    ? Effect.fail(new CommandIdReused({ commandId }))
    : Effect.succeed<Directory.Created>({
        _tag: "Created",
        serviceAccountId: created.serviceAccountId,
        name: created.name
      })
}

export const repeatIssue = (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => {
  const issued = firstOf(events, "TokenIssued")
  return Effect.fail(
    issued === undefined
      ? new CommandIdReused({ commandId })
      : new TokenAlreadyIssued({ commandId, serviceAccountId: issued.serviceAccountId, tokenId: issued.tokenId })
  )
}

export const repeatRevoke = (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => {
  const revoked = firstOf(events, "TokenRevoked")
  return revoked === undefined
    ? Effect.fail(new CommandIdReused({ commandId }))
    : Effect.succeed<Directory.Revoked>({
        _tag: "Revoked",
        serviceAccountId: revoked.serviceAccountId,
        tokenId: revoked.tokenId
      })
}

export const repeatDelete = (commandId: string, events: ReadonlyArray<ServiceAccountEvent>) => {
  const deleted = firstOf(events, "ServiceAccountDeleted")
  return deleted === undefined
    ? Effect.fail(new CommandIdReused({ commandId }))
    : Effect.succeed<Directory.Deleted>({
        _tag: "Deleted",
        serviceAccountId: deleted.serviceAccountId,
        revokedTokenIds: deleted.revokedTokenIds
      })
}
