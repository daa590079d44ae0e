import type { Json } from "@service-accounts/domain"

/** Whether a JSON value is an object (not an array, not null). */
export const isJsonObject = (value: Json): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Wraps any JSON value so that a client, which runs `JSON.stringify` over the data of an `application/json` event,
 * writes exactly that value's JSON. The clients' types only admit objects, arrays and strings as data, while the
 * port admits every JSON value (numbers, booleans, `null` too); `JSON.stringify` honours `toJSON`, so the wrapper
 * serialises to the value itself and the stored bytes are the same as for a plain value.
 */
export const jsonPayload = (value: Json): { toJSON(): Json } => ({ toJSON: () => value })
