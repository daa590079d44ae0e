/**
 * What the multi-process test's parent and its child processes say to each other over the IPC channel, as schemas:
 * each side decodes what it receives, so a malformed message is an error, never a wrong figure.
 *
 * Token values cross the channel (in memory, never on disk): a process checks the tokens the others issued, and only
 * the process that issued a token ever had its value.
 */
import { Schema } from "effect"

/** A token a child issued: its id and its value. */
export const IssuedToken = Schema.Struct({ tokenId: Schema.String, value: Schema.String })
export type IssuedToken = typeof IssuedToken.Type

/** The outcome of each command a child ran, counted by `command: outcome` (`issueToken: ok`, `revokeToken: TokenNotFound`…). */
export const Outcomes = Schema.Record({ key: Schema.String, value: Schema.Number })

export const ToChild = Schema.Union(
  /** Finish the command in flight, then report. */
  Schema.TaggedStruct("Stop", {}),
  /** Catch up with the store, then write a snapshot of the read models. */
  Schema.TaggedStruct("Snapshot", {}),
  /** Catch up with the store, then authenticate each of these values. */
  Schema.TaggedStruct("Verify", { tokens: Schema.Array(IssuedToken) }),
  Schema.TaggedStruct("Exit", {})
)
export type ToChild = typeof ToChild.Type

export const FromChild = Schema.Union(
  Schema.TaggedStruct("Ready", {}),
  /** Commands finished so far (each with a definite outcome). */
  Schema.TaggedStruct("Progress", { done: Schema.Number }),
  Schema.TaggedStruct("Stopped", {
    outcomes: Outcomes,
    /** Commands sent again, with their command id, after the store failed them as retryable. */
    resent: Schema.Number,
    issued: Schema.Array(IssuedToken)
  }),
  /** The snapshot covers every event up to this position (decimal). */
  Schema.TaggedStruct("Snapshotted", { position: Schema.String }),
  /** The token ids `authenticate` accepted, of those it was asked about. */
  Schema.TaggedStruct("Verified", { accepted: Schema.Array(Schema.String) }),
  Schema.TaggedStruct("Failed", { message: Schema.String })
)
export type FromChild = typeof FromChild.Type

export const decodeToChild = Schema.decodeUnknownSync(ToChild)
export const decodeFromChild = Schema.decodeUnknownSync(FromChild)
