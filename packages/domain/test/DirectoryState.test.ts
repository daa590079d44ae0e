import { describe, expect, it } from "@effect/vitest"
import { DateTime, FastCheck as fc, Option, Schema } from "effect"
import {
  CreateServiceAccount,
  DeleteServiceAccount,
  Directory,
  IssueToken,
  OrganizationId,
  RevokeToken,
  ServiceAccount,
  type ServiceAccountEvent,
  UserId
} from "../src/index.js"

/** A decision's context: its random bytes made from `seed`, so each decision draws its own. */
const context = (command: Directory.DirectoryCommand, seed: number): Directory.DecisionContext => ({
  organizationId: OrganizationId.make("org-1"),
  tenantUrl: "https://org-1.example.com",
  actor: { userId: UserId.make("alice"), role: "administrator" },
  now: DateTime.unsafeMake(0),
  random: Uint8Array.from({ length: Directory.randomBytesFor(command) }, (_, i) => (seed * 131 + i * 17) & 0xff)
})

/** An abstract step: indexes pick among the accounts and tokens that exist when the step runs. */
type Step =
  | { readonly _tag: "create"; readonly name: number }
  | { readonly _tag: "issue"; readonly account: number; readonly name: number }
  | { readonly _tag: "revoke"; readonly account: number; readonly token: number }
  | { readonly _tag: "delete"; readonly account: number }

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ _tag: fc.constant("create" as const), name: fc.nat(5) }),
  fc.record({ _tag: fc.constant("issue" as const), account: fc.nat(), name: fc.nat(4) }),
  fc.record({ _tag: fc.constant("issue" as const), account: fc.nat(), name: fc.nat(4) }),
  fc.record({ _tag: fc.constant("revoke" as const), account: fc.nat(), token: fc.nat() }),
  fc.record({ _tag: fc.constant("delete" as const), account: fc.nat() })
)

/** The model: live accounts in a plain array, each with its tokens in issue order. */
interface ModelAccount {
  readonly id: string
  readonly name: string
  readonly tokens: Array<{ id: string; name: string; active: boolean; sequence: number }>
}

const pick = <A>(items: ReadonlyArray<A>, index: number): A | undefined =>
  items.length === 0 ? undefined : items[index % items.length]

/** The command a step stands for, given the model (`undefined`: nothing to pick from). */
const commandOf = (model: ReadonlyArray<ModelAccount>, s: Step): Directory.DirectoryCommand | undefined => {
  switch (s._tag) {
    case "create":
      return Schema.decodeUnknownSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name: `bot-${s.name}` })
    case "issue": {
      const account = pick(model, s.account)
      return account === undefined
        ? undefined
        : Schema.decodeUnknownSync(IssueToken)({
            _tag: "IssueToken",
            serviceAccountId: account.id,
            name: `t-${s.name}`
          })
    }
    case "revoke": {
      const account = pick(model, s.account)
      const token = account === undefined ? undefined : pick(account.tokens, s.token)
      return account === undefined || token === undefined
        ? undefined
        : Schema.decodeUnknownSync(RevokeToken)({
            _tag: "RevokeToken",
            serviceAccountId: account.id,
            tokenId: token.id
          })
    }
    case "delete": {
      const account = pick(model, s.account)
      return account === undefined
        ? undefined
        : Schema.decodeUnknownSync(DeleteServiceAccount)({ _tag: "DeleteServiceAccount", serviceAccountId: account.id })
    }
  }
}

/** Folds an event into the model, as the brief states the rules. */
const modelEvolve = (model: Array<ModelAccount>, event: ServiceAccountEvent): Array<ModelAccount> => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      return [...model, { id: event.serviceAccountId, name: event.name, tokens: [] }]
    case "TokenIssued":
      return model.map((a) =>
        a.id === event.serviceAccountId
          ? {
              ...a,
              tokens: [...a.tokens, { id: event.tokenId, name: event.name, active: true, sequence: a.tokens.length }]
            }
          : a
      )
    case "TokenRevoked":
      return model.map((a) =>
        a.id === event.serviceAccountId
          ? { ...a, tokens: a.tokens.map((t) => (t.id === event.tokenId ? { ...t, active: false } : t)) }
          : a
      )
    case "ServiceAccountDeleted":
      return model.filter((a) => a.id !== event.serviceAccountId)
  }
}

/** What a state says, in a form to compare: its accounts sorted by id, with their tokens in issue order. */
const describeState = (state: Directory.DirectoryState) =>
  Directory.accounts(state)
    .map((a) => ({ id: a.id, name: a.name, tokens: a.tokens.map((t) => ({ ...t })) }))
    .sort((a, b) => (a.id < b.id ? -1 : 1))

const describeModel = (model: ReadonlyArray<ModelAccount>) =>
  model.map((a) => ({ id: a.id, name: a.name, tokens: a.tokens })).sort((a, b) => (a.id < b.id ? -1 : 1))

describe("DirectoryState", () => {
  it("is a pure value: every state of a fold still reads as it did, in whatever order the states are read (property)", () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 60 }), fc.array(fc.nat(), { maxLength: 40 }), (steps, reads) => {
        let state = Directory.initialState
        let model: Array<ModelAccount> = []
        const states: Array<Directory.DirectoryState> = [state]
        const models: Array<ReadonlyArray<ModelAccount>> = [model]
        for (const [i, s] of steps.entries()) {
          const command = commandOf(model, s)
          if (command === undefined) continue
          const decided = Directory.decider.decide(command, state, context(command, i))
          if (decided._tag === "Left") continue
          for (const event of decided.right.events) {
            state = Directory.evolve(state, event)
            model = modelEvolve(model, event)
          }
          states.push(state)
          models.push(model)
          // The state just made agrees with the model.
          expect(describeState(state)).toEqual(describeModel(model))
        }
        // Older states, read after later ones were made and in any order, still hold what they held.
        for (const r of reads) {
          const at = r % states.length
          expect(describeState(states[at] as Directory.DirectoryState)).toEqual(describeModel(models[at] ?? []))
        }
      }),
      { numRuns: 200 }
    )
  })

  it("answers the uniqueness questions the deciders ask, as of each state", () => {
    const decide = (state: Directory.DirectoryState, command: Directory.DirectoryCommand, seed: number) => {
      const decided = Directory.decider.decide(command, state, context(command, seed))
      if (decided._tag === "Left") throw new Error(`refused: ${decided.left.message}`)
      return decided.right
    }
    const created = decide(
      Directory.initialState,
      Schema.decodeUnknownSync(CreateServiceAccount)({ _tag: "CreateServiceAccount", name: "Deploy-Bot" }),
      1
    )
    const s1 = created.events.reduce(Directory.evolve, Directory.initialState)
    const id = created.output._tag === "Created" ? created.output.serviceAccountId : undefined
    expect(Directory.accountNamed(s1, "deploy-bot")).toEqual(Option.fromNullable(id))
    const issued = decide(
      s1,
      Schema.decodeUnknownSync(IssueToken)({ _tag: "IssueToken", serviceAccountId: id, name: "CI" }),
      2
    )
    const s2 = issued.events.reduce(Directory.evolve, s1)
    const account = Option.getOrThrow(Directory.account(s2, id as never))
    expect(ServiceAccount.activeTokenNamed(account, "ci")).toEqual(Option.some(account.tokens[0]?.id))
    // The first state has the account without the token; the snapshot taken from s2 is not changed by reading s1.
    expect(Option.getOrThrow(Directory.account(s1, id as never)).tokens).toEqual([])
    expect(account.tokens).toHaveLength(1)
    const deleted = decide(
      s2,
      Schema.decodeUnknownSync(DeleteServiceAccount)({ _tag: "DeleteServiceAccount", serviceAccountId: id }),
      3
    )
    const s3 = deleted.events.reduce(Directory.evolve, s2)
    expect(Directory.accountNamed(s3, "deploy-bot")).toEqual(Option.none())
    expect(Directory.account(s3, id as never)).toEqual(Option.none())
    expect(ServiceAccount.activeTokenIds(Option.getOrThrow(Directory.account(s2, id as never)))).toHaveLength(1)
  })
})
