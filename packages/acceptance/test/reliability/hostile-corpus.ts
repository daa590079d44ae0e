/**
 * The hostile-input corpus: inputs a careless or malicious caller, or a damaged store, can present to the service.
 * Every case must be refused with the typed error it names, with a short human message, appending nothing and
 * without a defect; hostile.test.ts runs them all and prints how many were.
 *
 * Cases are data, one file of them per kind of hostile input in `hostile/` (their shapes in `hostile/case.ts`).
 * A few hold values that only JavaScript can express (a getter that throws, a Proxy, an object whose fields are
 * inherited): those are marked `exotic` and passed as they are. Strings `$account`, `$token` and `$deleted` stand
 * for a live account's id, one of its active tokens' id and a deleted account's id, filled in at test time. No
 * token value is ever written here: token cases are recipes applied to values made at test time with
 * `Token.fromEntropy`.
 *
 * A case with `gap` is something the library does not refuse yet: the reason says what and why it should. Those
 * run as `.fails` tests, so they cannot pass silently and flip the day the domain refuses them.
 */
import type { HostileCase } from "./hostile/case.js"
import { bidiOverrides, controlCharacters, loneSurrogates } from "./hostile/characters.js"
import { hugeArrays } from "./hostile/hugeArrays.js"
import { caseAndNormalisation, invisibleCharacters } from "./hostile/lookalikes.js"
import { malformedTokens } from "./hostile/malformedTokens.js"
import { oversize } from "./hostile/oversize.js"
import { privilegeSpelling } from "./hostile/privilegeSpelling.js"
import { prototypePollution } from "./hostile/prototypePollution.js"
import { secretsInText } from "./hostile/secretsInText.js"
import { storedEvents } from "./hostile/storedEvents.js"
import { wrongTypes } from "./hostile/wrongTypes.js"

export type {
  CallerCase,
  Category,
  Expected,
  HostileCase,
  InputCase,
  StoredCase,
  TokenCase,
  TokenRecipe
} from "./hostile/case.js"

/** Names created before the corpus runs, which the "case and normalisation" cases collide with. */
export const BASE_ACCOUNT_NAMES = ["deploy-bot", "straße", "file-sync", "café", "k-service", "ⅸ-tool"] as const
/** A token name given to `$account`'s token before the corpus runs. */
export const BASE_TOKEN_NAME = "ci-token"

/** Every case, in this order: the test's per-category figures follow it. */
export const corpus: ReadonlyArray<HostileCase> = [
  ...oversize,
  ...controlCharacters,
  ...bidiOverrides,
  ...caseAndNormalisation,
  ...invisibleCharacters,
  ...loneSurrogates,
  ...wrongTypes,
  ...hugeArrays,
  ...prototypePollution,
  ...privilegeSpelling,
  ...malformedTokens,
  ...storedEvents,
  ...secretsInText
]
