/**
 * The one rule for every string the library stores or indexes — organisation ids, tenant URLs, user ids, roles,
 * plans, command ids, names, descriptions: it must not hold a token value (anything `Token.findTokens` finds). A
 * token pasted into the wrong field would otherwise go into a stream name, an event or its metadata, and from there
 * into every export and read model. The schemas of those fields carry this filter, so callers and commands are
 * refused with `InvalidInput` naming the field, and a stored event that holds one does not decode.
 *
 * @internal
 */
import { Schema } from "effect"
import { findTokens, TOKEN_PREFIX } from "./Token.js"

/** Whether a text holds no token value (most texts have no `sat_` at all, and are passed at once). */
const holdsNoToken = (text: string): boolean => !text.includes(TOKEN_PREFIX) || findTokens(text).length === 0

/** The filter, with the message a refusal shows (`what` names the field; without it, the path does). */
export const tokenFree =
  (what?: string) =>
  <S extends Schema.Schema<string, string>>(self: S): Schema.filter<S> =>
    Schema.filter<S>(holdsNoToken, {
      message: () => `${what === undefined ? "" : `${what} `}must not contain an API token value`
    })(self)
