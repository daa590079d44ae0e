import type { Json } from "@service-accounts/domain"

/**
 * Freezes a freshly parsed JSON tree in place. Only ever called on trees this module created, so nobody else holds
 * a reference that could have changed them before the freeze.
 */
const deepFreeze = <A extends Json>(value: A): A => {
  if (typeof value === "object" && value !== null) {
    for (const child of Object.values(value)) {
      deepFreeze(child)
    }
    Object.freeze(value)
  }
  return value
}

/**
 * The text a store of bytes would keep for a value. Going through JSON text (rather than a structural clone) gives
 * the memory store the same semantics as a real store: `undefined` members vanish, `toJSON` is honoured, and a value
 * that is not JSON at all (a `bigint`, a cycle) is refused instead of being stored in a form no other store accepts.
 */
const toText = (value: unknown, what: string): string => {
  let text: string | undefined
  try {
    text = JSON.stringify(value)
  } catch (error) {
    throw new TypeError(`${what} is not JSON: ${error instanceof Error ? error.message : String(error)}`)
  }
  if (text === undefined) {
    throw new TypeError(`${what} is not JSON: ${typeof value} has no JSON form`)
  }
  return text
}

/** Met by the direct copy where JSON text would do something else than copy: the value goes through the text. */
class NeedsText {}
const needsText = new NeedsText()

/** Deeper than this, the direct copy hands over to JSON text (which also reports cycles). */
const MAX_DIRECT_DEPTH = 64

/**
 * A deep-frozen copy of plain JSON data, made directly (several times faster than printing and parsing it). It
 * gives exactly what `JSON.parse(JSON.stringify(value))` would, or throws `needsText` as soon as the value holds
 * anything for which JSON text behaves otherwise than a plain copy: a non-finite number, a `bigint`, a function or
 * symbol, an `undefined` array item, a `toJSON` method, an object that is not a plain object (a `Date`, a class
 * instance), a `__proto__` key, or nesting deep enough to be a cycle. An `undefined` member of an object is left
 * out, as JSON text leaves it out.
 */
const directCopy = (value: unknown, depth: number): Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return value
    case "number":
      if (!Number.isFinite(value)) throw needsText
      // JSON text has no negative zero.
      return value === 0 ? 0 : value
    case "object": {
      if (value === null) return null
      if (depth > MAX_DIRECT_DEPTH || typeof (value as { readonly toJSON?: unknown }).toJSON === "function") {
        throw needsText
      }
      if (Array.isArray(value)) {
        const items: Array<Json> = new Array(value.length)
        for (let i = 0; i < value.length; i++) {
          const item: unknown = value[i]
          if (item === undefined) throw needsText
          items[i] = directCopy(item, depth + 1)
        }
        return Object.freeze(items)
      }
      if (Object.getPrototypeOf(value) !== Object.prototype) throw needsText
      const copy: { [key: string]: Json } = {}
      for (const key of Object.keys(value)) {
        if (key === "__proto__") throw needsText
        const item: unknown = (value as { readonly [key: string]: unknown })[key]
        if (item !== undefined) copy[key] = directCopy(item, depth + 1)
      }
      return Object.freeze(copy)
    }
    default:
      throw needsText
  }
}

/** The stored copy of a value: direct when it is plain JSON data, through its JSON text otherwise. */
const storedCopy = (value: unknown, what: string): Json => {
  try {
    return directCopy(value, 0)
  } catch (error) {
    if (error !== needsText) throw error
    const parsed: Json = JSON.parse(toText(value, what))
    return deepFreeze(parsed)
  }
}

/**
 * Copies an event's data as the store keeps it: a deep-frozen tree that no caller holds, exactly what parsing its
 * JSON text would give.
 *
 * @throws TypeError when the value has no JSON form (a programming error: the port's types forbid it).
 */
export const storeData = (value: Json, what: string): Json => storedCopy(value, what)

const isJsonObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Copies an event's metadata as the store keeps it (see `storeData`); it must be a JSON object.
 *
 * @throws TypeError when the value is not a JSON object.
 */
export const storeMetadata = (
  value: { readonly [key: string]: Json },
  what: string
): { readonly [key: string]: Json } => {
  const copied = storedCopy(value, what)
  if (!isJsonObject(copied)) {
    throw new TypeError(`${what} is not a JSON object`)
  }
  return copied
}
