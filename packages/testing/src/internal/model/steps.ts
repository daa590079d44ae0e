/**
 * The steps of a model-based sequence and their arbitrary.
 *
 * @internal
 */
import { FastCheck as fc } from "effect"
import type { CallerInput } from "@service-accounts/domain"
import { collidingName, description, invalidName, refusedCaller, scopes } from "../../Arbitraries.js"

export const ORGS = ["org-a", "org-b"] as const
export const UNKNOWN_ID = "00000000-0000-4000-8000-00000000dead"

/**
 * One step of a sequence. Indexes pick among the accounts and tokens the model knows (deleted and revoked ones
 * included, so refusals are exercised too).
 *
 * @since 0.1.0
 * @category models
 */
export type ModelStep =
  | { readonly _tag: "Create"; readonly org: number; readonly name: string; readonly description: string | undefined }
  | {
      readonly _tag: "Issue"
      readonly org: number
      readonly account: number
      readonly name: string
      readonly scopes: ReadonlyArray<"read" | "write"> | undefined
    }
  | { readonly _tag: "Revoke"; readonly org: number; readonly account: number; readonly token: number }
  | { readonly _tag: "Delete"; readonly org: number; readonly account: number }
  | {
      readonly _tag: "Invalid"
      readonly org: number
      readonly account: number
      readonly field: InvalidField
      readonly value: unknown
    }
  | {
      readonly _tag: "Refused"
      readonly org: number
      readonly account: number
      readonly caller: CallerInput
      readonly command: CommandKind
    }
  | {
      readonly _tag: "Foreign"
      readonly org: number
      readonly account: number
      readonly token: number
      readonly command: Exclude<CommandKind, "create">
    }
  | { readonly _tag: "Authenticate"; readonly token: number; readonly tamper: boolean }
  /** `get` of one of the organisation's accounts (deleted ones too), by its own or the other organisation. */
  | { readonly _tag: "Get"; readonly org: number; readonly account: number; readonly foreign: boolean }
  /** `list` of the organisation's accounts. */
  | { readonly _tag: "List"; readonly org: number }

type CommandKind = "create" | "issue" | "revoke" | "delete"
type InvalidField =
  | "create.name"
  | "create.description"
  | "issue.name"
  | "issue.scopes"
  | "issue.serviceAccountId"
  | "revoke.tokenId"

const org = fc.nat(ORGS.length - 1)
const index = fc.nat(30)

const invalidValue = (field: InvalidField): fc.Arbitrary<unknown> => {
  switch (field) {
    case "create.name":
    case "issue.name":
      return invalidName
    case "create.description":
      return fc.constantFrom("d".repeat(501), "bad\u0000text", 7, { text: "x" })
    case "issue.scopes":
      return fc.constantFrom([], ["admin"], ["read", "read"], "read", [1], null)
    case "issue.serviceAccountId":
    case "revoke.tokenId":
      return fc.constantFrom("", "not-a-uuid", "00000000-0000-4000-8000-00000000DEAD", 12, null, "../../etc/passwd")
  }
}

/**
 * @since 0.1.0
 * @category arbitraries
 */
export const modelStep: fc.Arbitrary<ModelStep> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Create" as const), org, name: collidingName, description }) },
  {
    weight: 6,
    arbitrary: fc.record({ _tag: fc.constant("Issue" as const), org, account: index, name: collidingName, scopes })
  },
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("Revoke" as const), org, account: index, token: index }) },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Delete" as const), org, account: index }) },
  {
    weight: 2,
    arbitrary: fc
      .constantFrom<InvalidField>(
        "create.name",
        "create.description",
        "issue.name",
        "issue.scopes",
        "issue.serviceAccountId",
        "revoke.tokenId"
      )
      .chain((field) =>
        fc.record({
          _tag: fc.constant("Invalid" as const),
          org,
          account: index,
          field: fc.constant(field),
          value: invalidValue(field)
        })
      )
  },
  {
    weight: 2,
    arbitrary: org.chain((o) =>
      fc.record({
        _tag: fc.constant("Refused" as const),
        org: fc.constant(o),
        account: index,
        caller: refusedCaller(ORGS[o] ?? "org-a"),
        command: fc.constantFrom<CommandKind>("create", "issue", "revoke", "delete")
      })
    )
  },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("Foreign" as const),
      org,
      account: index,
      token: index,
      command: fc.constantFrom<Exclude<CommandKind, "create">>("issue", "revoke", "delete")
    })
  },
  {
    weight: 3,
    arbitrary: fc.record({ _tag: fc.constant("Authenticate" as const), token: index, tamper: fc.boolean() })
  },
  {
    weight: 2,
    arbitrary: fc.record({ _tag: fc.constant("Get" as const), org, account: index, foreign: fc.boolean() })
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("List" as const), org }) }
)
