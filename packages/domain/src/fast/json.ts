/**
 * JSON as stored: what `isJson` accepts. Defined here, below every layer, so that the store's port and the speed
 * machinery share it; the port re-exports it as `Json`.
 *
 * @internal
 */
export type Json = null | boolean | number | string | ReadonlyArray<Json> | { readonly [key: string]: Json }

/**
 * Whether a value is JSON as the port defines it: strings, finite numbers, booleans, null, and arrays and plain
 * objects of them (binary data, such as a `Uint8Array`, is not).
 */
export const isJson = (value: unknown): value is Json => {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true
    case "number":
      return Number.isFinite(value)
    case "object":
      if (value === null) return true
      if (Array.isArray(value)) return value.every(isJson)
      if (value instanceof Uint8Array) return false
      return Object.values(value).every(isJson)
    default:
      return false
  }
}
