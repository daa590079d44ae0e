/**
 * One process of the multi-process test (`../instances.test.ts`): a `ServiceAccounts` service over the EventStoreDB
 * adapter, running random commands on the organisations it shares with the other processes until the parent says
 * stop, then catching up, snapshotting and authenticating on request. Run with tsx by the parent, one per process.
 *
 * Environment: `SA_INSTANCE_CONNECTION` (the test server's connection string), `SA_INSTANCE_SEED` (the choices'
 * seed), `SA_INSTANCE_ORGS` (the organisations, comma-separated), `SA_INSTANCE_ADAPTER` (`eventstoredb`, the
 * default, or `kurrentdb`: which adapter, and so which client, the service runs on).
 */
import { randomUUID } from "node:crypto"
import { type CallerInput, type EventStore, ServiceAccounts } from "@service-accounts/domain"
import { Cause, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Redacted, Schedule } from "effect"
import { decodeToChild, type FromChild, type IssuedToken, type ToChild } from "./protocol.js"

const env = (name: string): string => {
  const value = process.env[name]
  if (value === undefined || value === "") throw new Error(`${name} is not set`)
  return value
}

const send = (message: FromChild): void => {
  process.send?.(message)
}

const fail = (message: string): never => {
  send({ _tag: "Failed", message })
  process.exit(1)
}

/** A small seeded generator for the choices (which command, which account): not for anything secret. */
const seeded = (seed: number) => {
  let state = seed >>> 0
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  return { next, below: (n: number) => Math.floor(next() * n) }
}

/** Refusals a command may meet when several processes write the same organisations: typed, expected. */
const EXPECTED = new Set([
  "ServiceAccountNotFound",
  "TokenNotFound",
  "TokenAlreadyRevoked",
  "DuplicateServiceAccountName",
  "DuplicateTokenName",
  // A conflict that outlasted the service's retries: nothing was written.
  "ConcurrencyConflict",
  // An issue re-sent with its command id after its first reply was lost: written, its value gone with the reply.
  "TokenAlreadyIssued"
])

/** An administrator of an Enterprise organisation (the test kit's `administrator`, whose module needs vitest). */
const administrator = (organizationId: string): CallerInput => ({
  organization: { id: organizationId, plan: "enterprise", tenantUrl: `https://${organizationId}.example.com` },
  actor: { userId: "admin", role: "administrator" }
})

/**
 * The event store of the adapter asked for (only its `EventStore` is used). Only that adapter is loaded: the two
 * clients' generated protobuf classes share global names, and with both loaded the older client serialises its
 * `BatchAppend` requests with the newer client's classes and fails every append (docs/eventstoredb.md: one adapter
 * per process).
 */
const storeLayer: Layer.Layer<EventStore, { readonly _tag: "InvalidConnectionString" }> =
  process.env.SA_INSTANCE_ADAPTER === "kurrentdb"
    ? (await import("@service-accounts/store-kurrentdb")).layer({ connectionString: env("SA_INSTANCE_CONNECTION") })
    : (await import("@service-accounts/store-eventstoredb")).layer({ connectionString: env("SA_INSTANCE_CONNECTION") })

const random = seeded(Number(env("SA_INSTANCE_SEED")))
const organizations = env("SA_INSTANCE_ORGS").split(",")
const runtime = ManagedRuntime.make(
  ServiceAccounts.layer.pipe(Layer.provide(storeLayer), Layer.provide(Logger.minimumLogLevel(LogLevel.Error)))
)

const outcomes: Record<string, number> = {}
const issued: Array<IssuedToken> = []
let resent = 0
let done = 0
let stopping = false

const count = (key: string) => {
  outcomes[key] = (outcomes[key] ?? 0) + 1
}

/**
 * Runs a command until its outcome is definite: while the store fails it as retryable (the server restarting, a
 * connection lost), it is sent again with the same caller — the same command id — so a write whose reply was lost
 * is answered from the history, never made twice.
 */
const definite = async <A, E extends { readonly _tag: string }>(
  name: string,
  command: () => Effect.Effect<A, E>
): Promise<A | undefined> => {
  for (let attempt = 0; ; attempt++) {
    const exit = await runtime.runPromiseExit(command())
    if (Exit.isSuccess(exit)) {
      count(`${name}: ok`)
      return exit.value
    }
    const failure = Cause.failureOption(exit.cause)
    if (failure._tag === "None") return fail(`${name} died: ${Cause.pretty(exit.cause)}`)
    const tag = failure.value._tag
    if (tag === "EventStoreUnavailable" && attempt < 200) {
      resent++
      // Back off a little (up to 1 s): a restarting server is back in well under a second, its clients a little later.
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, 20 * 2 ** Math.min(attempt, 6))))
      continue
    }
    if (!EXPECTED.has(tag)) return fail(`${name} failed with ${tag}: ${Cause.pretty(exit.cause)}`)
    count(`${name}: ${tag}`)
    return undefined
  }
}

/** Issues a token and keeps its value, to be checked by every process at the end. */
const issue = async (
  service: typeof ServiceAccounts.Service,
  caller: CallerInput,
  serviceAccountId: string,
  name: string
): Promise<void> => {
  const token = await definite("issueToken", () => service.issueToken(caller, { serviceAccountId, name }))
  if (token !== undefined) issued.push({ tokenId: token.tokenId, value: Redacted.value(token.value) })
}

/** One random command on one of the shared organisations, chosen from what this process's read models show. */
const oneCommand = async (service: typeof ServiceAccounts.Service): Promise<void> => {
  const organization = organizations[random.below(organizations.length)] ?? "org"
  const caller: CallerInput = { ...administrator(organization), commandId: randomUUID() }
  const { accounts } = await runtime.runPromise(service.list(caller))
  const account = accounts[random.below(accounts.length)]
  const roll = random.next()
  if (account === undefined || accounts.length < 3 || roll < 0.15) {
    await definite("create", () => service.create(caller, { name: `bot-${random.below(6)}` }))
    return
  }
  const active = account.tokens.filter((token) => token.status === "active")
  const token = active[random.below(active.length)]
  if (roll < 0.6 || token === undefined) {
    await issue(service, caller, account.serviceAccountId, `t-${random.below(8)}`)
  } else if (roll < 0.93) {
    await definite("revokeToken", () =>
      service.revokeToken(caller, { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId })
    )
  } else {
    await definite("delete", () => service.delete(caller, { serviceAccountId: account.serviceAccountId }))
  }
}

/** Catches up with the store (read-your-writes across processes), then waits until `authenticate` answers. */
const caughtUp = async (service: typeof ServiceAccounts.Service): Promise<void> => {
  await runtime.runPromise(service.catchUp.pipe(Effect.retry(Schedule.spaced("100 millis"))))
  await runtime.runPromise(
    service.readiness.pipe(
      Effect.repeat({ schedule: Schedule.spaced("20 millis"), until: (readiness) => readiness.ready })
    )
  )
}

const handle = async (service: typeof ServiceAccounts.Service, message: ToChild): Promise<void> => {
  switch (message._tag) {
    case "Stop":
      stopping = true
      return
    case "Snapshot": {
      await caughtUp(service)
      const written = await runtime.runPromise(service.snapshot)
      if (written === undefined) return fail("the read models held nothing to snapshot")
      send({ _tag: "Snapshotted", position: String(written.position) })
      return
    }
    case "Verify": {
      await caughtUp(service)
      const accepted: Array<string> = []
      for (const token of message.tokens) {
        const exit = await runtime.runPromiseExit(service.authenticate(Redacted.make(token.value)))
        if (Exit.isSuccess(exit)) accepted.push(token.tokenId)
      }
      send({ _tag: "Verified", accepted })
      return
    }
    case "Exit":
      await runtime.dispose()
      process.exit(0)
  }
}

const main = async (): Promise<void> => {
  const service = await runtime.runPromise(ServiceAccounts)
  process.on("message", (raw: unknown) => {
    handle(service, decodeToChild(raw)).catch((error: unknown) => fail(`handling a message failed: ${String(error)}`))
  })
  // The parent going away (a failed test) takes this process with it.
  process.on("disconnect", () => process.exit(1))
  send({ _tag: "Ready" })
  while (!stopping) {
    await oneCommand(service)
    done++
    send({ _tag: "Progress", done })
  }
  send({ _tag: "Stopped", outcomes, resent, issued })
}

main().catch((error: unknown) => fail(`the process failed: ${error instanceof Error ? error.stack : String(error)}`))
