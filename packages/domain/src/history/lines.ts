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
 * Cuts text, arriving in pieces of any size, into numbered lines, synchronously: what `splitLines` does over a
 * stream, for a reader that decodes each line as soon as a piece completes it (`Ndjson.Reader`).
 *
 * @internal
 */
export class LineCutter {
  private carry = ""
  private number = 0
  /** Inside a line already delivered as too long: everything up to its line break is dropped. */
  private skipping = false

  /** Hands `onLine` each line that `text` completes, in order. */
  push(text: string, onLine: (line: NumberedLine) => void): void {
    const newline = text.indexOf("\n")
    if (newline === -1) {
      if (this.skipping) return
      this.carry += text
      if (this.carry.length > MAX_LINE_LENGTH) this.cutTooLong(onLine)
      return
    }
    // The piece is split alone (splitting `carry + text` would copy the whole piece into a new string first): the
    // line it ends is the carry and its first part; after a line too long to read, its first part is dropped.
    const parts = text.split("\n")
    if (this.skipping) parts.shift()
    else if (this.carry !== "") parts[0] = this.carry + (parts[0] ?? "")
    this.skipping = false
    this.carry = parts.pop() ?? ""
    for (const part of parts) {
      onLine(
        part.length > MAX_LINE_LENGTH
          ? tooLong(++this.number, part)
          : {
              number: ++this.number,
              text: part.endsWith("\r") ? part.slice(0, -1) : part,
              terminated: true
            }
      )
    }
    if (this.carry.length > MAX_LINE_LENGTH) this.cutTooLong(onLine)
  }

  /** The text has ended: its last line, if no line break ended it. */
  end(onLine: (line: NumberedLine) => void): void {
    if (this.carry === "") return
    const text = this.carry
    this.carry = ""
    onLine({ number: ++this.number, text, terminated: false })
  }

  private cutTooLong(onLine: (line: NumberedLine) => void): void {
    const line = tooLong(++this.number, this.carry)
    this.carry = ""
    this.skipping = true
    onLine(line)
  }
}

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
    const cutter = new LineCutter()
    const complete = Stream.mapConcat(chunks, (chunk): ReadonlyArray<NumberedLine> => {
      const lines: Array<NumberedLine> = []
      cutter.push(chunk, (line) => lines.push(line))
      return lines
    })
    const rest = Stream.suspend(() => {
      const lines: Array<NumberedLine> = []
      cutter.end((line) => lines.push(line))
      return Stream.fromIterable(lines)
    })
    return Stream.concat(complete, rest)
  })
