import { describe, expect, it } from "@effect/vitest"
import { ServiceAccounts } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Effect, Option, Tracer } from "effect"
import { servicesOnMemory } from "./support.js"

const acme = administrator("acme")

const services = servicesOnMemory("tracing-test")

/** A tracer that remembers the name (and parent) of every span it is asked to start. */
const recordingTracer = () => {
  const started: Array<{ readonly name: string; readonly parent: string | undefined }> = []
  const native = Effect.runSync(Effect.tracer)
  const tracer = Tracer.make({
    span: (name, parent, context, links, startTime, kind, options) => {
      started.push({ name, parent: Option.isSome(parent) ? parent.value.spanId : undefined })
      return native.span(name, parent, context, links, startTime, kind, options)
    },
    context: (f) => f()
  })
  return { tracer, started }
}

describe("tracing", () => {
  it.effect("with a tracer installed, every command runs in a span of its own, under the caller's span", () =>
    Effect.gen(function* () {
      const { tracer, started } = recordingTracer()
      yield* Effect.gen(function* () {
        const service = yield* ServiceAccounts
        const account = yield* service.create(acme, { name: "deploy-bot" })
        const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
        yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: issued.tokenId })
        yield* service.delete(acme, { serviceAccountId: account.serviceAccountId })
        // A refused command is traced too.
        yield* Effect.flip(service.issueToken(acme, { serviceAccountId: "not-an-id", name: "ci" }))
      }).pipe(Effect.withSpan("caller"), Effect.provide(services), Effect.withTracer(tracer))
      const caller = started.find((span) => span.name === "caller")
      expect(started.filter((span) => span.name.startsWith("ServiceAccounts.")).map((span) => span.name)).toEqual([
        "ServiceAccounts.create",
        "ServiceAccounts.issueToken",
        "ServiceAccounts.revokeToken",
        "ServiceAccounts.delete",
        "ServiceAccounts.issueToken"
      ])
      expect(caller).toBeDefined()
      const callerSpanIds = new Set(started.filter((span) => span.parent !== undefined).map((span) => span.parent))
      expect(callerSpanIds.size).toBe(1)
    })
  )

  it.effect("without one (Effect's default tracer), commands work the same", () =>
    Effect.gen(function* () {
      const service = yield* ServiceAccounts
      const account = yield* service.create(acme, { name: "deploy-bot" })
      const issued = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
      expect(issued.name).toBe("ci")
      const principal = yield* service.authenticate(issued.value)
      expect(principal.tokenId).toBe(issued.tokenId)
    }).pipe(Effect.provide(services))
  )
})
