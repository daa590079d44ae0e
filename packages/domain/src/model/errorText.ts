/**
 * How the errors write their messages.
 *
 * @internal
 */
import { redactTokens } from "./Token.js"

/**
 * Gives an error its message as a plain own property (not a getter of its class): so it shows in `JSON.stringify`,
 * a spread or a structured log like the error's fields do.
 */
export const ownMessage = (error: Error, message: string): void => {
  Object.defineProperty(error, "message", { value: message, enumerable: true, writable: true, configurable: true })
}

/** A value quoted in a message: token values replaced, and quotes and control characters escaped as in JSON. */
export const quoted = (value: string): string => JSON.stringify(redactTokens(value))
