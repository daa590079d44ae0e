/**
 * The quick-start story, as a program that prints what happens. It needs `ServiceAccounts` (and the
 * `EventStore` under it); `main.ts` runs it on the in-memory store.
 */
import { type CallerInput, type DirectoryListing, ServiceAccounts } from "@service-accounts/domain"
import { DateTime, Effect, Redacted } from "effect"

const acme: CallerInput = {
  organization: { id: "acme", plan: "enterprise", tenantUrl: "https://acme.example.com" },
  actor: { userId: "alice@acme.example.com", role: "administrator" }
}
const member: CallerInput = { ...acme, actor: { userId: "bob@acme.example.com", role: "member" } }
const smallCo: CallerInput = {
  organization: { id: "small-co", plan: "team", tenantUrl: "https://small-co.example.com" },
  actor: { userId: "carol@small-co.example.com", role: "administrator" }
}

/** Where the story writes its lines: the console by default, a list in tests. */
export type Say = (line: string) => void

const refused = <A, E extends { readonly _tag: string; readonly message: string }>(effect: Effect.Effect<A, E>) =>
  Effect.match(effect, {
    onFailure: (error) => `refused with ${error._tag}: ${error.message}`,
    onSuccess: () => "unexpectedly accepted"
  })

/** Authenticates a token; `record`: as automation does, counting the request as a use of the token. */
const authenticated = (service: ServiceAccounts["Type"], value: Redacted.Redacted<string>, record = false) =>
  Effect.match(service.authenticate(value, { record }), {
    onFailure: (error) => `✗ ${error._tag}`,
    onSuccess: (principal) => `✓ service account ${principal.serviceAccountId}, scopes ${principal.scopes.join(", ")}`
  })

const requests = (count: number): string => `${count} request${count === 1 ? "" : "s"}`

const directoryTable = (listing: DirectoryListing): ReadonlyArray<string> => [
  `Tenant URL: ${listing.tenantUrl}`,
  ...(listing.accounts.length === 0 ? ["  (no service accounts)"] : []),
  ...listing.accounts.flatMap((account) => [
    `  ${account.name}${account.description === undefined ? "" : ` — ${account.description}`}  (created by ${account.createdBy.userId})`,
    ...account.tokens.map(
      (token) =>
        `    token "${token.name}" …${token.hint}  ${token.status}${token.revocationReason === undefined ? "" : ` (${token.revocationReason})`}  scopes ${token.scopes.join(", ")}  ${token.lastUsedAt === undefined ? "never used" : `last used ${DateTime.formatIso(token.lastUsedAt)}`}`
    )
  ])
]

export const story = (say: Say) =>
  Effect.gen(function* () {
    const service = yield* ServiceAccounts

    say("1. Alice, an administrator of Acme (Enterprise plan), creates a service account.")
    const account = yield* service.create(acme, { name: "deploy-bot", description: "Deploys main to production" })
    say(`   created "${account.name}" (${account.serviceAccountId})`)

    say("2. She issues two tokens. Each value is shown exactly once, here, and never stored.")
    const ci = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci" })
    say(`   token "ci":       ${Redacted.value(ci.value)}`)
    const backup = yield* service.issueToken(acme, {
      serviceAccountId: account.serviceAccountId,
      name: "backup",
      scopes: ["read"]
    })
    say(`   token "backup":   ${Redacted.value(backup.value)}`)
    say(`   session.json:     ${Redacted.value(backup.sessionJson)}`)
    say(`   (printed by accident, a value looks like this: ${String(ci.value)})`)

    say("3. Automation authenticates with both tokens (each request is recorded as a use of its token).")
    say(`   ci      ${yield* authenticated(service, ci.value, true)}`)
    say(`   backup  ${yield* authenticated(service, backup.value, true)}`)

    say("4. Callers who may not manage service accounts are refused before anything is looked up.")
    say(`   Bob, a member:                 ${yield* refused(service.create(member, { name: "sneaky" }))}`)
    say(`   Carol, on the Team plan:       ${yield* refused(service.create(smallCo, { name: "sneaky" }))}`)
    say(`   a second "Deploy-Bot" at Acme: ${yield* refused(service.create(acme, { name: "Deploy-Bot" }))}`)

    say("5. Rotation: issue a new token, move the automation over, revoke the old one.")
    const next = yield* service.issueToken(acme, { serviceAccountId: account.serviceAccountId, name: "ci-2" })
    yield* service.revokeToken(acme, { serviceAccountId: account.serviceAccountId, tokenId: ci.tokenId })
    say(`   new ci-2  ${yield* authenticated(service, next.value, true)}`)
    say(`   old ci    ${yield* authenticated(service, ci.value)}  (at once, from the moment revoke returned)`)

    say("6. Usage: the automation's requests are recorded as they are authenticated, summed, and written in batches.")
    for (let request = 0; request < 2; request++) yield* service.authenticate(next.value, { record: true })
    yield* service.recordUsage(yield* service.authenticate(backup.value), { requests: 2, units: 5 })
    // The sums reach the store at the next flush, and the usage view from there.
    const usage = yield* Effect.repeat(Effect.zipLeft(service.usage(acme, { days: 7 }), Effect.sleep("20 millis")), {
      until: (report) => report.total.requests >= 7
    })
    for (const used of usage.accounts) {
      say(`   ${used.name}: ${requests(used.total.requests)}, ${used.total.units} units in the last 7 days`)
      for (const token of used.tokens.filter((token) => token.lastUsedAt !== undefined)) {
        say(
          `     token "${token.name}": ${requests(token.total.requests)}, last used ${token.lastUsedAt?.toISOString()}`
        )
      }
    }

    say("7. The directory, as the management page lists it:")
    for (const line of directoryTable(yield* service.list(acme))) say(`   ${line}`)

    say("8. Deleting the account revokes its remaining tokens in the same append (the cascade).")
    const deleted = yield* service.delete(acme, { serviceAccountId: account.serviceAccountId })
    say(`   deleted; revoked ${deleted.revokedTokenIds.length} token(s) with it`)
    say(`   backup  ${yield* authenticated(service, backup.value)}`)
    say(`   ci-2    ${yield* authenticated(service, next.value)}`)
    for (const line of directoryTable(yield* service.list(acme))) say(`   ${line}`)

    say("9. The audit trail: who did what, when, in order.")
    for (const entry of yield* service.auditTrail(acme)) {
      say(
        `   #${entry.position} ${entry.occurredAt.toJSON()}  ${entry.actor.userId.padEnd(24)} ${entry.summary}${entry.tokenId === undefined ? "" : ` [token ${entry.tokenId.slice(0, 8)}]`}`
      )
    }
  })
