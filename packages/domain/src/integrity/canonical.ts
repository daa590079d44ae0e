/**
 * Canonical JSON: object keys sorted (by UTF-16 code units), no whitespace, strings escaped as `JSON.stringify`
 * escapes them — the encoding every integrity digest is computed over (see `Integrity.canonicalJson`).
 *
 * @internal
 */
import type { Json } from "../store/EventStore.js"

// What JSON.stringify escapes in a string: quotes, backslashes, control characters and (lone) surrogates. A string
// without any is its own JSON text between quotes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

export const quote = (text: string): string => (ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`)

/** Object keys as JSON text: events use a few dozen keys over and over, so each is quoted once (bounded). */
const quotedKeys = new Map<string, string>()
const QUOTED_KEYS = 512

const quoteKey = (key: string): string => {
  let quoted = quotedKeys.get(key)
  if (quoted === undefined) {
    quoted = quote(key)
    if (key.length <= 64) {
      if (quotedKeys.size >= QUOTED_KEYS) quotedKeys.clear()
      quotedKeys.set(key, quoted)
    }
  }
  return quoted
}

/**
 * An object's keys in the order `Array.prototype.sort` gives them (by UTF-16 code units). Events have a dozen keys at
 * most: sorting them by insertion in place allocates nothing, where `sort` makes a work copy.
 */
const sortedKeys = (record: object): Array<string> => {
  const keys = Object.keys(record)
  if (keys.length > 16) return keys.sort()
  for (let i = 1; i < keys.length; i++) {
    const key = keys[i] as string
    let j = i - 1
    while (j >= 0 && (keys[j] as string) > key) {
      keys[j + 1] = keys[j] as string
      j--
    }
    keys[j + 1] = key
  }
  return keys
}

/** `canonicalJson`, leaving out one top-level key of an object (`undefined`: none). */
export const canonicalWithout = (value: Json, skip: string | undefined): string => {
  if (typeof value === "string") return quote(value)
  if (value === null || typeof value !== "object") return JSON.stringify(value)
  if (Array.isArray(value)) {
    let out = "["
    for (let i = 0; i < value.length; i++) {
      const item: Json | undefined = value[i]
      // As `JSON.stringify` would have it inside `join`: a hole or an `undefined` item leaves an empty slot.
      out += `${i === 0 ? "" : ","}${item === undefined ? "" : canonicalWithout(item, undefined)}`
    }
    return `${out}]`
  }
  const record = value as { readonly [key: string]: Json | undefined }
  const keys = sortedKeys(record)
  let out = "{"
  let first = true
  for (const key of keys) {
    const item = record[key]
    if (item === undefined || key === skip) continue
    out += `${first ? "" : ","}${quoteKey(key)}:${canonicalWithout(item, undefined)}`
    first = false
  }
  return `${out}}`
}
