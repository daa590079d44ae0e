/**
 * The store's own data types, independent of the wire format.
 *
 * @internal
 */

/** The expected revision of a write, as the server's `ExpectedVersion` longs: any -2, no stream -1, exists -4. */
export type ExpectedRevision =
  | { readonly _tag: "Exact"; readonly revision: bigint }
  | { readonly _tag: "Any" }
  | { readonly _tag: "NoStream" }
  | { readonly _tag: "StreamExists" }

const any: ExpectedRevision = { _tag: "Any" }
const noStream: ExpectedRevision = { _tag: "NoStream" }
const streamExists: ExpectedRevision = { _tag: "StreamExists" }

export const ExpectedRevision = {
  exact: (revision: bigint): ExpectedRevision => ({ _tag: "Exact", revision }),
  any,
  noStream,
  streamExists,
  /** The server's internal `long` for an expected revision (what the delete error trailers carry). */
  toLong: (expected: ExpectedRevision): bigint => {
    switch (expected._tag) {
      case "Exact":
        return expected.revision
      case "Any":
        return -2n
      case "NoStream":
        return -1n
      case "StreamExists":
        return -4n
    }
  }
} as const

/** An event as a client proposes it. */
export interface ProposedEvent {
  readonly id: string
  readonly type: string
  readonly isJson: boolean
  readonly data: Uint8Array
  readonly metadata: Uint8Array
}

/** An event as the store recorded it. Commit and prepare positions are equal (one record per event). */
export interface StoredEvent {
  readonly streamId: string
  /** Stream revision; a tombstone has `long.MaxValue`. */
  readonly revision: bigint
  readonly id: string
  readonly type: string
  readonly isJson: boolean
  readonly data: Uint8Array
  readonly metadata: Uint8Array
  /** 100-ns ticks since the Unix epoch. */
  readonly created: bigint
  /** Log position in `$all` (commit = prepare). */
  readonly position: bigint
}

/** What a write did. `lastRevision` is -1 for a stream that still has no events. */
export type WriteResult =
  | { readonly _tag: "Written"; readonly lastRevision: bigint; readonly position: bigint | undefined }
  | { readonly _tag: "WrongExpectedVersion"; readonly currentRevision: bigint }
  | { readonly _tag: "StreamDeleted" }

/** What a delete or tombstone did. */
export type DeleteResult =
  | { readonly _tag: "Deleted"; readonly position: bigint }
  | { readonly _tag: "WrongExpectedVersion"; readonly currentRevision: bigint }
  | { readonly _tag: "StreamDeleted" }

/** What a stream read can see. `first` and `last` bound the visible revisions (inclusive). */
export type StreamView =
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "Deleted" }
  | { readonly _tag: "Found"; readonly first: bigint; readonly last: bigint }
