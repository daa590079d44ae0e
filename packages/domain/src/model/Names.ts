/**
 * Names and descriptions, and the comparison that makes names unique.
 *
 * A name is trimmed, 1–100 characters, and has no control or bidirectional-override characters (they
 * would let two names look alike on screen yet differ, or hide text). Uniqueness compares names
 * NFKC-normalised and case-folded, so "Deploy", "deploy " and "ｄｅｐｌｏｙ" are the same name.
 *
 * @example
 * ```ts
 * import { nameKey, ServiceAccountName } from "@service-accounts/domain"
 * import { Schema } from "effect"
 *
 * const name = Schema.decodeUnknownSync(ServiceAccountName)("  deploy-bot ") // "deploy-bot": trimmed
 * const blank = Schema.decodeUnknownEither(ServiceAccountName)("   ") // Left: a service account name must not be empty
 *
 * // Uniqueness compares keys, so these three name one account.
 * nameKey("deploy-bot") === nameKey("Deploy-Bot ") // true
 * nameKey("deploy-bot") === nameKey("ｄｅｐｌｏｙ-ｂｏｔ") // true (full-width letters, NFKC)
 * ```
 *
 * @since 0.1.0
 */
import { Schema } from "effect"
import { tokenFree } from "./tokenFree.js"

// C0 and C1 controls, the line and paragraph separators (U+2028, U+2029), the bidi marks (U+200E, U+200F,
// U+061C), embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069). Lone surrogates are refused too:
// they cannot be stored faithfully as UTF-8.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const forbiddenCharacters = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]/

const hasLoneSurrogate = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1)
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++
        continue
      }
      return true
    }
    if (c >= 0xdc00 && c <= 0xdfff) return true
  }
  return false
}

const characters = (s: string): number => {
  let n = 0
  for (const _ of s) n++
  return n
}

const Text = (what: string, max: number) =>
  Schema.Trim.pipe(
    Schema.filter((s) => !forbiddenCharacters.test(s) && !hasLoneSurrogate(s), {
      message: () => `a ${what} must not contain control characters, bidirectional overrides or lone surrogates`
    }),
    // A string has at most as many characters (code points) as UTF-16 code units.
    Schema.filter((s) => s.length <= max || characters(s) <= max, {
      message: () => `a ${what} must be at most ${max} characters`
    }),
    // A token value pasted into a name would be stored in an event for ever: refuse it.
    tokenFree(`a ${what}`)
  )

const Name = (what: string) =>
  Text(what, 100).pipe(Schema.filter((s) => s.length > 0, { message: () => `a ${what} must not be empty` }))

/**
 * A service account's name: trimmed, 1–100 characters, printable.
 *
 * @since 0.1.0
 * @category schemas
 */
export const ServiceAccountName = Name("service account name").pipe(Schema.brand("ServiceAccountName"))
/**
 * @since 0.1.0
 * @category models
 */
export type ServiceAccountName = typeof ServiceAccountName.Type

/**
 * A token's name: trimmed, 1–100 characters, printable.
 *
 * @since 0.1.0
 * @category schemas
 */
export const TokenName = Name("token name").pipe(Schema.brand("TokenName"))
/**
 * @since 0.1.0
 * @category models
 */
export type TokenName = typeof TokenName.Type

/**
 * A service account's description: trimmed, at most 500 characters, printable (may be empty).
 *
 * @since 0.1.0
 * @category schemas
 */
export const Description = Text("description", 500).pipe(Schema.brand("Description"))
/**
 * @since 0.1.0
 * @category models
 */
export type Description = typeof Description.Type

const printableAscii = /^[\x20-\x7e]*$/

/**
 * The key two names are compared by: trimmed, NFKC-normalised, case-folded.
 *
 * @since 0.1.0
 * @category utils
 */
export const nameKey = (name: string): string =>
  // Printable ASCII is its own NFKC form and holds no invisible character: only the case and the ends change.
  printableAscii.test(name)
    ? name.toLowerCase().trim()
    : // Upper- then lower-casing approximates Unicode case folding (e.g. "ß" and "SS" meet at "ss"); invisible
      // (default-ignorable) characters are dropped, so "deploy\u200Bbot" and "deploybot" are the same name.
      name
        .normalize("NFKC")
        .replace(/\p{Default_Ignorable_Code_Point}/gu, "")
        .toUpperCase()
        .toLowerCase()
        .normalize("NFKC")
        .trim()
