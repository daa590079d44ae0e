/**
 * `authenticate` has two ways to run: composed (`Effect.exit`, `flatMap`, `runPromise`: the fiber's run loop) and
 * `yield*` inside `Effect.gen`, where an accepted token's principal is handed back without a run-loop step. These
 * tests hold the two to the same answers, the same counted refusals, and the same laziness: an authentication
 * made before a revocation and run after it is refused either way.
 */
import { inspect } from "node:util"
import { describe, expect, it } from "@effect/vitest"
import { ServiceAccounts, Token } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Effect, Either, Exit, Metric, Redacted } from "effect"
import { authenticationFailures as failures, servicesOnMemory } from "./support.js"

const services = servicesOnMemory("authenticate-paths")

const acme = administrator("acme")
const globex = administrator("globex")

/** The outcome through `yield*` (the generator's own way), as an `Either`. */
const viaYield = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function* () {
    return Either.right(yield* effect)
  }).pipe(Effect.catchAll((error) => Effect.succeed(Either.left(error))))

/** The outcome through the run loop, composed. */
const viaLoop = <A, E>(effect: Effect.Effect<A, E>) => Effect.either(Effect.map(effect, (a) => a))

describe("authenticate: yield* and the composed effect agree", () => {
  it.effect("same principal, same refusals, each refusal counted once under its cause on either path", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "ci" })
      const issue = (name: string) =>
        service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name, scopes: ["read"] })
      const kept = yield* issue("kept")
      const revoked = yield* issue("revoked")
      yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: revoked.tokenId })
      const other = yield* service.create(acme, { name: "gone" })
      const orphan = yield* service.issueToken(acme, { serviceAccountId: other.serviceAccountId, name: "orphan" })
      yield* service.delete(acme, { serviceAccountId: other.serviceAccountId })
      const value = Redacted.value(kept.value)

      const cases: ReadonlyArray<readonly [string | undefined, unknown, { organizationId?: string } | undefined]> = [
        [undefined, kept.value, undefined],
        [undefined, value, { organizationId: acme.organization.id }],
        ["other-organization", kept.value, { organizationId: globex.organization.id }],
        ["revoked", revoked.value, undefined],
        ["account-deleted", orphan.value, undefined],
        ["unknown", Token.fromEntropy(new Uint8Array(32).fill(9)), undefined],
        ["bad-checksum", `${value.slice(0, 20)}${value[20] === "a" ? "b" : "a"}${value.slice(21)}`, undefined],
        ["wrong-length", value.slice(2), undefined],
        ["not-a-string", { value }, undefined]
      ]
      for (const [cause, input, options] of cases) {
        const outcomes = []
        for (const path of [viaYield, viaLoop]) {
          const before = cause === undefined ? 0 : (yield* Metric.value(failures(cause))).count
          const outcome = yield* path(service.authenticate(input as string, options))
          if (cause !== undefined) expect((yield* Metric.value(failures(cause))).count, cause).toBe(before + 1)
          outcomes.push(outcome)
        }
        const [first, second] = outcomes
        if (cause === undefined) {
          expect(first).toEqual(
            Either.right({
              organizationId: acme.organization.id,
              serviceAccountId: account.serviceAccountId,
              tokenId: kept.tokenId,
              scopes: ["read"]
            })
          )
        } else {
          expect(
            Either.isLeft(first as Either.Either<unknown, unknown>) && (first as Either.Left<unknown, unknown>).left
          ).toMatchObject({ _tag: "AuthenticationFailed" })
        }
        expect(second).toEqual(first)
      }
    }).pipe(Effect.provide(services))
  )

  it.effect("an authentication is checked when it runs, each time it runs, on either path", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "ci" })
      const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" })
      const authentication = service.authenticate(issued.value)
      // Made before the revocation; run twice before it, then after it.
      expect(Either.isRight(yield* viaYield(authentication))).toBe(true)
      expect(Either.isRight(yield* viaLoop(authentication))).toBe(true)
      yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: issued.tokenId })
      expect(Either.isLeft(yield* viaYield(authentication))).toBe(true)
      expect(Either.isLeft(yield* viaLoop(authentication))).toBe(true)
      expect(Exit.isFailure(yield* Effect.exit(authentication))).toBe(true)
    }).pipe(Effect.provide(services))
  )

  it.effect("each caller gets its own principal, and the effect does not show the value it holds", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "ci" })
      const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "deploy" })
      const value = Redacted.value(issued.value)
      const first = yield* service.authenticate(value)
      // A careless caller changes what it was given: the next caller is not affected.
      ;(first as { organizationId: string }).organizationId = "tampered"
      const second = yield* service.authenticate(value)
      expect(second.organizationId).toBe(acme.organization.id)

      const authentication = service.authenticate(value)
      for (const printed of [
        String(authentication),
        JSON.stringify(authentication),
        inspect(authentication, { showHidden: true, depth: 10 })
      ]) {
        expect(printed).not.toContain(value)
      }
    }).pipe(Effect.provide(services))
  )
})
