/**
 * `authenticate` on its own, over read models built here: every refusal is the one `AuthenticationFailed`, and its
 * cause — which only a debug log and a counter ever see — is the right one, on both ways of running it (composed,
 * and `yield*` inside `Effect.gen`). The token values are made at run time.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Cause, Effect, Equal, Exit, HashMap, Layer, Logger, LogLevel, Metric, Option, Redacted, Schema } from "effect"
import {
  AuthenticationFailed,
  CorruptStoredEvent,
  DirectoryView,
  directoryStream,
  foldProjection,
  type OrganizationId,
  type RevocationReason,
  TokenIndex,
  Token,
  UsageView
} from "../src/index.js"
import * as Versioned from "../src/fast/versioned.js"
import { makeAuthenticate } from "../src/service/authenticate.js"
import type { FreshnessGate } from "../src/service/freshness.js"
import type { ReadModelsState } from "../src/service/liveReadModels.js"
import { domainEvents, tokenEvents, tokenIdOf } from "./golden.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

const failures = (cause: string) =>
  Metric.counter("service_accounts_authentication_failures", {
    description: "authentications refused, by cause"
  }).pipe(Metric.tagged("cause", cause))

/** Read models that hold nothing: every token is unknown to them. */
const emptyState = (): ReadModelsState => ({
  directory: DirectoryView.projection.initialState,
  tokens: TokenIndex.projection.initialState,
  usage: UsageView.projection.initialState,
  revisions: Versioned.empty(),
  quarantined: HashMap.empty()
})

const newToken = (): string => Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))

describe("authenticate", () => {
  it.effect("names each cause of a refusal in its log line and its counter, and accepts what it should", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const { template, issued, revoked: revocation } = tokenEvents(events)
      const issue = (n: number, value: string, organizationId: string) =>
        issued(tokenIdOf(n), Token.digest(value), organizationId)
      const revoke = (n: number, reason: RevocationReason) => revocation(tokenIdOf(n), reason)

      const active = newToken()
      const revoked = newToken()
      const ofDeletedAccount = newToken()
      const ofQuarantined = newToken()
      const revokedOfQuarantined = newToken()
      const tokens = foldProjection(TokenIndex.projection, [
        issue(1, active, "acme"),
        issue(2, revoked, "acme"),
        revoke(2, "Manual"),
        issue(3, ofDeletedAccount, "acme"),
        revoke(3, "ServiceAccountDeleted"),
        issue(4, ofQuarantined, "globex"),
        issue(5, revokedOfQuarantined, "globex"),
        revoke(5, "Manual")
      ])
      const globexStream = directoryStream("globex" as OrganizationId)
      const state: ReadModelsState = {
        directory: DirectoryView.projection.initialState,
        tokens,
        usage: UsageView.projection.initialState,
        revisions: Versioned.empty(),
        quarantined: HashMap.make([
          globexStream,
          new CorruptStoredEvent({ streamId: globexStream, revision: 7n, reason: "does not match its schema" })
        ])
      }
      const gate: FreshnessGate = { stale: false }
      const authenticate = makeAuthenticate(() => state, gate)

      const lines: Array<string> = []
      const logged = Layer.merge(
        Logger.replace(
          Logger.defaultLogger,
          Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
        ),
        Logger.minimumLogLevel(LogLevel.All)
      )
      const changed = (i: number) => active.slice(0, i) + (active[i] === "a" ? "b" : "a") + active.slice(i + 1)
      const refusals: ReadonlyArray<readonly [string, unknown, { readonly organizationId: string } | undefined]> = [
        ["not-a-string", 42, undefined],
        ["not-a-string", { value: active }, undefined],
        ["wrong-length", active.slice(1), undefined],
        ["wrong-length", `${active} `, undefined],
        ["wrong-prefix", `xat_${active.slice(4)}`, undefined],
        ["bad-characters", `${active.slice(0, 10)}-${active.slice(11)}`, undefined],
        ["bad-checksum", changed(20), undefined],
        ["unknown", newToken(), undefined],
        ["revoked", revoked, undefined],
        // A revocation is checked before the organisation: the cause is the stronger one.
        ["revoked", Redacted.make(revoked), { organizationId: "globex" }],
        ["account-deleted", ofDeletedAccount, undefined],
        ["other-organization", active, { organizationId: "globex" }],
        ["other-organization", Redacted.make(active), { organizationId: "" }],
        // A quarantined history refuses its tokens, whatever else is true of them.
        ["corrupt-history", ofQuarantined, undefined],
        ["corrupt-history", ofQuarantined, { organizationId: "globex" }],
        ["corrupt-history", revokedOfQuarantined, undefined]
      ]
      // Read models too far behind the store refuse every value, the good ones first of all.
      const whileStale = refusals.map(([, value, options]) => ["read-models-stale", value, options] as const)
      const staleAt = refusals.length
      for (const [index, [cause, value, options]] of [
        ...refusals,
        ...whileStale,
        ["read-models-stale", active, undefined] as const
      ].entries()) {
        gate.stale = index >= staleAt
        for (const way of ["composed", "yield*"] as const) {
          const counter = failures(cause)
          const before = (yield* Metric.value(counter)).count
          lines.length = 0
          // A careless caller may pass anything: the type says string or Redacted, the check must not rely on it.
          const attempt = authenticate(value as string, options)
          const exit = yield* Effect.exit(
            way === "composed"
              ? attempt
              : Effect.gen(function* () {
                  return yield* attempt
                })
          ).pipe(Effect.provide(logged))
          const label = `${cause} (${way})`
          expect(Exit.isFailure(exit) ? JSON.stringify(exit.cause) : "accepted", label).toContain(
            "AuthenticationFailed"
          )
          expect((yield* Metric.value(counter)).count, label).toBe(before + 1)
          expect(lines, label).toHaveLength(1)
          expect(lines[0], label).toContain(`cause=${cause}`)
          expect(lines[0], label).toContain("level=DEBUG")
          expect(Token.findTokens(lines.join("\n")), label).toEqual([])
        }
      }

      gate.stale = false
      // Accepted: the principal, as a fresh object each time, and nothing logged or counted.
      for (const [value, options] of [
        [active, undefined],
        [Redacted.make(active), undefined],
        [active, { organizationId: "acme" }]
      ] as const) {
        lines.length = 0
        const principal = yield* authenticate(value, options).pipe(Effect.provide(logged))
        expect(principal).toEqual({
          organizationId: "acme",
          serviceAccountId: template.serviceAccountId,
          tokenId: tokenIdOf(1),
          scopes: template.scopes
        })
        expect(principal).not.toBe(yield* authenticate(value, options))
        expect(lines).toEqual([])
      }
    })
  )

  it.effect("with debug logs filtered out, a refusal is still counted, logs nothing, and its error has no stack", () =>
    Effect.gen(function* () {
      const state = emptyState()
      const authenticate = makeAuthenticate(() => state, { stale: false })
      const lines: Array<string> = []
      const quiet = Layer.merge(
        Logger.replace(
          Logger.defaultLogger,
          Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
        ),
        Logger.minimumLogLevel(LogLevel.Info)
      )
      const counter = failures("unknown")
      for (const way of ["composed", "yield*"] as const) {
        const before = (yield* Metric.value(counter)).count
        const attempt = authenticate(newToken())
        const exit = yield* Effect.exit(
          way === "composed"
            ? attempt
            : Effect.gen(function* () {
                return yield* attempt
              })
        ).pipe(Effect.provide(quiet))
        expect(Exit.isFailure(exit), way).toBe(true)
        if (Exit.isSuccess(exit)) continue
        const error = Cause.failureOption(exit.cause)
        expect(Option.isSome(error), way).toBe(true)
        if (Option.isNone(error)) continue
        expect(error.value._tag, way).toBe("AuthenticationFailed")
        expect(String(error.value), way).toBe("AuthenticationFailed: authentication failed")
        // A refusal is an answer, not a fault: no frames of this library in its stack (they cost more than the rest).
        expect(error.value.stack ?? "", way).not.toMatch(/\n\s+at /)
        expect((yield* Metric.value(counter)).count, way).toBe(before + 1)
        expect(lines, way).toEqual([])
      }
      // Whoever builds errors after a refusal still gets their stacks.
      expect(new Error("elsewhere").stack).toMatch(/\n\s+at /)
    })
  )

  it.effect("a refusal's error is an AuthenticationFailed like a constructed one, and each refusal has its own", () =>
    Effect.gen(function* () {
      const state = emptyState()
      const authenticate = makeAuthenticate(() => state, { stale: false })
      const quiet = Logger.minimumLogLevel(LogLevel.Info)
      const first = yield* Effect.flip(authenticate(newToken())).pipe(Effect.provide(quiet))
      const second = yield* Effect.flip(authenticate(newToken())).pipe(Effect.provide(quiet))
      const constructed = new AuthenticationFailed()
      for (const error of [first, second]) {
        expect(error).toBeInstanceOf(AuthenticationFailed)
        expect(error).toBeInstanceOf(Error)
        expect(Object.getPrototypeOf(error)).toBe(Object.getPrototypeOf(constructed))
        expect(Object.keys(error).sort()).toEqual(Object.keys(constructed).sort())
        expect(error.message).toBe(constructed.message)
        expect(error.name).toBe(constructed.name)
        expect(Equal.equals(error, constructed)).toBe(true)
        expect(Schema.is(AuthenticationFailed)(error)).toBe(true)
        expect(Schema.encodeSync(AuthenticationFailed)(error)).toEqual(
          Schema.encodeSync(AuthenticationFailed)(constructed)
        )
      }
      // Not one shared object: what a caller's handler adds to one refusal is not on the next.
      expect(second).not.toBe(first)
      Object.assign(first, { requestId: "r-1" })
      expect("requestId" in second).toBe(false)
      const third = yield* Effect.flip(authenticate(newToken())).pipe(Effect.provide(quiet))
      expect("requestId" in third).toBe(false)
    })
  )

  it.effect("a quiet refusal is counted under the fiber's metric labels, and keeps the span it failed in", () =>
    Effect.gen(function* () {
      const state = emptyState()
      const authenticate = makeAuthenticate(() => state, { stale: false })
      const quiet = Logger.minimumLogLevel(LogLevel.Info)
      const labelled = failures("unknown").pipe(Metric.tagged("host", "api-1"))
      const before = (yield* Metric.value(labelled)).count
      yield* Effect.flip(authenticate(newToken())).pipe(Effect.tagMetrics("host", "api-1"), Effect.provide(quiet))
      expect((yield* Metric.value(labelled)).count).toBe(before + 1)
      // In a span, the failure carries it, as `Effect.fail` attaches it.
      const exit = yield* Effect.exit(authenticate(newToken()).pipe(Effect.withSpan("request"), Effect.provide(quiet)))
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const spans = Cause.reduce(exit.cause, [] as Array<string>, (found, cause) =>
          cause._tag === "Fail" ? Option.some([...found, String(Cause.pretty(Cause.fail(cause.error)))]) : Option.none()
        )
        expect(spans.join("\n")).toMatch(/at request/)
      }
    })
  )
})
