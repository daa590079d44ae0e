/**
 * Malformed, altered and dead token values presented to `authenticate`. No value is written here: each case is a
 * recipe applied at test time to a fresh, valid value made with `Token.fromEntropy`.
 */
import type { HostileCase } from "./case.js"
import { token } from "./build.js"

/** Each refused with the same AuthenticationFailed. */
export const malformedTokens: ReadonlyArray<HostileCase> = [
  token("token-empty", "malformed tokens", { _tag: "Literal", value: "" }),
  token("token-prefix-only", "malformed tokens", { _tag: "Literal", value: "sat_" }),
  token("token-1-million-characters", "malformed tokens", { _tag: "Repeat", text: "a", times: 1_000_000 }),
  token("token-body-character-changed", "malformed tokens", { _tag: "FlipBody", at: 10 }),
  token("token-first-body-character-changed", "malformed tokens", { _tag: "FlipBody", at: 4 }),
  token("token-checksum-changed", "malformed tokens", { _tag: "FlipChecksum" }),
  token("token-other-prefix", "malformed tokens", { _tag: "Prefix", prefix: "ghp_" }),
  token("token-prefix-upper-case", "malformed tokens", { _tag: "UpperCase" }),
  token("token-leading-space", "malformed tokens", { _tag: "Affix", before: " ", after: "" }),
  token("token-trailing-newline", "malformed tokens", { _tag: "Affix", before: "", after: "\n" }),
  token("token-bearer-prefix", "malformed tokens", { _tag: "Affix", before: "Bearer ", after: "" }),
  token("token-nul-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "\u0000" }),
  token("token-non-ascii-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "é" }),
  token("token-fullwidth-inside", "malformed tokens", { _tag: "Replace", at: 20, with: "Ａ" }),
  token("token-truncated", "malformed tokens", { _tag: "Truncate", by: 1 }),
  token("token-never-issued", "malformed tokens", { _tag: "NeverIssued" }),
  token("token-revoked", "malformed tokens", { _tag: "Revoked" }),
  token("token-of-deleted-account", "malformed tokens", { _tag: "OfDeletedAccount" }),
  token("token-of-other-organization", "malformed tokens", { _tag: "OtherOrganization" }),
  token(
    "token-number",
    "malformed tokens",
    { _tag: "Literal", value: 42 },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-null",
    "malformed tokens",
    { _tag: "Literal", value: null },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-object",
    "malformed tokens",
    { _tag: "Literal", value: { value: "sat_" } },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token(
    "token-undefined",
    "malformed tokens",
    { _tag: "Literal", value: undefined },
    {
      fixed:
        "a value that is neither a string nor a Redacted (a missing header: undefined) makes Redacted.value throw 'Unable to get redacted value': the call dies instead of failing with AuthenticationFailed; check Redacted.isRedacted first"
    }
  ),
  token("token-redacted-number", "malformed tokens", { _tag: "RedactedNonString", value: 42 })
]
