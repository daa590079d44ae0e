/**
 * A token value in the wrong place — a client that put its token in the role field, a command id, an unknown key —
 * is refused, appends nothing, and never comes back in the refusal: not in its message, `field`, issues,
 * `String(error)`, JSON form or stack, nor in a log line. First one attempt per caller and command field, then a
 * property run that plants token values in every string position (values, unknown keys, nested paths, roles,
 * plans, values of other types) of callers and commands.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  type CallerInput,
  EventStore,
  ServiceAccounts,
  type ServiceAccountsShape,
  Token
} from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Cause, Effect, Exit, FastCheck as fc, Option, Runtime, Stream } from "effect"
import { servicesOnMemoryLogging } from "./support.js"

const RUNS = Number(process.env.SA_TOKEN_PLANT_RUNS ?? 300)
const SEED = Number(process.env.SA_TOKEN_PLANT_SEED ?? 1919)

const json = (value: unknown): string =>
  JSON.stringify(value, (_key, item: unknown) => (typeof item === "bigint" ? String(item) : item)) ?? ""

/** Every form in which a refusal reaches a log or a response. */
const errorTexts = (error: unknown): ReadonlyArray<readonly [string, string]> => {
  if (typeof error !== "object" || error === null) return [["the error", String(error)]]
  const record = error as { readonly message?: unknown; readonly field?: unknown; readonly issues?: unknown }
  return [
    ["message", String(record.message)],
    ["String(error)", String(error)],
    ["JSON", json(error)],
    ["field", String(record.field)],
    ["issues", json(record.issues)],
    ["stack", error instanceof Error ? String(error.stack) : ""]
  ]
}

/** Where a text shows the value or any other token value. */
const leaksIn = (value: string, texts: ReadonlyArray<readonly [string, string]>): ReadonlyArray<string> =>
  texts.filter(([, text]) => text.includes(value) || Token.findTokens(text).length > 0).map(([where]) => where)

const failureOf = (exit: Exit.Exit<unknown, unknown>): unknown =>
  Exit.isFailure(exit) ? Option.getOrUndefined(Cause.failureOption(exit.cause)) : undefined

const tagOf = (exit: Exit.Exit<unknown, unknown>): string => {
  if (Exit.isSuccess(exit)) return "success"
  const error = failureOf(exit)
  return typeof error === "object" && error !== null && "_tag" in error ? String(error._tag) : "defect"
}

const acme = administrator("acme")

/**
 * The service and its store, with an account and a token to aim commands at (so a planted value is the only thing
 * wrong with a command), and how many events the store holds then.
 */
const setUp = Effect.gen(function* () {
  const service = yield* ServiceAccounts
  const store = yield* EventStore
  const account = yield* service.create(acme, { name: "target" })
  const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "t" })
  const ids = { serviceAccountId: account.serviceAccountId, tokenId: issued.tokenId }
  return { service, store, ids, before: yield* Stream.runCount(store.readAll()) }
})

type Operation = "create" | "issue" | "revoke" | "delete" | "get" | "list" | "auditTrail"

const call = (
  service: ServiceAccountsShape,
  operation: Operation,
  caller: unknown,
  input: unknown
): Effect.Effect<unknown, unknown> => {
  // Deliberately ill-typed input, as a hostile or careless caller would send it.
  const asCaller = caller as CallerInput
  switch (operation) {
    case "create":
      return service.create(asCaller, input as Parameters<ServiceAccountsShape["create"]>[1])
    case "issue":
      return service.issueToken(asCaller, input as Parameters<ServiceAccountsShape["issueToken"]>[1])
    case "revoke":
      return service.revokeToken(asCaller, input as Parameters<ServiceAccountsShape["revokeToken"]>[1])
    case "delete":
      return service.delete(asCaller, input as Parameters<ServiceAccountsShape["delete"]>[1])
    case "get":
      return service.get(asCaller, input as string)
    case "list":
      return service.list(asCaller)
    case "auditTrail":
      return service.auditTrail(asCaller)
  }
}

const validInput = (operation: Operation, ids: { readonly serviceAccountId: string; readonly tokenId: string }) => {
  switch (operation) {
    case "create":
      return { name: "fresh", description: "a description" }
    case "issue":
      return { serviceAccountId: ids.serviceAccountId, name: "fresh", scopes: ["read"] }
    case "revoke":
      return { serviceAccountId: ids.serviceAccountId, tokenId: ids.tokenId }
    case "delete":
      return { serviceAccountId: ids.serviceAccountId }
    case "get":
      return ids.serviceAccountId
    case "list":
    case "auditTrail":
      return undefined
  }
}

describe("token values in callers and commands", () => {
  it.effect("a token value in each caller and command field is refused, appends nothing and is never repeated", () => {
    const lines: Array<string> = []
    return Effect.gen(function* () {
      const { service, store, ids, before } = yield* setUp
      const secret = Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32)))
      const org = acme.organization
      const callers: ReadonlyArray<readonly [string, string, unknown]> = [
        ["organization.id", "organization", { ...acme, organization: { ...org, id: secret } }],
        ["organization.plan", "organization", { ...acme, organization: { ...org, plan: secret } }],
        ["organization.tenantUrl", "organization", { ...acme, organization: { ...org, tenantUrl: secret } }],
        [
          "organization.tenantUrl",
          "organization",
          { ...acme, organization: { ...org, tenantUrl: `https://acme.example.com/${secret}` } }
        ],
        ["actor.userId", "actor", { ...acme, actor: { ...acme.actor, userId: secret } }],
        ["actor.role", "actor", { ...acme, actor: { ...acme.actor, role: secret } }],
        ["commandId", "commandId", { ...acme, commandId: secret }],
        ["commandId", "commandId", { ...acme, commandId: `retry-${secret}` }],
        [`actor.${secret}`, "actor", { ...acme, actor: { ...acme.actor, [secret]: "x" } }],
        [secret, secret, { ...acme, [secret]: "x" }]
      ]
      const operations: ReadonlyArray<Operation> = ["create", "issue", "revoke", "delete", "get", "list", "auditTrail"]
      const commands: ReadonlyArray<readonly [Operation, string, string, unknown]> = [
        ["create", "name", "name", { name: secret }],
        ["create", "name", "name", { name: `deploy ${secret}` }],
        ["create", "description", "description", { name: "fresh", description: secret }],
        ["create", secret, secret, { name: "fresh", [secret]: true }],
        ["issue", "serviceAccountId", "serviceAccountId", { serviceAccountId: secret, name: "fresh" }],
        ["issue", "name", "name", { serviceAccountId: ids.serviceAccountId, name: secret }],
        ["issue", "scopes.0", "scopes", { serviceAccountId: ids.serviceAccountId, name: "fresh", scopes: [secret] }],
        ["revoke", "serviceAccountId", "serviceAccountId", { serviceAccountId: secret, tokenId: ids.tokenId }],
        ["revoke", "tokenId", "tokenId", { serviceAccountId: ids.serviceAccountId, tokenId: secret }],
        ["delete", "serviceAccountId", "serviceAccountId", { serviceAccountId: secret }],
        ["delete", "serviceAccountId", "serviceAccountId", { serviceAccountId: { [secret]: 1 } }],
        [
          "delete",
          `extra.${secret}`,
          "extra",
          { serviceAccountId: ids.serviceAccountId, extra: { [secret]: () => 1 } }
        ],
        ["get", "serviceAccountId", "serviceAccountId", secret]
      ]
      const attempts: Array<{ label: string; path: string; field: string; effect: Effect.Effect<unknown, unknown> }> =
        []
      for (const [path, field, caller] of callers) {
        for (const operation of operations) {
          attempts.push({
            label: `${operation} by a caller with a token value at ${path.replace(secret, "<token>")}`,
            path,
            field,
            effect: call(service, operation, caller, validInput(operation, ids))
          })
        }
      }
      for (const [operation, path, field, input] of commands) {
        attempts.push({
          label: `${operation} with a token value at ${path.replace(secret, "<token>")}`,
          path,
          field,
          effect: call(service, operation, acme, input)
        })
      }
      for (const { label, path, field, effect } of attempts) {
        const exit = yield* Effect.exit(effect)
        expect(tagOf(exit), label).toBe("InvalidInput")
        const error = failureOf(exit) as { readonly field: string; readonly issues: ReadonlyArray<{ path: string }> }
        // The field and the path are named, with the value (when it is a key) redacted.
        expect(error.field, label).toBe(field.replace(secret, "[REDACTED]"))
        expect(
          error.issues.map((issue) => issue.path),
          label
        ).toContain(path.replace(secret, "[REDACTED]"))
        expect(leaksIn(secret, errorTexts(error)), label).toEqual([])
      }
      expect(yield* Stream.runCount(store.readAll())).toBe(before)
      expect(
        leaksIn(
          secret,
          lines.map((line, i) => [`log line ${i}`, line])
        )
      ).toEqual([])
      // The store holds no trace of the value (the test's own token does not count: its value was not planted).
      const history = yield* Stream.runCollect(store.readAll())
      expect(json([...history]).includes(secret)).toBe(false)
    }).pipe(Effect.provide(servicesOnMemoryLogging("token-values", lines)))
  })
})

// --- the property run -------------------------------------------------------------------------------------------

/** One step of the path to the planted value: a field the input has, a made-up key, or the token value as a key. */
type Segment =
  | { readonly _tag: "Known"; readonly index: number }
  | { readonly _tag: "Made"; readonly key: string }
  | { readonly _tag: "TokenKey" }

/** What is planted at the end of the path; `t` is the token value. */
type Leaf =
  | "value"
  | "surrounded"
  | "in-url"
  | "in-array"
  | "as-key"
  | "as-key-of-function"
  | "as-key-too-deep"
  | "as-key-of-huge-array"

interface Plant {
  readonly entropy: Uint8Array
  readonly operation: Operation
  readonly inCaller: boolean
  readonly withCommandId: boolean
  readonly path: ReadonlyArray<Segment>
  readonly leaf: Leaf
  readonly before: string
  readonly after: string
}

const segment: fc.Arbitrary<Segment> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ _tag: fc.constant("Known" as const), index: fc.nat(5) }) },
  {
    weight: 1,
    arbitrary: fc.record({
      _tag: fc.constant("Made" as const),
      // `_tag` is overwritten by the service (commands are passed without it) and `__proto__` is not an own key
      // once assigned: neither would carry the value into the input.
      key: fc.string({ maxLength: 8 }).filter((key) => key !== "_tag" && key !== "__proto__")
    })
  },
  { weight: 2, arbitrary: fc.constant({ _tag: "TokenKey" as const }) }
)

const plant: fc.Arbitrary<Plant> = fc.record({
  entropy: fc.uint8Array({ minLength: 32, maxLength: 32 }),
  operation: fc.constantFrom<Operation>("create", "issue", "revoke", "delete", "get", "list", "auditTrail"),
  inCaller: fc.boolean(),
  withCommandId: fc.boolean(),
  path: fc.array(segment, { minLength: 1, maxLength: 4 }),
  leaf: fc.constantFrom<Leaf>(
    "value",
    "surrounded",
    "in-url",
    "in-array",
    "as-key",
    "as-key-of-function",
    "as-key-too-deep",
    "as-key-of-huge-array"
  ),
  before: fc.string({ maxLength: 6 }),
  after: fc.string({ maxLength: 6 })
})

const leafOf = (leaf: Leaf, t: string, before: string, after: string): unknown => {
  switch (leaf) {
    case "value":
      return t
    case "surrounded":
      return `${before}${t}${after}`
    case "in-url":
      return `https://acme.example.com/${before}/${t}`
    case "in-array":
      return [before, t]
    case "as-key":
      return { [t]: before }
    case "as-key-of-function":
      return { [t]: () => before }
    case "as-key-too-deep": {
      let nested: unknown = after
      for (let i = 0; i < 20; i++) nested = { [before === "" ? "x" : before]: nested }
      return { [t]: nested }
    }
    case "as-key-of-huge-array":
      return { [t]: Array.from({ length: 1_001 }, () => 0) }
  }
}

type Plain = { [key: string]: unknown }

const isObject = (value: unknown): value is Plain =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/** A copy of `base` with the leaf set at the end of the path; a path through a non-object makes one there. */
const planted = (base: unknown, path: ReadonlyArray<Segment>, leaf: unknown, t: string): unknown => {
  const [first, ...rest] = path
  if (first === undefined) return leaf
  if (Array.isArray(base)) {
    // Arrays are read by index only: any other key would be dropped along with the value.
    const items: Array<unknown> = [...base]
    const index = first._tag === "Known" ? first.index % (items.length + 1) : items.length
    items[index] = planted(items[index], rest, leaf, t)
    return items
  }
  const node: Plain = isObject(base) ? { ...base } : {}
  const keys = Object.keys(node)
  const key =
    first._tag === "TokenKey"
      ? t
      : first._tag === "Made"
        ? first.key
        : (keys[first.index % Math.max(keys.length, 1)] ?? "x")
  node[key] = planted(node[key], rest, leaf, t)
  return node
}

describe("token values planted anywhere (property)", () => {
  it.effect(
    `${RUNS} callers and commands, a token value planted in each: refused, nothing appended, never repeated`,
    () => {
      const lines: Array<string> = []
      return Effect.gen(function* () {
        const { service, store, ids, before } = yield* setUp
        const runtime = yield* Effect.runtime<never>()
        yield* Effect.promise(() =>
          fc.assert(
            fc.asyncProperty(plant, async (p) => {
              const t = Token.fromEntropy(p.entropy)
              const leaf = leafOf(p.leaf, t, p.before, p.after)
              const baseCaller = p.withCommandId ? { ...acme, commandId: "cmd-1" } : acme
              const baseInput = validInput(p.operation, ids)
              // `list` and `auditTrail` take no input: the value goes into their caller.
              const inCaller = p.inCaller || baseInput === undefined
              const caller = inCaller ? planted(baseCaller, p.path, leaf, t) : baseCaller
              const input = inCaller ? baseInput : planted(baseInput, p.path, leaf, t)
              lines.length = 0
              const exit = await Runtime.runPromise(runtime)(Effect.exit(call(service, p.operation, caller, input)))
              const problems: Array<string> = []
              const tag = tagOf(exit)
              if (tag === "success" || tag === "defect") problems.push(`the attempt ended in ${tag}`)
              for (const where of leaksIn(t, errorTexts(failureOf(exit)))) problems.push(`the value is in the ${where}`)
              if (
                leaksIn(
                  t,
                  lines.map((line, i) => [`log line ${i}`, line])
                ).length > 0
              )
                problems.push("a log line")
              const count = await Runtime.runPromise(runtime)(Stream.runCount(store.readAll()))
              if (count !== before) problems.push(`${count - before} event(s) appended`)
              // fast-check prints the counterexample; the value itself is made from `entropy` at run time.
              expect(problems, `${p.operation} ${tag}`).toEqual([])
            }),
            { numRuns: RUNS, seed: SEED }
          )
        )
        // The run never touched the store, and the value issued by `setUp` stays where it belongs.
        expect(yield* Stream.runCount(store.readAll())).toBe(before)
      }).pipe(Effect.provide(servicesOnMemoryLogging("token-plants", lines)))
    }
  )
})
