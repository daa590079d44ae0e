/**
 * Characters that have no place in a name or a description: control characters (C0, C1 and the line and paragraph
 * separators), bidirectional overrides and marks, and UTF-16 surrogates that do not pair.
 */
import type { HostileCase } from "./case.js"
import { createDescription, createName, issue } from "./build.js"

/** C0 and C1 controls, and the Unicode separators that break a line as \n does. */
export const controlCharacters: ReadonlyArray<HostileCase> = [
  createName("name-nul", "control characters", "bad\u0000name"),
  createName("name-bell", "control characters", "a\u0007b"),
  createName("name-tab-inside", "control characters", "tab\tinside"),
  createName("name-newline", "control characters", "line\nbreak"),
  createName("name-carriage-return", "control characters", "carriage\rreturn"),
  createName("name-ansi-escape", "control characters", "\u001b[31mred\u001b[0m"),
  createName("name-delete", "control characters", "del\u007fete"),
  createName("name-next-line-c1", "control characters", "next\u0085line"),
  createName("name-csi-c1", "control characters", "csi\u009b31m"),
  createName("name-trailing-nul", "control characters", "trailing\u0000"),
  createDescription("description-nul", "control characters", "bad\u0000text"),
  createDescription("description-newline", "control characters", "two\nlines"),
  issue("token-name-escape", "control characters", { name: "esc\u001bape" }, "name"),
  createName("name-line-separator", "control characters", "line\u2028separator", {
    fixed:
      "U+2028 LINE SEPARATOR breaks a line like \\n does (in UIs, logs, JSON-in-JS); names refuse \\n but accept it"
  }),
  createName("name-paragraph-separator", "control characters", "paragraph\u2029separator", {
    fixed: "U+2029 PARAGRAPH SEPARATOR breaks a line like \\n does; names refuse \\n but accept it"
  })
]

/** Bidirectional overrides, isolates and marks (the Trojan Source characters). */
export const bidiOverrides: ReadonlyArray<HostileCase> = [
  createName("name-lre", "bidi overrides", "abc\u202adef"),
  createName("name-rle", "bidi overrides", "abc\u202bdef"),
  createName("name-pdf", "bidi overrides", "abc\u202cdef"),
  createName("name-lro", "bidi overrides", "abc\u202ddef"),
  createName("name-rlo-trojan-source", "bidi overrides", "invoice\u202egpj.exe"),
  createName("name-lri", "bidi overrides", "abc\u2066def"),
  createName("name-rli", "bidi overrides", "abc\u2067def"),
  createName("name-fsi", "bidi overrides", "abc\u2068def"),
  createName("name-pdi", "bidi overrides", "abc\u2069def"),
  createDescription("description-rlo", "bidi overrides", "harmless\u202eeno suoregnad"),
  issue("token-name-rli", "bidi overrides", { name: "ci\u2067-token" }, "name"),
  createName("name-left-to-right-mark", "bidi overrides", "deploy\u200ebot", {
    fixed:
      "U+200E LEFT-TO-RIGHT MARK is a Bidi_Control character like the overrides refused: invisible, it makes names that look alike differ"
  }),
  createName("name-right-to-left-mark", "bidi overrides", "deploy\u200fbot", {
    fixed: "U+200F RIGHT-TO-LEFT MARK is a Bidi_Control character like the overrides refused"
  }),
  createName("name-arabic-letter-mark", "bidi overrides", "deploy\u061cbot", {
    fixed: "U+061C ARABIC LETTER MARK is a Bidi_Control character like the overrides refused"
  })
]

/** Half a surrogate pair: not Unicode text at all. */
export const loneSurrogates: ReadonlyArray<HostileCase> = [
  createName("name-lone-high-surrogate", "lone surrogates", "\ud800"),
  createName("name-lone-low-surrogate", "lone surrogates", "\udfff"),
  createName("name-high-surrogate-at-end", "lone surrogates", "abc\ud83d"),
  createName("name-low-surrogate-at-start", "lone surrogates", "\ude00abc"),
  createName("name-reversed-pair", "lone surrogates", "\ude00\ud83d"),
  createDescription("description-lone-surrogate", "lone surrogates", "x\udc00y"),
  issue("token-name-lone-surrogate", "lone surrogates", { name: "\udbff" }, "name")
]
