/**
 * The in-memory log behind one test server: `$all` in position order, streams by revision, and the
 * write rules of EventStoreDB's index writer (`IndexWriter.CheckCommit`) and storage writer (soft
 * delete, tombstone, soft undelete).
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { DELETED_STREAM, parseMetadataObject, readSettings, withTruncateBefore } from "./streamMetadata.js"
import type { DeleteResult, ProposedEvent, StoredEvent, StreamView, WriteResult } from "./types.js"
import { ExpectedRevision } from "./types.js"

const ANY = -2n
const NO_STREAM = -1n
const STREAM_EXISTS = -4n

/** The first record's log position: a real log starts with records clients never see. */
const FIRST_POSITION = 1024n
const TICKS_PER_MILLISECOND = 10_000n

export const isMetastream = (streamId: string): boolean => streamId.startsWith("$$")
export const metastreamOf = (streamId: string): string => `$$${streamId}`
const originalStreamOf = (metastreamId: string): string => metastreamId.slice(2)

interface StreamState {
  /** Dense: `events[n]` has revision `n`. */
  readonly events: Array<StoredEvent>
  tombstoned: boolean
}

type CommitCheck =
  | { readonly decision: "Ok"; readonly current: bigint; readonly softDeleted: boolean }
  | { readonly decision: "Idempotent"; readonly current: bigint; readonly last: bigint }
  | { readonly decision: "WrongExpectedVersion"; readonly current: bigint }
  | { readonly decision: "Deleted"; readonly current: bigint }

const encoder = new TextEncoder()

export class Store {
  private readonly log: Array<StoredEvent> = []
  private readonly streams = new Map<string, StreamState>()
  private readonly eventIds = new Map<string, { readonly streamId: string; readonly revision: bigint }>()
  private nextPosition = FIRST_POSITION
  private changeListeners = new Set<() => void>()

  /** Every record in `$all`, in position order. */
  get all(): ReadonlyArray<StoredEvent> {
    return this.log
  }

  /**
   * Calls `listener` once after the next write. The returned function unregisters it, for a wait that ends another
   * way (the call closed): nothing stays registered for a subscriber that has gone.
   */
  onNextChange(listener: () => void): () => void {
    this.changeListeners.add(listener)
    return () => {
      this.changeListeners.delete(listener)
    }
  }

  /** The stream's events by revision, ignoring metadata (what a live subscription follows). */
  eventsOf(streamId: string): ReadonlyArray<StoredEvent> {
    return this.streams.get(streamId)?.events ?? []
  }

  event(streamId: string, revision: bigint): StoredEvent | undefined {
    const events = this.eventsOf(streamId)
    return revision >= 0n && revision < BigInt(events.length) ? events[Number(revision)] : undefined
  }

  /** Tombstoned, or the metastream of a tombstoned stream. */
  isTombstoned(streamId: string): boolean {
    return this.currentVersion(streamId) === DELETED_STREAM
  }

  /** What a read of the stream sees, after `$tb`, `$maxCount` and deletes. */
  view(streamId: string): StreamView {
    const current = this.currentVersion(streamId)
    if (current === DELETED_STREAM) return { _tag: "Deleted" }
    if (current < 0n) return { _tag: "NotFound" }
    // A metastream has `$maxCount: 1`: only its latest metadata is readable.
    if (isMetastream(streamId)) return { _tag: "Found", first: current, last: current }
    const settings = readSettings(this.metadataObject(streamId))
    if (settings.softDeleted) return { _tag: "NotFound" }
    let first = 0n
    if (settings.truncateBefore !== undefined && settings.truncateBefore > 0) {
      first = BigInt(Math.trunc(settings.truncateBefore))
    }
    if (settings.maxCount !== undefined && settings.maxCount >= 0) {
      const fromCount = current - BigInt(Math.trunc(settings.maxCount)) + 1n
      if (fromCount > first) first = fromCount
    }
    return { _tag: "Found", first, last: current }
  }

  /** Index in `$all` of the first record at or after `position`. */
  indexAtOrAfter(position: bigint): number {
    let low = 0
    let high = this.log.length
    while (low < high) {
      const middle = (low + high) >>> 1
      const record = this.log[middle]
      if (record !== undefined && record.position < position) low = middle + 1
      else high = middle
    }
    return low
  }

  /** Index in `$all` of the first record strictly after `position`. */
  indexAfter(position: bigint): number {
    return this.indexAtOrAfter(position + 1n)
  }

  append(streamId: string, expected: ExpectedRevision, events: ReadonlyArray<ProposedEvent>): WriteResult {
    const check = this.checkCommit(
      streamId,
      ExpectedRevision.toLong(expected),
      events.map((event) => event.id.toLowerCase())
    )
    switch (check.decision) {
      case "Deleted":
        return { _tag: "StreamDeleted" }
      case "WrongExpectedVersion":
        return { _tag: "WrongExpectedVersion", currentRevision: check.current }
      case "Idempotent":
        return { _tag: "Written", lastRevision: check.last, position: this.event(streamId, check.last)?.position }
      case "Ok": {
        const undeleteOriginal = isMetastream(streamId) && this.isSoftDeleted(originalStreamOf(streamId))
        const written = this.commit(streamId, check.current + 1n, events)
        if (check.softDeleted && events.length > 0) {
          // Writing to a soft-deleted stream recreates it: events before the new ones stay hidden.
          this.writeMetadata(streamId, withTruncateBefore(this.rawMetadata(streamId), check.current + 1n))
        }
        if (undeleteOriginal) {
          const original = originalStreamOf(streamId)
          if (this.isSoftDeleted(original)) {
            const recreateFrom = this.currentVersion(original) + 1n
            this.writeMetadata(original, withTruncateBefore(this.rawMetadata(original), recreateFrom))
          }
        }
        this.notify()
        const last = written.at(-1)
        return {
          _tag: "Written",
          lastRevision: last?.revision ?? check.current,
          position: last?.position
        }
      }
    }
  }

  /** Soft delete: `$metadata {"$tb": long.MaxValue}` on `$$<stream>`. */
  softDelete(streamId: string, expected: ExpectedRevision): DeleteResult {
    const check = this.checkCommit(streamId, ExpectedRevision.toLong(expected), [randomUUID()])
    if (check.decision === "Deleted") return { _tag: "StreamDeleted" }
    if (check.decision === "WrongExpectedVersion") {
      return { _tag: "WrongExpectedVersion", currentRevision: check.current }
    }
    if (check.current < 0n && this.currentVersion(metastreamOf(streamId)) < 0n) {
      // Neither events nor metadata: nothing to delete, whatever the expectation.
      return { _tag: "WrongExpectedVersion", currentRevision: check.current }
    }
    const record = this.writeMetadata(streamId, withTruncateBefore(this.rawMetadata(streamId), DELETED_STREAM))
    this.notify()
    return { _tag: "Deleted", position: record.position }
  }

  /** Hard delete: a `$streamDeleted` record; the stream can never be written or read again. */
  tombstone(streamId: string, expected: ExpectedRevision): DeleteResult {
    const check = this.checkCommit(streamId, ExpectedRevision.toLong(expected), [randomUUID()])
    if (check.decision === "Deleted") return { _tag: "StreamDeleted" }
    if (check.decision === "WrongExpectedVersion") {
      return { _tag: "WrongExpectedVersion", currentRevision: check.current }
    }
    const state = this.stateOf(streamId)
    const record = this.record(streamId, DELETED_STREAM, {
      id: randomUUID(),
      type: "$streamDeleted",
      isJson: false,
      data: new Uint8Array(),
      metadata: new Uint8Array()
    })
    state.tombstoned = true
    this.notify()
    return { _tag: "Deleted", position: record.position }
  }

  // The server's `IndexWriter.CheckCommit`, with its bounded event-id cache made unbounded.
  private checkCommit(streamId: string, expected: bigint, eventIds: ReadonlyArray<string>): CommitCheck {
    const current = this.currentVersion(streamId)
    if (current === DELETED_STREAM) return { decision: "Deleted", current }

    if (expected === STREAM_EXISTS) {
      if (this.isSoftDeleted(streamId)) return { decision: "Deleted", current }
      if (current < 0n && this.currentVersion(metastreamOf(streamId)) < 0n) {
        return { decision: "WrongExpectedVersion", current }
      }
    }

    if (expected === ANY || expected === STREAM_EXISTS) {
      let last: bigint | undefined
      for (const id of eventIds) {
        const known = this.eventIds.get(id)
        if (known === undefined || known.streamId !== streamId) {
          return last === undefined
            ? { decision: "Ok", current, softDeleted: this.isSoftDeleted(streamId) }
            : { decision: "WrongExpectedVersion", current }
        }
        last = known.revision
      }
      return last === undefined
        ? { decision: "Ok", current, softDeleted: this.isSoftDeleted(streamId) }
        : { decision: "Idempotent", current, last }
    }

    if (expected < current) {
      let revision = expected
      for (const id of eventIds) {
        revision += 1n
        if (this.event(streamId, revision)?.id === id) continue
        if (revision !== expected + 1n) return { decision: "WrongExpectedVersion", current }
        if (expected === NO_STREAM && this.isSoftDeleted(streamId)) {
          return { decision: "Ok", current, softDeleted: true }
        }
        return { decision: "WrongExpectedVersion", current }
      }
      if (revision === expected) return { decision: "WrongExpectedVersion", current }
      return { decision: "Idempotent", current, last: revision }
    }

    if (expected > current) return { decision: "WrongExpectedVersion", current }
    return { decision: "Ok", current, softDeleted: this.isSoftDeleted(streamId) }
  }

  /** Last revision, -1 for none, `DELETED_STREAM` when tombstoned (a metastream shares its stream's tombstone). */
  private currentVersion(streamId: string): bigint {
    if (isMetastream(streamId) && this.streams.get(originalStreamOf(streamId))?.tombstoned === true) {
      return DELETED_STREAM
    }
    const state = this.streams.get(streamId)
    if (state === undefined) return -1n
    if (state.tombstoned) return DELETED_STREAM
    return BigInt(state.events.length - 1)
  }

  private rawMetadata(streamId: string): Uint8Array | undefined {
    const latest = this.eventsOf(metastreamOf(streamId)).at(-1)
    return latest?.isJson === true ? latest.data : undefined
  }

  private metadataObject(streamId: string): Record<string, unknown> | undefined {
    const raw = this.rawMetadata(streamId)
    return raw === undefined ? undefined : parseMetadataObject(raw)
  }

  private isSoftDeleted(streamId: string): boolean {
    return readSettings(this.metadataObject(streamId)).softDeleted
  }

  private writeMetadata(streamId: string, data: Uint8Array): StoredEvent {
    const metastream = metastreamOf(streamId)
    const [record] = this.commit(metastream, this.currentVersion(metastream) + 1n, [
      { id: randomUUID(), type: "$metadata", isJson: true, data, metadata: new Uint8Array() }
    ])
    if (record === undefined) throw new Error("metadata write recorded nothing")
    return record
  }

  private commit(streamId: string, firstRevision: bigint, events: ReadonlyArray<ProposedEvent>): Array<StoredEvent> {
    const state = this.stateOf(streamId)
    if (BigInt(state.events.length) !== firstRevision) {
      throw new Error(`revision gap in ${streamId}: next is ${state.events.length}, asked ${firstRevision}`)
    }
    const created = BigInt(Date.now()) * TICKS_PER_MILLISECOND
    return events.map((event, offset) => {
      const revision = firstRevision + BigInt(offset)
      const record = this.record(streamId, revision, event, created)
      state.events.push(record)
      this.eventIds.set(record.id, { streamId, revision })
      return record
    })
  }

  private record(
    streamId: string,
    revision: bigint,
    event: ProposedEvent,
    created = BigInt(Date.now()) * TICKS_PER_MILLISECOND
  ): StoredEvent {
    const record: StoredEvent = {
      streamId,
      revision,
      id: event.id.toLowerCase(),
      type: event.type,
      isJson: event.isJson,
      data: event.data,
      metadata: event.metadata,
      created,
      position: this.nextPosition
    }
    this.log.push(record)
    // Advance by roughly the record's size, as log positions are byte offsets on a real server.
    const size = 64 + event.data.length + event.metadata.length + 2 * (event.type.length + streamId.length)
    this.nextPosition += BigInt(size)
    return record
  }

  private stateOf(streamId: string): StreamState {
    let state = this.streams.get(streamId)
    if (state === undefined) {
      state = { events: [], tombstoned: false }
      this.streams.set(streamId, state)
    }
    return state
  }

  private notify(): void {
    const listeners = this.changeListeners
    this.changeListeners = new Set()
    for (const listener of listeners) listener()
  }
}

/** JSON text as the bytes of an event. */
export const jsonBytes = (value: unknown): Uint8Array => encoder.encode(JSON.stringify(value))
