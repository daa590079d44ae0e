import { Effect, Either, HashMap, Option, Stream } from "effect"
import * as Directory from "../model/Directory.js"
import type { EventStoreShape, Json } from "../store/EventStore.js"
import type { ReadError } from "../model/Errors.js"
import type { ServiceAccountEvent } from "../model/Events.js"
import { GENESIS, recordOf } from "../integrity/Integrity.js"
import { decode } from "../store/StoredEvent.js"

/** What a command with a caller-given id appended: enough to answer a repeat with the original result. */
export interface CommandRecord {
  readonly hash: string
  readonly events: ReadonlyArray<ServiceAccountEvent>
}

/**
 * A directory state, the revision of the last event folded into it (`undefined`: empty stream), that event's
 * integrity digest (the next event chains from it), and the commands seen.
 */
export interface CachedState {
  readonly revision: bigint | undefined
  readonly state: Directory.DirectoryState
  readonly lastDigest: string
  readonly commands: HashMap.HashMap<string, CommandRecord>
}

const empty: CachedState = {
  revision: undefined,
  state: Directory.initialState,
  lastDigest: GENESIS,
  commands: HashMap.empty()
}

/**
 * Folds one decoded event, with its metadata, into a cached state. `digest` is the event's integrity digest when
 * the caller knows it (it has just sealed the event); otherwise it is read from the metadata.
 */
export const foldCached = (
  cached: CachedState,
  revision: bigint,
  event: ServiceAccountEvent,
  metadata: { readonly [key: string]: Json },
  digest?: string
): CachedState => {
  let commands = cached.commands
  if (typeof metadata.commandId === "string") {
    const previous = HashMap.get(commands, metadata.commandId)
    const hash = typeof metadata.commandHash === "string" ? metadata.commandHash : ""
    commands = HashMap.set(commands, metadata.commandId, {
      hash: Option.match(previous, { onNone: () => hash, onSome: (record) => record.hash }),
      events: Option.match(previous, { onNone: () => [event], onSome: (record) => [...record.events, event] })
    })
  }
  return {
    revision,
    state: Directory.evolve(cached.state, event),
    lastDigest: digest ?? recordOf(metadata)?.digest ?? GENESIS,
    commands
  }
}

/**
 * The decision-state cache: the folded directory state of recently used organisations, keyed by stream and
 * revision. Loading reads only the events after the cached revision, so a command costs the same whatever the
 * length of the organisation's history. Entries never go backwards, and a conflict on append simply makes the
 * next load read what the other writer appended — the store, not the cache, is the authority.
 */
export interface StateCache {
  /** Reads the events after the cached revision and folds them in. */
  readonly load: (streamId: string) => Effect.Effect<CachedState, ReadError>
  /** The cached state as it is, without asking the store (`undefined` when the stream is not cached). */
  readonly peek: (streamId: string) => CachedState | undefined
  readonly remember: (streamId: string, entry: CachedState) => void
  /** Forgets a stream, so the next load reads it from the start. */
  readonly evict: (streamId: string) => void
  readonly size: () => number
}

const newer = (a: bigint | undefined, b: bigint | undefined): boolean => a !== undefined && (b === undefined || a > b)

export const makeStateCache = (store: EventStoreShape, capacity: number): StateCache => {
  // A Map keeps insertion order: re-inserting on use makes the first key the least recently used.
  const entries = new Map<string, CachedState>()
  // The key inserted last, when it is still in the map: using it again needs no re-insertion (a delete leaves a hole
  // in the Map's table that it must compact sooner or later, so re-inserting the same key every command costs).
  let last: string | undefined

  /** Makes `streamId`'s entry the most recently used, holding `entry`. */
  const touch = (streamId: string, entry: CachedState): void => {
    if (streamId === last) {
      entries.set(streamId, entry)
      return
    }
    entries.delete(streamId)
    entries.set(streamId, entry)
    last = streamId
  }

  const remember = (streamId: string, entry: CachedState): void => {
    const current = entries.get(streamId)
    if (current !== undefined && !newer(entry.revision, current.revision)) return
    touch(streamId, entry)
    if (entries.size > capacity) {
      const oldest = entries.keys().next()
      if (oldest.done !== true) evict(oldest.value)
    }
  }

  const evict = (streamId: string): void => {
    entries.delete(streamId)
    if (streamId === last) last = undefined
  }

  const load = (streamId: string): Effect.Effect<CachedState, ReadError> =>
    Effect.suspend(() => {
      const cached = entries.get(streamId) ?? empty
      const from = cached.revision === undefined ? "start" : cached.revision + 1n
      return store.readStream(streamId, { from }).pipe(
        Stream.runFoldEffect(cached, (acc, recorded) => {
          const decoded = decode(recorded)
          return Either.isLeft(decoded)
            ? Effect.fail(decoded.left)
            : Effect.succeed(foldCached(acc, recorded.revision, decoded.right.event, recorded.metadata))
        }),
        Effect.tap((loaded) => Effect.sync(() => remember(streamId, loaded)))
      )
    })

  const peek = (streamId: string): CachedState | undefined => {
    const entry = entries.get(streamId)
    if (entry !== undefined && streamId !== last) touch(streamId, entry)
    return entry
  }

  return { load, peek, remember, evict, size: () => entries.size }
}
