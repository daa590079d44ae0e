/**
 * A token value pasted where text goes (`$value`, filled in at test time with a fresh value): names and
 * descriptions must refuse it, as secret scanners do.
 */
import type { HostileCase } from "./case.js"
import { createDescription, createName, issue } from "./build.js"

/** A token value as a name, in a description, as a token name. */
export const secretsInText: ReadonlyArray<HostileCase> = [
  createName("token-value-as-account-name", "secrets in text", "$value", {
    fixed:
      "a token value as a name is stored in the event, the read models and the audit trail for ever (checkInvariants then reports I6); names should refuse well-formed token values (Token.findTokens), as secret scanners do"
  }),
  createDescription("token-value-in-description", "secrets in text", "the key is $value", {
    fixed: "a token value in a description is stored for ever; descriptions should refuse well-formed token values"
  }),
  issue("token-value-as-token-name", "secrets in text", { name: "$value" }, "name", {
    fixed: "a token value as a token name is stored for ever; token names should refuse well-formed token values"
  })
]
