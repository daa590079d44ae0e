/**
 * How the errors write their messages.
 *
 * @internal
 */
import { quoteSafely } from "./Token.js"

/**
 * Gives an error its message as a plain own property (not a getter of its class): so it shows in `JSON.stringify`,
 * a spread or a structured log like the error's fields do.
 */
export const ownMessage = (error: Error, message: string): void => {
  Object.defineProperty(error, "message", { value: message, enumerable: true, writable: true, configurable: true })
}

/**
 * A value quoted in a message: as everywhere input is quoted (`Token.quoteSafely`: token values replaced, control and
 * invisible characters escaped, at most 300 characters), between double quotes, with the quotes in it escaped.
 */
export const quoted = (value: string): string => `"${quoteSafely(value).replaceAll('"', '\\"')}"`
