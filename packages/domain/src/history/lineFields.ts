/**
 * Two fields of an NDJSON event line: a 64-bit counter (revision, position) written as decimal text, and a time
 * written as ISO-8601 UTC text. Each is a schema and, for a reader that checks a line field by field, the plain
 * function the schema decodes with.
 *
 * @internal
 */
import { ParseResult, Schema } from "effect"
import { isoMillis } from "../fast/isoTime.js"
import { isUuid } from "../fast/uuid.js"

/**
 * Whether a value is a UUID's text as `Schema.UUID`'s pattern has it (hex digits of either case): an event id is
 * checked on every line of a history, and the pattern (a case-insensitive one) cost a tenth of what `JSON.parse` of
 * the line costs.
 */
export const isEventId = (text: unknown): boolean => typeof text === "string" && isUuid(text, false)

const decimal = /^(0|[1-9][0-9]{0,19})$/
const COUNTER_LIMIT = 2n ** 64n

/**
 * `decimal.test(text)`, character by character: a replay reads two counters a line, and the pattern cost more than
 * the rest of reading them.
 */
export const isDecimal = (text: string): boolean => {
  const length = text.length
  if (length === 0 || length > 20) return false
  const first = text.charCodeAt(0)
  if (first === 48 /* 0 */) return length === 1
  if (first < 49 || first > 57) return false
  for (let i = 1; i < length; i++) {
    const code = text.charCodeAt(i)
    if (code < 48 || code > 57) return false
  }
  return true
}

/** The counter a text writes, if it is decimal digits (no leading zero) that fit in 64 bits. */
export const counterOf = (text: unknown): bigint | undefined => {
  if (typeof text !== "string" || !isDecimal(text)) return undefined
  const value = BigInt(text)
  return value < COUNTER_LIMIT ? value : undefined
}

// One transformation each (rather than a pattern, a composed schema and a filter): a replay decodes three of them
// a line, and every layer of a schema allocates.
export const Counter = Schema.transformOrFail(Schema.String, Schema.BigIntFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const value = counterOf(text)
    return value !== undefined
      ? ParseResult.succeed(value)
      : ParseResult.fail(
          new ParseResult.Type(
            ast,
            text,
            decimal.test(text) ? "must fit in 64 bits" : "must be a string of decimal digits"
          )
        )
  },
  encode: (value, _, ast) =>
    value >= 0n && value < COUNTER_LIMIT
      ? ParseResult.succeed(String(value))
      : ParseResult.fail(new ParseResult.Type(ast, value, "must be a 64-bit counter"))
})

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const ISO_TIME = "must be an ISO-8601 UTC time such as 2026-11-28T09:30:00.000Z"

/** The time a text writes, if it is ISO-8601 UTC text of a valid time. */
export const isoTimeOf = (text: unknown): Date | undefined => {
  if (typeof text !== "string") return undefined
  // The usual form (`toISOString`'s), read without the pattern and `Date`'s parser (NaN: a day `Date` refuses).
  const millis = isoMillis(text)
  if (millis !== undefined) return Number.isNaN(millis) ? undefined : new Date(millis)
  if (!isoTime.test(text)) return undefined
  const time = new Date(text)
  return Number.isNaN(time.getTime()) ? undefined : time
}

export const IsoTime = Schema.transformOrFail(Schema.String, Schema.ValidDateFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const time = isoTimeOf(text)
    return time === undefined ? ParseResult.fail(new ParseResult.Type(ast, text, ISO_TIME)) : ParseResult.succeed(time)
  },
  encode: (time, _, ast) =>
    Number.isNaN(time.getTime())
      ? ParseResult.fail(new ParseResult.Type(ast, time, ISO_TIME))
      : ParseResult.succeed(time.toISOString())
})
