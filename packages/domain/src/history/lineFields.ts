/**
 * Two fields of an NDJSON event line: a 64-bit counter (revision, position) written as decimal text, and a time
 * written as ISO-8601 UTC text.
 *
 * @internal
 */
import { ParseResult, Schema } from "effect"

const decimal = /^(0|[1-9][0-9]{0,19})$/
const COUNTER_LIMIT = 2n ** 64n

// One transformation each (rather than a pattern, a composed schema and a filter): a replay decodes three of them
// a line, and every layer of a schema allocates.
export const Counter = Schema.transformOrFail(Schema.String, Schema.BigIntFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    if (!decimal.test(text)) {
      return ParseResult.fail(new ParseResult.Type(ast, text, "must be a string of decimal digits"))
    }
    const value = BigInt(text)
    return value < COUNTER_LIMIT
      ? ParseResult.succeed(value)
      : ParseResult.fail(new ParseResult.Type(ast, text, "must fit in 64 bits"))
  },
  encode: (value, _, ast) =>
    value >= 0n && value < COUNTER_LIMIT
      ? ParseResult.succeed(String(value))
      : ParseResult.fail(new ParseResult.Type(ast, value, "must be a 64-bit counter"))
})

const isoTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/
const ISO_TIME = "must be an ISO-8601 UTC time such as 2026-11-28T09:30:00.000Z"

export const IsoTime = Schema.transformOrFail(Schema.String, Schema.ValidDateFromSelf, {
  strict: true,
  decode: (text, _, ast) => {
    const time = isoTime.test(text) ? new Date(text) : undefined
    return time === undefined || Number.isNaN(time.getTime())
      ? ParseResult.fail(new ParseResult.Type(ast, text, ISO_TIME))
      : ParseResult.succeed(time)
  },
  encode: (time, _, ast) =>
    Number.isNaN(time.getTime())
      ? ParseResult.fail(new ParseResult.Type(ast, time, ISO_TIME))
      : ParseResult.succeed(time.toISOString())
})
