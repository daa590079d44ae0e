/**
 * What `sa-audit` fails with, and the exit code of each: 2 for input it cannot read (arguments, files, events),
 * 3 for a source it cannot reach. Findings (invariant violations, tampering, an id the history does not hold) are not
 * errors: they exit with 1. Every message quotes its input (a path, a stream, a reason that quotes a line) with
 * `Token.quoteSafely`.
 *
 * @example
 * ```ts
 * import { ExitCode, InvalidFile } from "@service-accounts/cli"
 *
 * // What a CI job makes of `sa-audit`'s exit code.
 * const verdict = (code: number): string => {
 *   switch (code) {
 *     case ExitCode.ok:
 *       return "the history is sound"
 *     case ExitCode.findings:
 *       return "violations or tampering found: read the report"
 *     case ExitCode.badInput:
 *       return "the arguments or the file cannot be read"
 *     case ExitCode.unavailable:
 *       return "the server cannot be reached"
 *     default:
 *       return "sa-audit failed"
 *   }
 * }
 *
 * // Each error's message names what is wrong and where.
 * const problem = new InvalidFile({ path: "history.ndjson", line: 7, reason: "not JSON" })
 * problem.message // "history.ndjson: line 7: not JSON"
 * ```
 *
 * @since 0.1.0
 */
import { Token } from "@service-accounts/domain"
import { Schema } from "effect"

const quoted = (text: string): string => Token.quoteSafely(text, 1000)

/**
 * The exit codes.
 *
 * @since 0.1.0
 * @category constants
 */
export const ExitCode = {
  /** Everything read, nothing found. */
  ok: 0,
  /**
   * The history was read and something is wrong with it (invariant violations, tampering), or it does not hold what
   * was asked for (a token id, or a service account at the point asked).
   */
  findings: 1,
  /** The input cannot be read: bad arguments, a missing or garbled file, an unreadable event. */
  badInput: 2,
  /** The source cannot be reached: an EventStoreDB server that does not answer, a file that cannot be read. */
  unavailable: 3,
  /** A bug: the message says so, with the cause. */
  internal: 70
} as const

/**
 * A file that does not exist or cannot be read.
 *
 * @since 0.1.0
 * @category errors
 */
export class FileProblem extends Schema.TaggedError<FileProblem>()("FileProblem", {
  path: Schema.String,
  reason: Schema.String
}) {
  override get message(): string {
    return `${quoted(this.path)}: ${quoted(this.reason)}`
  }
}

/**
 * A line of a history file that cannot be read, or a file that is not a history (`line` absent).
 *
 * @since 0.1.0
 * @category errors
 */
export class InvalidFile extends Schema.TaggedError<InvalidFile>()("InvalidFile", {
  path: Schema.String,
  line: Schema.optional(Schema.Number),
  reason: Schema.String
}) {
  override get message(): string {
    const where = this.line === undefined ? quoted(this.path) : `${quoted(this.path)}: line ${this.line}`
    return `${where}: ${quoted(this.reason)}`
  }
}

/**
 * An event of the source that does not hold what its stream requires (an unknown event type, data that does not
 * fit the schema, an unreadable checkpoint). Where an event comes from a file, the line is named instead.
 *
 * @since 0.1.0
 * @category errors
 */
export class UnreadableEvent extends Schema.TaggedError<UnreadableEvent>()("UnreadableEvent", {
  streamId: Schema.String,
  revision: Schema.BigIntFromSelf,
  position: Schema.BigIntFromSelf,
  reason: Schema.String
}) {
  override get message(): string {
    return `event ${quoted(this.streamId)}@${this.revision} (position ${this.position}) cannot be read: ${quoted(this.reason)}`
  }
}

/**
 * Command-line arguments that parse but do not fit together.
 *
 * @since 0.1.0
 * @category errors
 */
export class UsageError extends Schema.TaggedError<UsageError>()("UsageError", { reason: Schema.String }) {
  override get message(): string {
    return quoted(this.reason)
  }
}
