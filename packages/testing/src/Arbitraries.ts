/**
 * fast-check arbitraries (through `effect/FastCheck`) for names, command inputs, callers and whole valid
 * histories.
 *
 * @example
 * ```ts
 * import { nameKey, ServiceAccounts } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { administrator, collidingName } from "@service-accounts/testing"
 * import { Effect, Either, FastCheck as fc, Layer } from "effect"
 * import { it } from "vitest"
 *
 * // `collidingName` draws from a small pool of names that differ by case, spacing, width or an invisible character.
 * it("a second account is refused exactly when its name collides with the first", async () => {
 *   const caller = administrator("acme")
 *   await fc.assert(
 *     fc.asyncProperty(collidingName, collidingName, async (first, second) => {
 *       const outcome = await Effect.gen(function* () {
 *         const accounts = yield* ServiceAccounts
 *         yield* accounts.create(caller, { name: first })
 *         return yield* Effect.either(accounts.create(caller, { name: second }))
 *       }).pipe(Effect.provide(ServiceAccounts.layer.pipe(Layer.provide(memoryStore))), Effect.runPromise)
 *       return Either.isLeft(outcome) === (nameKey(first) === nameKey(second))
 *     }),
 *     { numRuns: 50 }
 *   )
 * })
 * ```
 *
 * @since 0.1.0
 */
import {
  type CallerInput,
  CreateServiceAccount,
  DeleteServiceAccount,
  Directory,
  IssueToken,
  OrganizationId,
  type RecordedEvent,
  makeSeededRandom,
  RevokeToken,
  type ServiceAccountEvent,
  toProposed,
  UserId
} from "@service-accounts/domain"
import { directoryStream } from "@service-accounts/domain"
import { DateTime, FastCheck as fc, Schema } from "effect"

/**
 * Names drawn from a small pool on purpose: collisions — including names that differ only by case, spacing,
 * Unicode width or an invisible character — are what the uniqueness rules are about.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const collidingName: fc.Arbitrary<string> = fc.oneof(
  fc.constantFrom(
    "deploy-bot",
    "Deploy-Bot",
    "  deploy-bot ",
    "ｄｅｐｌｏｙ-ｂｏｔ",
    "ci",
    "CI",
    "backup",
    "Straße",
    "STRASSE",
    "ﬁle-sync",
    "file-sync",
    // A zero-width space: shown like "deploybot", and the same name.
    "deploy\u200bbot",
    "deploybot"
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,11}$/)
)

/**
 * Inputs that are not a valid name, each for a different reason.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const invalidName: fc.Arbitrary<unknown> = fc.constantFrom(
  "",
  "   ",
  "x".repeat(101),
  "bad\u0000name",
  "line\nbreak",
  "evil\u202egnp.exe",
  "isolate\u2066x",
  "lone\ud800surrogate",
  42,
  null,
  ["deploy-bot"],
  { name: "deploy-bot" }
)

/**
 * Valid descriptions, sometimes absent.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const description: fc.Arbitrary<string | undefined> = fc.option(fc.stringMatching(/^[\w .,'()é€-]{0,40}$/), {
  nil: undefined
})

/**
 * Valid scope lists, sometimes absent (the default applies).
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const scopes: fc.Arbitrary<ReadonlyArray<"read" | "write"> | undefined> = fc.option(
  fc.constantFrom<ReadonlyArray<"read" | "write">>(["read"], ["write"], ["read", "write"], ["write", "read"]),
  { nil: undefined }
)

/**
 * A caller: an administrator of an enterprise organisation.
 *
 * @since 0.1.0
 * @category constructors
 */
export const administrator = (organizationId: string, userId = "admin"): CallerInput => ({
  organization: { id: organizationId, plan: "enterprise", tenantUrl: `https://${organizationId}.example.com` },
  actor: { userId, role: "administrator" }
})

/**
 * Callers that must be refused: a member, an unknown role, an administrator on another plan.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const refusedCaller = (organizationId: string): fc.Arbitrary<CallerInput> =>
  fc.constantFrom<CallerInput>(
    { ...administrator(organizationId), actor: { userId: "bob", role: "member" } },
    { ...administrator(organizationId), actor: { userId: "eve", role: "owner?" } },
    {
      organization: { id: organizationId, plan: "team", tenantUrl: `https://${organizationId}.example.com` },
      actor: { userId: "admin", role: "administrator" }
    }
  )

/**
 * An abstract step of a history: indexes pick among the accounts and tokens that exist so far.
 *
 * @since 0.1.0
 * @category models
 */
export type HistoryStep =
  | { readonly _tag: "Create"; readonly name: string; readonly description: string | undefined }
  | { readonly _tag: "Issue"; readonly account: number; readonly name: string }
  | { readonly _tag: "Revoke"; readonly account: number; readonly token: number }
  | { readonly _tag: "Delete"; readonly account: number }

/**
 * @since 0.1.0
 * @category arbitraries
 */
export const historyStep: fc.Arbitrary<HistoryStep> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ _tag: fc.constant("Create" as const), name: collidingName, description }) },
  {
    weight: 5,
    arbitrary: fc.record({ _tag: fc.constant("Issue" as const), account: fc.nat(20), name: collidingName })
  },
  {
    weight: 3,
    arbitrary: fc.record({ _tag: fc.constant("Revoke" as const), account: fc.nat(20), token: fc.nat(20) })
  },
  { weight: 1, arbitrary: fc.record({ _tag: fc.constant("Delete" as const), account: fc.nat(20) }) }
)

const pick = <A>(items: ReadonlyArray<A>, index: number): A | undefined =>
  items.length === 0 ? undefined : items[index % items.length]

/** A clock that stands still at one instant, so histories can be built synchronously and reproducibly. */
/**
 * Runs abstract steps through the domain's pure decider (seeded randomness, a clock advancing one second per
 * step) and returns the recorded history: what a correct store would hold. Refused steps append nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const historyFromSteps = (
  steps: ReadonlyArray<HistoryStep>,
  options: { readonly organizations?: ReadonlyArray<string>; readonly seed?: number } = {}
): ReadonlyArray<RecordedEvent> => {
  const organizations = options.organizations ?? ["org-a"]
  const random = makeSeededRandom(options.seed ?? 0)
  const draw = (length: number): Uint8Array =>
    random.unsafeBytes === undefined || length === 0 ? new Uint8Array(length) : random.unsafeBytes(length)
  {
    const recorded: Array<RecordedEvent> = []
    const states = new Map<string, { state: Directory.DirectoryState; revision: bigint }>()
    const accounts = new Map<string, Array<string>>()
    const tokens = new Map<string, Array<string>>()
    let i = 0
    let now = Date.UTC(2026, 0, 1)
    for (const step of steps) {
      const organizationId = organizations[i++ % organizations.length] ?? "org-a"
      const streamId = directoryStream(OrganizationId.make(organizationId))
      const current = states.get(organizationId) ?? { state: Directory.initialState, revision: -1n }
      const known = accounts.get(organizationId) ?? []
      const account = "account" in step ? pick(known, step.account) : undefined
      let command: Directory.DirectoryCommand | undefined
      switch (step._tag) {
        case "Create":
          command = Schema.decodeUnknownSync(CreateServiceAccount)({
            _tag: "CreateServiceAccount",
            name: step.name,
            ...(step.description === undefined ? {} : { description: step.description })
          })
          break
        case "Issue":
          if (account !== undefined) {
            command = Schema.decodeUnknownSync(IssueToken)({
              _tag: "IssueToken",
              serviceAccountId: account,
              name: step.name
            })
          }
          break
        case "Revoke": {
          const token = account === undefined ? undefined : pick(tokens.get(account) ?? [], step.token)
          if (account !== undefined && token !== undefined) {
            command = Schema.decodeUnknownSync(RevokeToken)({
              _tag: "RevokeToken",
              serviceAccountId: account,
              tokenId: token
            })
          }
          break
        }
        case "Delete":
          if (account !== undefined) {
            command = Schema.decodeUnknownSync(DeleteServiceAccount)({
              _tag: "DeleteServiceAccount",
              serviceAccountId: account
            })
          }
          break
      }
      now += 1000
      if (command === undefined) continue
      const decision = Directory.decider.decide(command, current.state, {
        organizationId: OrganizationId.make(organizationId),
        tenantUrl: `https://${organizationId}.example.com`,
        actor: { userId: UserId.make("admin"), role: "administrator" },
        now: DateTime.unsafeMake(now),
        random: draw(Directory.randomBytesFor(command))
      })
      if (decision._tag === "Left") continue
      const events: ReadonlyArray<ServiceAccountEvent> = decision.right.events
      const proposed = toProposed(streamId, events, { idempotencyKey: `step-${recorded.length}` })
      let revision = current.revision
      let state = current.state
      for (const [index, event] of events.entries()) {
        revision += 1n
        state = Directory.evolve(state, event)
        const p = proposed[index]
        if (p === undefined) continue
        recorded.push({
          streamId,
          revision,
          position: BigInt(recorded.length),
          eventId: p.eventId,
          type: p.type,
          data: p.data,
          metadata: p.metadata,
          recordedAt: new Date(0)
        })
        if (event._tag === "ServiceAccountCreated") accounts.set(organizationId, [...known, event.serviceAccountId])
        if (event._tag === "TokenIssued") {
          tokens.set(event.serviceAccountId, [...(tokens.get(event.serviceAccountId) ?? []), event.tokenId])
        }
      }
      states.set(organizationId, { state, revision })
    }
    return recorded
  }
}

/**
 * Valid histories, as a correct store would hold them after random commands in one or two organisations.
 *
 * @since 0.1.0
 * @category arbitraries
 */
export const validHistory = (
  options: { readonly maxSteps?: number } = {}
): fc.Arbitrary<ReadonlyArray<RecordedEvent>> =>
  fc
    .tuple(fc.array(historyStep, { maxLength: options.maxSteps ?? 40 }), fc.integer(), fc.boolean())
    .map(([steps, seed, two]) => historyFromSteps(steps, { seed, organizations: two ? ["org-a", "org-b"] : ["org-a"] }))
