/**
 * `authenticate`: a token value to the principal it stands for — one SHA-256 (in binary form) and one look-up in
 * the token index (see `tokenSlots.ts`). Every refusal is the same `AuthenticationFailed`; the cause goes to a
 * debug log and a metric only.
 *
 * Only values of a token's length are hashed. The checksum is checked when the digest is not in the index, to name
 * the cause (a mistyped or made-up value against an unknown one): a value whose digest is in the index was issued
 * here, so it is well-formed, and checking its checksum first would only add work to every accepted request.
 * Which values are refused does not depend on the order — a malformed value is never in the index.
 *
 * The effect it returns (`Authentication`) reads the read models when it runs, like any effect, and runs the
 * usual way when composed (`Effect.flatMap`, `pipe`, `runPromise`: it is a commit primitive). It also has a faster
 * way for the commonest use, `yield*` inside `Effect.gen`: `yield*` asks the effect for an iterator at the moment
 * the generator reaches it — that is, while the enclosing effect runs — so the check is made right there, and an
 * accepted token's principal is handed back to the generator at once, without a trip through the fiber's run
 * loop (a run-loop step costs about as much as the whole check). A refusal still goes through the run loop, so it
 * is logged and counted exactly as on the composed path. See ADR 0005.
 */
import {
  Effect,
  Effectable,
  Exit,
  FiberRef,
  HashMap,
  LogLevel,
  Metric,
  MetricKey,
  Option,
  Redacted,
  Utils
} from "effect"
import { AuthenticationFailed } from "../model/Errors.js"
import type { Principal, ServiceAccountsShape } from "./ServiceAccountsShape.js"
import { directoryStream } from "../store/StoredEvent.js"
import * as Token from "../model/Token.js"
import type { FreshnessGate } from "./freshness.js"
import type { ReadModelsState } from "./liveReadModels.js"
import { binaryDigest } from "../fast/tokenSlots.js"
import { type TokenSlot, slotFor } from "../readModels/TokenIndex.js"

const authenticationFailures = MetricKey.counter("service_accounts_authentication_failures", {
  description: "authentications refused, by cause"
})

/**
 * The refusals' counter for one cause: the same metric as `Metric.tagged(counter, "cause", cause)`, with the tag in
 * its key. Updating a `Metric.tagged` counter builds and hashes a new key with its tags on every update (tens of
 * microseconds in a process that has been idle, most of a refusal's cost); this one finds its registry entry once.
 */
const failuresBy = (cause: FailureCause) =>
  Metric.fromMetricKey(MetricKey.tagged(authenticationFailures, "cause", cause))

type FailureCause =
  | Token.MalformedReason
  | "not-a-string"
  | "unknown"
  | "revoked"
  | "account-deleted"
  | "other-organization"
  | "corrupt-history"
  | "read-models-stale"

const refusals = new Map<FailureCause, Effect.Effect<never, AuthenticationFailed>>()

/**
 * The error of one refusal. A new one each time (the fiber that fails with it may attach its span to it, a caller's
 * handler may add to it), but made without capturing a stack: a refusal is an answer, not a fault, and its stack
 * would only show this module's frames. Capturing one cost more than the rest of a refusal together — the price an
 * attacker could make a host pay for every made-up token it sends.
 *
 * Nor does it run the class's constructor, which merges the schema's (empty) defaults on every call: the error has
 * no fields, so every refusal's error is the same three own properties (`stack`, `_tag`, `message`) on the class's
 * prototype, copied from one made once. The copy is an `AuthenticationFailed` like any other (a test holds it to a
 * constructed one: prototype, properties, equality, encoding).
 */
const template: AuthenticationFailed = (() => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new AuthenticationFailed({}, { disableValidation: true })
  } finally {
    Error.stackTraceLimit = limit
  }
})()
const templatePrototype: object = Object.getPrototypeOf(template)
const templateProperties = Object.getOwnPropertyDescriptors(template)

const failure = (): AuthenticationFailed =>
  Object.defineProperties(Object.create(templatePrototype), templateProperties)

/**
 * The effect of a refusal: a count under its cause, a debug log of the cause (built only when debug logs are let
 * through), then the one `AuthenticationFailed`.
 *
 * The common case (debug logs filtered out) is one step: the count is added at once, under the fiber's metric
 * labels, and the failure is handed back as an `Exit`. A refusal is the one path of `authenticate` a process
 * rarely runs — a revoked token refused for the first time — so every step it takes runs cold; the step-by-step
 * version (`Metric.increment`, then `Effect.fail`, which also looks for a span to attach) took about twice as long
 * there. When the fiber is in a span (a tracer is installed), the failure goes through `Effect.fail`, which attaches it.
 */
const refuse = (cause: FailureCause): Effect.Effect<never, AuthenticationFailed> => {
  let refusal = refusals.get(cause)
  if (refusal === undefined) {
    const counter = failuresBy(cause)
    const verbose = Effect.logDebug("authentication failed").pipe(
      Effect.annotateLogs({ cause }),
      Effect.zipRight(Metric.increment(counter)),
      Effect.zipRight(Effect.suspend(() => Effect.fail(failure())))
    )
    refusal = Effect.withFiberRuntime((fiber) => {
      if (!LogLevel.greaterThan(fiber.getFiberRef(FiberRef.currentMinimumLogLevel), LogLevel.Debug)) return verbose
      counter.unsafeUpdate(1, fiber.getFiberRef(FiberRef.currentMetricLabels))
      return fiber.currentSpan === undefined ? Exit.fail(failure()) : Effect.fail(failure())
    })
    refusals.set(cause, refusal)
  }
  return refusal
}

type AuthenticateOptions = Parameters<ServiceAccountsShape["authenticate"]>[1]

/** The check itself, synchronous: the token's slot, or why the value is refused. */
const check = (
  state: ReadModelsState,
  gate: FreshnessGate,
  value: unknown,
  options: AuthenticateOptions
): TokenSlot | FailureCause => {
  // Read models too far behind the store may not know of a revocation made elsewhere (see freshness.ts).
  if (gate.stale) return "read-models-stale"
  // Whatever arrives — a string, a Redacted, or anything else a careless caller passes — is only ever read.
  const raw: unknown =
    typeof value === "string" ? value : Redacted.isRedacted(value) ? Redacted.value(value) : undefined
  if (typeof raw !== "string") return "not-a-string"
  if (raw.length !== Token.TOKEN_LENGTH) return "wrong-length"
  const token = slotFor(state.tokens, binaryDigest(raw))
  if (token === undefined) return Token.checkFormat(raw) ?? "unknown"
  // A token whose organisation's history cannot be read fails closed: a revocation may be what is unreadable.
  if (HashMap.size(state.quarantined) > 0 && HashMap.has(state.quarantined, directoryStream(token.organizationId))) {
    return "corrupt-history"
  }
  if (Option.isSome(token.revoked)) return token.revoked.value === "Manual" ? "revoked" : "account-deleted"
  if (options?.organizationId !== undefined && options.organizationId !== token.organizationId) {
    return "other-organization"
  }
  return token
}

/** An iterator that is finished from the start: `yield*` over it evaluates to `value` without yielding. */
class Done<A> {
  constructor(private readonly value: A) {}
  next(): IteratorReturnResult<A> {
    return { done: true, value: this.value }
  }
  return(): IteratorReturnResult<A> {
    return { done: true, value: this.value }
  }
  [Symbol.iterator](): this {
    return this
  }
}

/** What every authentication of one service shares. */
interface Context {
  readonly current: () => ReadModelsState
  readonly gate: FreshnessGate
  /** Counts an accepted request as a use of its token (when the caller asked for it). */
  readonly record: (token: TokenSlot) => void
}

/** The check, and the use recorded when it accepts and the caller asked for it. */
const run = (context: Context, value: unknown, options: AuthenticateOptions): Principal | FailureCause => {
  const token = check(context.current(), context.gate, value, options)
  if (typeof token === "string") return token
  if (options?.record === true) context.record(token)
  // A new object for each caller: nothing a caller does to it reaches the index.
  return {
    organizationId: token.organizationId,
    serviceAccountId: token.serviceAccountId,
    tokenId: token.tokenId,
    scopes: token.scopes
  }
}

/** `authenticate(value, options)` as an effect; the value is kept in a private field, out of any printout. */
class Authentication extends Effectable.Class<Principal, AuthenticationFailed> {
  readonly #context: Context
  readonly #value: unknown
  readonly #options: AuthenticateOptions
  constructor(context: Context, value: unknown, options: AuthenticateOptions) {
    super()
    this.#context = context
    this.#value = value
    this.#options = options
  }

  commit(): Effect.Effect<Principal, AuthenticationFailed> {
    const outcome = run(this.#context, this.#value, this.#options)
    return typeof outcome === "string" ? refuse(outcome) : Exit.succeed(outcome)
  }

  override [Symbol.iterator](): Effect.EffectGenerator<Effect.Effect<Principal, AuthenticationFailed>> {
    const outcome = run(this.#context, this.#value, this.#options)
    return typeof outcome === "string"
      ? new Utils.SingleShotGen(new Utils.YieldWrap(refuse(outcome)))
      : new Done(outcome)
  }
}

export const makeAuthenticate = (
  current: () => ReadModelsState,
  gate: FreshnessGate,
  record: (token: TokenSlot) => void = () => {}
): ServiceAccountsShape["authenticate"] => {
  const context: Context = { current, gate, record }
  return (value, options) => new Authentication(context, value, options)
}
