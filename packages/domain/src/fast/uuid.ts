/**
 * A UUID's text checked character by character: what the patterns `^[0-9a-fA-F]{8}-…-[0-9a-fA-F]{12}$` (any case,
 * `Schema.UUID`'s) and `^[0-9a-f]{8}-…-[0-9a-f]{12}$` (lower case, the library's ids) accept, without running a
 * regular expression for each of the ids a replay reads. Equivalence tests: `test/FastFields.test.ts`.
 *
 * @internal
 */

/** Whether a character code is a hex digit: 0-9 and a-f, and A-F too unless `lowerCase`. */
const isHexDigit = (code: number, lowerCase: boolean): boolean =>
  (code >= 48 && code <= 57) || (code >= 97 && code <= 102) || (!lowerCase && code >= 65 && code <= 70)

/** Whether a text is a UUID's: 36 characters, dashes at 8, 13, 18 and 23, hex digits elsewhere. */
export const isUuid = (text: string, lowerCase: boolean): boolean => {
  if (text.length !== 36) return false
  for (let i = 0; i < 36; i++) {
    const code = text.charCodeAt(i)
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45 /* - */) return false
    } else if (!isHexDigit(code, lowerCase)) {
      return false
    }
  }
  return true
}
