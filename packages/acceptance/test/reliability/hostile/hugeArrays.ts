/**
 * Arrays of a hundred thousand elements where one value or a short list is expected: the refusal must stay short
 * and cheap.
 */
import type { HostileCase } from "./case.js"
import { admin, caller, create, createName, issue, organization } from "./build.js"

/** Huge arrays in every place an array, or a value, is read. */
export const hugeArrays: ReadonlyArray<HostileCase> = [
  issue(
    "scopes-100-thousand-repeats",
    "huge arrays",
    { scopes: Array.from({ length: 100_000 }, () => "read") },
    "scopes"
  ),
  createName(
    "name-array-of-100-thousand",
    "huge arrays",
    Array.from({ length: 100_000 }, () => "deploy-bot")
  ),
  create(
    "create-input-array-of-100-thousand",
    "huge arrays",
    Array.from({ length: 100_000 }, (_, i) => i),
    "(input)"
  ),
  caller(
    "caller-organization-array-of-100-thousand",
    "huge arrays",
    { organization: Array.from({ length: 100_000 }, () => organization), actor: admin },
    "InvalidInput",
    "organization"
  ),
  issue(
    "scopes-10-thousand-unknown",
    "huge arrays",
    { scopes: Array.from({ length: 10_000 }, () => "admin") },
    "scopes",
    {
      fixed:
        "every element's problem is collected (errors: 'all'): 10,000 unknown scopes make a 600 KB message and cost about a second of CPU (1,000,000 make 65 MB and 24 s); the message must stay short (cap the issues, check the array's length first)"
    }
  )
]
