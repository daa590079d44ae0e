/**
 * Decoding what a history repeats, fast (ADR 0007): excess properties looked for with a plain loop, values a
 * history repeats thousands of times decoded once and remembered, and a `JSON.parse` result checked to be JSON
 * without allocating. Used by the store's event decoder (`store/eventDecoder.ts`) and NDJSON lines
 * (`history/Ndjson.ts`). Equivalence tests: `test/FastDecode.test.ts` (the same results as Effect's decoders).
 *
 * @internal
 */
import { Either, ParseResult, Schema, type SchemaAST as AST } from "effect"
import { declarePlain, FAIL } from "./compiled.js"
import type { Json } from "./json.js"

/**
 * Whether a value just made by `JSON.parse` (or a stored JSON value) has no other properties than these (a value
 * that is no object passes: the schema refuses it). JSON values only have enumerable string keys.
 */
export const hasOnlyKeys = (value: unknown, keys: ReadonlySet<string>): boolean => {
  if (typeof value !== "object" || value === null) return true
  for (const key in value) if (!keys.has(key)) return false
  return true
}

/**
 * Whether a value made by `JSON.parse` is JSON: it is, unless it holds a number too large to be finite
 * (`1e999`). Unlike `isJson` it allocates nothing.
 */
export const isParsedJson = (value: unknown): value is Json => {
  if (typeof value === "number") return Number.isFinite(value)
  if (typeof value !== "object" || value === null) return true
  if (Array.isArray(value)) {
    for (const item of value) if (!isParsedJson(item)) return false
    return true
  }
  // An indexed read in a for-in loop is one V8 makes fast (it reads through the object's enum cache); `Reflect.get`
  // took half as long again, for every object of every line of a history.
  const record = value as { readonly [key: string]: unknown }
  for (const key in record) if (!isParsedJson(record[key])) return false
  return true
}
/** Whether a value made by `JSON.parse` is a JSON object. */
export const isParsedJsonObject = (value: unknown): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value) && isParsedJson(value)

/** At most this many remembered values per schema; then it starts over (a hostile history cannot grow it). */
const REMEMBERED = 32768

/**
 * `schema`, remembering what it decoded, by a key of the input (inputs without a key are always decoded). Compiled
 * decoders (`fast/compiled.ts`) call its plain decoder directly.
 */
export const remembering = <A, I>(
  schema: Schema.Schema<A, I>,
  keyOf: (input: unknown) => string | undefined
): Schema.Schema<A, unknown> => {
  const decode = ParseResult.decodeUnknownEither(schema)
  const known = new Map<string, A>()
  /** The remembered value, or the input decoded now (and remembered when it has a key). */
  const decodeRemembering = (input: unknown, options?: AST.ParseOptions): Either.Either<A, ParseResult.ParseIssue> => {
    const key = keyOf(input)
    const hit = key === undefined ? undefined : known.get(key)
    if (hit !== undefined) return Either.right(hit)
    const decoded = decode(input, options)
    if (key !== undefined && Either.isRight(decoded)) {
      if (known.size >= REMEMBERED) known.clear()
      known.set(key, Object.freeze(decoded.right))
    }
    return decoded
  }
  const declared = Schema.declare([], {
    decode: () => (input, options) => decodeRemembering(input, options),
    encode: () => (input) => ParseResult.succeed(input)
  })
  declarePlain(declared.ast, (input) => {
    const key = keyOf(input)
    const hit = key === undefined ? undefined : known.get(key)
    if (hit !== undefined) return hit
    const decoded = decodeRemembering(input)
    return Either.isRight(decoded) ? decoded.right : FAIL
  })
  return declared
}
