/**
 * Cutting a history's text into numbered lines, with a bound on a line's length: the first step of reading the
 * NDJSON format (`Ndjson`, which re-exports everything here).
 *
 * @since 0.3.0
 */
import { Stream } from "effect"

/**
 * The longest line read, in characters (32 Mi): far more than any event of a directory (EventStoreDB's own limit
 * is 16 MiB an event), and little enough that a reader's memory stays bounded whatever the file holds.
 *
 * @since 0.3.0
 * @category constants
 */
export const MAX_LINE_LENGTH = 32 * 1024 * 1024

/**
 * A line of text with its number (from 1) and whether a line break ended it.
 *
 * @since 0.1.0
 * @category models
 */
export interface NumberedLine {
  readonly number: number
  readonly text: string
  readonly terminated: boolean
  /**
   * The line is longer than `MAX_LINE_LENGTH`: `text` holds only its start, and the rest was skipped. Such a line
   * is delivered as soon as it is known to be too long (with `terminated: true`), not when it ends.
   *
   * @since 0.3.0
   */
  readonly tooLong?: boolean
}

/** What a line too long to read is delivered as: its start only. */
const tooLong = (number: number, text: string): NumberedLine => ({
  number,
  text: text.slice(0, 200),
  terminated: true,
  tooLong: true
})

/**
 * Cuts text, arriving in chunks of any size, into numbered lines. A last line without a line break is
 * delivered with `terminated: false`. A line longer than `MAX_LINE_LENGTH` is delivered cut (`tooLong`) as soon as
 * it is that long, and the rest of it is skipped: memory stays bounded whatever the text holds.
 *
 * @since 0.1.0
 * @category decoding
 */
export const splitLines = <E, R>(chunks: Stream.Stream<string, E, R>): Stream.Stream<NumberedLine, E, R> =>
  Stream.suspend(() => {
    let carry = ""
    let number = 0
    // Inside a line already delivered as too long: everything up to its line break is dropped.
    let skipping = false
    const complete = Stream.mapConcat(chunks, (chunk): ReadonlyArray<NumberedLine> => {
      const newline = chunk.indexOf("\n")
      if (newline === -1) {
        if (skipping) return []
        carry += chunk
        if (carry.length <= MAX_LINE_LENGTH) return []
        const line = tooLong(++number, carry)
        carry = ""
        skipping = true
        return [line]
      }
      const parts = (skipping ? chunk.slice(newline + 1) : carry + chunk).split("\n")
      skipping = false
      carry = parts.pop() ?? ""
      const lines = parts.map(
        (text): NumberedLine =>
          text.length > MAX_LINE_LENGTH
            ? tooLong(++number, text)
            : { number: ++number, text: text.endsWith("\r") ? text.slice(0, -1) : text, terminated: true }
      )
      if (carry.length > MAX_LINE_LENGTH) {
        lines.push(tooLong(++number, carry))
        carry = ""
        skipping = true
      }
      return lines
    })
    const rest = Stream.suspend(() =>
      carry === "" ? Stream.empty : Stream.make({ number: ++number, text: carry, terminated: false })
    )
    return Stream.concat(complete, rest)
  })
