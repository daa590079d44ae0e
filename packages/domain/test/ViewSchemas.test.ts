/**
 * The read models' views have schemas, for hosts that send them or keep them: every view of the golden history
 * encodes to plain JSON (no `bigint`, no `DateTime` object) and decodes back to an equal view, and the schemas
 * refuse what is not a view.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Either, Schema } from "effect"
import { AuditTrail, DirectoryView, foldProjection, PrincipalSchema, TokenIndex } from "../src/index.js"
import { domainEvents } from "./golden.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

/** Encodes to JSON text and back, then decodes: what a host sending the value would get on the other side. */
const roundTrip = <A, I>(schema: Schema.Schema<A, I>, value: A): A => {
  const json = JSON.parse(JSON.stringify(Schema.encodeSync(schema)(value)))
  return Schema.decodeUnknownSync(schema)(json)
}

describe("view schemas", () => {
  it.effect("every account, token, audit entry and principal of the golden history survives a JSON round trip", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const directory = foldProjection(DirectoryView.projection, events)
      const audit = foldProjection(AuditTrail.projection, events)
      const tokens = foldProjection(TokenIndex.projection, events)
      let accounts = 0
      for (const organization of DirectoryView.organizations(directory)) {
        for (const account of DirectoryView.accounts(organization, { includeDeleted: true })) {
          accounts++
          expect(roundTrip(DirectoryView.AccountViewSchema, account)).toEqual(account)
          for (const token of account.tokens) expect(roundTrip(DirectoryView.TokenViewSchema, token)).toEqual(token)
        }
      }
      let entries = 0
      for (const id of AuditTrail.organizationIds(audit)) {
        for (const entry of AuditTrail.entries(audit, id)) {
          entries++
          const encoded = Schema.encodeSync(AuditTrail.AuditEntrySchema)(entry)
          expect(typeof encoded.position).toBe("string")
          expect(roundTrip(AuditTrail.AuditEntrySchema, entry)).toEqual(entry)
        }
      }
      let principals = 0
      for (const { event } of events) {
        if (event._tag !== "TokenIssued") continue
        const entry = TokenIndex.get(tokens, event.secretHash)
        if (entry === undefined) continue
        principals++
        const principal = {
          organizationId: entry.organizationId,
          serviceAccountId: entry.serviceAccountId,
          tokenId: entry.tokenId,
          scopes: entry.scopes
        }
        expect(roundTrip(PrincipalSchema, principal)).toEqual(principal)
      }
      expect([accounts > 0, entries === events.length, principals > 0]).toEqual([true, true, true])
    })
  )

  it("refuses what is not a view", () => {
    const bad: ReadonlyArray<readonly [Schema.Schema<unknown, unknown>, unknown]> = [
      [DirectoryView.TokenViewSchema as Schema.Schema<unknown, unknown>, { tokenId: "not-a-uuid" }],
      [DirectoryView.AccountViewSchema as Schema.Schema<unknown, unknown>, { status: "gone" }],
      [AuditTrail.AuditEntrySchema as Schema.Schema<unknown, unknown>, { position: "minus one" }],
      [PrincipalSchema as Schema.Schema<unknown, unknown>, { organizationId: "acme", scopes: ["admin"] }]
    ]
    for (const [schema, value] of bad) expect(Either.isLeft(Schema.decodeUnknownEither(schema)(value))).toBe(true)
  })
})
