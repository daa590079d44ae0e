/**
 * `sa-audit token <id>`: one token's life — who issued it for which account, with which scopes, and when and why
 * it stopped being valid.
 */
import { Args, Command } from "@effect/cli"
import { type Actor, type DomainEvent, Token, TokenId } from "@service-accounts/domain"
import { Console, DateTime, Effect, Stream } from "effect"
import * as Render from "../Render.js"
import { domainEvents, FindingsReported, format, openSource, sourceOptions } from "./shared.js"

const tokenId = Args.text({ name: "token-id" }).pipe(
  Args.withSchema(TokenId.annotations({ message: () => "the token id must be a lower-case UUID" })),
  Args.withDescription("The token's id (a UUID, as the directory and the audit trail show it).")
)

interface Step {
  readonly position: bigint
  readonly occurredAt: DateTime.Utc
  readonly actor: Actor
  readonly action: string
  readonly detail: string
}

interface Life {
  organizationId?: string
  serviceAccountId?: string
  accountName?: string
  name?: string
  hint?: string
  scopes?: ReadonlyArray<string>
  issuedAt?: DateTime.Utc
  endedAt?: DateTime.Utc
  endedBecause?: string
  readonly steps: Array<Step>
}

/** Accounts' names (one entry per account, not per event), and the token's own steps. */
const trace = (id: TokenId, names: Map<string, string>, life: Life) => (recorded: DomainEvent) => {
  const { event } = recorded
  const step = (action: string, detail: string) =>
    life.steps.push({ position: recorded.position, occurredAt: event.occurredAt, actor: event.actor, action, detail })
  switch (event._tag) {
    case "ServiceAccountCreated":
      names.set(event.serviceAccountId, event.name)
      return
    case "TokenIssued":
      if (event.tokenId !== id) return
      life.organizationId = event.organizationId
      life.serviceAccountId = event.serviceAccountId
      life.name = event.name
      life.hint = event.hint
      life.scopes = event.scopes
      life.issuedAt = event.occurredAt
      life.accountName = names.get(event.serviceAccountId) ?? "(unknown)"
      return step("issued", `"${event.name}" …${event.hint}, scopes ${event.scopes.join(", ")}`)
    case "TokenRevoked":
      if (event.tokenId !== id) return
      if (life.endedAt === undefined) {
        life.endedAt = event.occurredAt
        life.endedBecause = event.reason
      }
      return step("revoked", event.reason === "Manual" ? "revoked by hand" : "revoked because its account was deleted")
    case "ServiceAccountDeleted":
      if (event.serviceAccountId !== life.serviceAccountId) return
      return step(
        "account deleted",
        event.revokedTokenIds.includes(id) ? "its account was deleted, revoking it" : "its account was deleted"
      )
  }
}

const time = DateTime.formatIso

/** The command. */
export const token = Command.make("token", { ...sourceOptions, tokenId, format }, (options) =>
  Effect.gen(function* () {
    const source = yield* openSource(options)
    const names = new Map<string, string>()
    const life: Life = { steps: [] }
    yield* Stream.runForEach(domainEvents(source, "tracing"), (event) =>
      Effect.sync(() => trace(options.tokenId, names, life)(event))
    )
    if (life.issuedAt === undefined) {
      return yield* new FindingsReported({ summary: `token ${options.tokenId} does not appear in the history` })
    }
    const status = life.endedAt === undefined ? "active" : "revoked"
    if (options.format === "json") {
      return yield* Console.log(
        Render.json({
          tokenId: options.tokenId,
          name: life.name,
          hint: life.hint,
          scopes: life.scopes,
          organizationId: life.organizationId,
          serviceAccountId: life.serviceAccountId,
          serviceAccountName: life.accountName,
          status,
          validFrom: time(life.issuedAt),
          ...(life.endedAt === undefined
            ? {}
            : { validUntil: time(life.endedAt), revocationReason: life.endedBecause }),
          steps: life.steps.map((step) => ({
            position: String(step.position),
            occurredAt: time(step.occurredAt),
            actor: { userId: step.actor.userId, role: Token.quoteSafely(step.actor.role, 64) },
            action: step.action,
            detail: step.detail
          }))
        })
      )
    }
    yield* Console.log(
      [
        `Token ${options.tokenId} "${life.name}" (…${life.hint}), scopes ${(life.scopes ?? []).join(", ")}`,
        `  of service account "${life.accountName}" (${life.serviceAccountId}) in organisation ${life.organizationId}`,
        ...life.steps.map(
          (step) =>
            `  #${step.position}  ${time(step.occurredAt)}  ${step.action} by ${step.actor.userId} (${Token.quoteSafely(step.actor.role, 64)}): ${step.detail}`
        ),
        life.endedAt === undefined
          ? `Status: active — valid since ${time(life.issuedAt)}.`
          : `Status: revoked (${life.endedBecause}) — valid from ${time(life.issuedAt)} until ${time(life.endedAt)}.`
      ].join("\n")
    )
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription("Trace one token's life: issued when, by whom, for which account; revoked when and why.")
)
