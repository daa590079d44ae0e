/**
 * Names that look like one already taken: the same name in another case or Unicode normalisation, or with an
 * invisible character inside. Each must collide with one of BASE_ACCOUNT_NAMES (or BASE_TOKEN_NAME).
 */
import type { HostileCase } from "./case.js"
import { duplicateAccount, duplicateToken } from "./build.js"

/** The same name as one of BASE_ACCOUNT_NAMES (or BASE_TOKEN_NAME), spelt otherwise. */
export const caseAndNormalisation: ReadonlyArray<HostileCase> = [
  duplicateAccount("upper-case", "DEPLOY-BOT"),
  duplicateAccount("mixed-case", "Deploy-Bot"),
  duplicateAccount("padded", "   deploy-bot   "),
  duplicateAccount("fullwidth", "ｄｅｐｌｏｙ-ｂｏｔ"),
  duplicateAccount("fullwidth-upper", "ＤＥＰＬＯＹ-ＢＯＴ"),
  duplicateAccount("trailing-byte-order-mark", "deploy-bot\ufeff"),
  duplicateAccount("sharp-s-upper", "STRASSE"),
  duplicateAccount("sharp-s-capital", "Straße"),
  duplicateAccount("ligature-fi", "ﬁle-sync"),
  duplicateAccount("decomposed-e-acute", "cafe\u0301"),
  duplicateAccount("upper-e-acute", "CAFÉ"),
  duplicateAccount("kelvin-sign", "\u212a-service"),
  duplicateAccount("roman-numeral-nine-ascii", "IX-tool"),
  duplicateAccount("roman-numeral-nine-fullwidth", "ｉｘ-TOOL"),
  duplicateToken("token-upper-case", "CI-TOKEN"),
  duplicateToken("token-fullwidth", "ｃｉ-token"),
  duplicateToken("token-padded", "  ci-token ")
]

/** The same name to the eye, with an invisible character inside. */
export const invisibleCharacters: ReadonlyArray<HostileCase> = [
  duplicateAccount("zero-width-space", "deploy\u200b-bot", {
    category: "invisible characters",
    fixed:
      "U+200B ZERO WIDTH SPACE is invisible and NFKC keeps it: 'deploy\\u200b-bot' lives next to 'deploy-bot'; the name key should drop Default_Ignorable_Code_Point characters"
  }),
  duplicateAccount("word-joiner", "deploy\u2060-bot", {
    category: "invisible characters",
    fixed: "U+2060 WORD JOINER is invisible (Default_Ignorable); the name key keeps it"
  }),
  duplicateAccount("soft-hyphen", "deploy\u00ad-bot", {
    category: "invisible characters",
    fixed: "U+00AD SOFT HYPHEN is invisible (Default_Ignorable); the name key keeps it"
  }),
  duplicateAccount("zero-width-joiner", "deploy-\u200dbot", {
    category: "invisible characters",
    fixed: "U+200D ZERO WIDTH JOINER is invisible outside joining scripts (Default_Ignorable); the name key keeps it"
  })
]
