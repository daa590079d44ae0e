import type { Json } from "../store/EventStore.js"

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
