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

/**
 * Copies an event's data as the store keeps it: a deep-frozen tree parsed from its JSON text, which no caller holds.
 *
 * @throws TypeError when the value has no JSON form (a programming error: the port's types forbid it).
 */
export const storeData = (value: Json, what: string): Json => {
  const parsed: Json = JSON.parse(toText(value, what))
  return deepFreeze(parsed)
}

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
  const parsed: Json = JSON.parse(toText(value, what))
  if (!isJsonObject(parsed)) {
    throw new TypeError(`${what} is not a JSON object`)
  }
  return deepFreeze(parsed)
}
