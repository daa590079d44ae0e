/**
 * The directory view and the token index as plain JSON (what a snapshot keeps) and back: for every prefix of a
 * history, the restored state shows exactly what the fold shows — the listings in the same order, every digest
 * answering the same — and folding the rest of the history onto the restored state gives what folding it onto the
 * original gives. The JSON goes through text and the schemas on the way, as a snapshot read from a store would.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Option, Schema } from "effect"
import { DirectoryView, type DomainEvent, foldProjection, TokenIndex } from "../src/index.js"
import { directoryJson, domainEvents, tokenEvents, tokenIdOf } from "./golden.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

const throughText = <A, I>(schema: Schema.Schema<A, I>, items: ReadonlyArray<A>): Array<A> => {
  const encoded = items.map((item) => Schema.encodeSync(schema)(item))
  const parsed: ReadonlyArray<unknown> = JSON.parse(JSON.stringify(encoded))
  return parsed.map((item) => Schema.decodeUnknownSync(schema)(item))
}

const restoreView = (state: DirectoryView.DirectoryViewState) =>
  DirectoryView.fromJson(throughText(DirectoryView.OrganizationJsonSchema, DirectoryView.toJson(state)))

const restoreIndex = (state: TokenIndex.TokenIndexState) =>
  TokenIndex.fromJson(throughText(TokenIndex.TokenJsonSchema, TokenIndex.toJson(state)))

/** What the index says of every digest that was ever issued (and one never issued). */
const lookups = (state: TokenIndex.TokenIndexState, digests: ReadonlyArray<string>) => ({
  size: TokenIndex.size(state),
  entries: digests.map((digest) => Option.getOrNull(TokenIndex.lookup(state, digest))),
  unknown: TokenIndex.get(state, "f".repeat(64)) ?? null
})

/** Listings in the view's own order (organisations as first seen, accounts as created, tokens as issued). */
const listings = (state: DirectoryView.DirectoryViewState) =>
  DirectoryView.organizations(state).map((directory) => ({
    organizationId: directory.organizationId,
    accounts: DirectoryView.accounts(directory, { includeDeleted: true })
  }))

describe("read models as JSON", () => {
  it.effect("every prefix of a history restores to what its fold shows, and folds on the same", () =>
    Effect.gen(function* () {
      const golden = yield* domainEvents(text)
      // The golden history, then tokens revoked and issued again (some into an account no event created, as a broken
      // history may hold): the index and the view must come back as they were, whatever they hold.
      const { issued, revoked } = tokenEvents(golden)
      const more: Array<DomainEvent> = []
      for (let n = 1; n <= 6; n++) {
        more.push(issued(tokenIdOf(n), "a".repeat(63) + String(n), n % 2 === 0 ? "acme" : "globex"))
        if (n % 3 === 0) more.push(revoked(tokenIdOf(n), n % 2 === 0 ? "Manual" : "ServiceAccountDeleted"))
      }
      const events = [...golden, ...more]
      const digests = events.flatMap((e) => (e.event._tag === "TokenIssued" ? [e.event.secretHash] : []))
      expect(digests.length).toBeGreaterThan(3)
      for (let n = 0; n <= events.length; n++) {
        const prefix = events.slice(0, n)
        const rest = events.slice(n)
        const view = foldProjection(DirectoryView.projection, prefix)
        const index = foldProjection(TokenIndex.projection, prefix)
        const restoredView = restoreView(view)
        const restoredIndex = restoreIndex(index)
        expect(listings(restoredView), `view after ${n} events`).toEqual(listings(view))
        expect(directoryJson(restoredView)).toEqual(directoryJson(view))
        expect(lookups(restoredIndex, digests), `index after ${n} events`).toEqual(lookups(index, digests))
        const viewOn = foldProjection(DirectoryView.projection, rest, restoredView)
        const indexOn = foldProjection(TokenIndex.projection, rest, restoredIndex)
        expect(listings(viewOn)).toEqual(listings(foldProjection(DirectoryView.projection, events)))
        expect(lookups(indexOn, digests)).toEqual(lookups(foldProjection(TokenIndex.projection, events), digests))
      }
    })
  )

  it("an account split over several entries (a large one, over several chunks) is restored as one", () => {
    const [organization] = DirectoryView.toJson(
      Effect.runSync(Effect.map(domainEvents(text), (events) => foldProjection(DirectoryView.projection, events)))
    )
    if (organization === undefined) throw new Error("no organisation")
    const [id, accounts] = organization
    // Each account once per token: the first entry has its first token, the next the second, …
    const split: Array<DirectoryView.OrganizationJson> = accounts.flatMap((account) =>
      account[7].length === 0
        ? [[id, [account]] as const]
        : account[7].map(
            (token) =>
              [
                id,
                [[account[0], account[1], account[2], account[3], account[4], account[5], account[6], [token]]]
              ] as const
          )
    )
    expect(listings(DirectoryView.fromJson(split))).toEqual(listings(DirectoryView.fromJson([organization])))
  })
})
