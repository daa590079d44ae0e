import type { JSONType } from "@eventstore/db-client"
import type { Json } from "@service-accounts/domain"

/** Whether a parsed value is JSON as the port defines it (finite numbers only). */
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

/** Whether a JSON value is an object (not an array, not null). */
export const isJsonObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Wraps any JSON value so that the client, which runs `JSON.stringify` over the data of an `application/json`
 * event, writes exactly that value's JSON. The client's types only admit objects, arrays and strings as data, while
 * the port admits every JSON value (numbers, booleans, `null` too); `JSON.stringify` honours `toJSON`, so the wrapper
 * serialises to the value itself and the stored bytes are the same as for a plain value.
 */
export const jsonPayload = (value: Json): JSONType => ({ toJSON: () => value })
