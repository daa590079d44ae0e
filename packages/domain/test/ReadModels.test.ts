/**
 * The read models are pure folds from the outside, although a fold that moves forward updates them in place: an
 * older state never sees later events, a state can be folded on from twice (two branches), and states can be read
 * in any order. Each state is compared with a fresh fold of the same events.
 */
import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { DateTime, Effect, Option } from "effect"
import {
  AuditTrail,
  DirectoryView,
  type DomainEvent,
  foldProjection,
  type OrganizationId,
  type Projection,
  TokenIndex
} from "../src/index.js"
import { directoryJson, domainEvents } from "./golden.js"

const text = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

/** Everything a state shows, as plain JSON. */
const snapshot = (
  directory: DirectoryView.DirectoryViewState,
  tokens: TokenIndex.TokenIndexState,
  audit: AuditTrail.AuditTrailState,
  digests: ReadonlyArray<string>
) => ({
  directory: directoryJson(directory),
  tokens: digests.map((digest) => Option.getOrNull(TokenIndex.lookup(tokens, digest))),
  tokensGot: digests.map((digest) => TokenIndex.get(tokens, digest) ?? null),
  tokenCount: TokenIndex.size(tokens),
  audit: AuditTrail.organizationIds(audit).map((id) =>
    AuditTrail.entries(audit, id).map((entry) => ({
      ...entry,
      position: String(entry.position),
      revision: String(entry.revision),
      occurredAt: DateTime.formatIso(entry.occurredAt)
    }))
  )
})

const foldAll = <S>(projection: Projection<S>, events: ReadonlyArray<DomainEvent>): Array<S> => {
  const states = [projection.initialState]
  for (const event of events) states.push(projection.apply(states[states.length - 1] as S, event))
  return states
}

const at = <A>(items: ReadonlyArray<A>, n: number): A => {
  const item = items[n]
  if (item === undefined) throw new Error(`no item ${n}`)
  return item
}

describe("read models", () => {
  it.effect("every state of a fold shows exactly its prefix of the history, read in any order", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const digests = events.flatMap((e) => (e.event._tag === "TokenIssued" ? [e.event.secretHash] : []))
      const directories = foldAll(DirectoryView.projection, events)
      const tokens = foldAll(TokenIndex.projection, events)
      const audits = foldAll(AuditTrail.projection, events)
      const expected = (n: number) => {
        const prefix = events.slice(0, n)
        return snapshot(
          foldProjection(DirectoryView.projection, prefix),
          foldProjection(TokenIndex.projection, prefix),
          foldProjection(AuditTrail.projection, prefix),
          digests
        )
      }
      // Backwards, forwards, then jumping about: each read reroots the shared world.
      const order = [...directories.keys()].reverse()
      order.push(...directories.keys())
      for (let i = 0; i < directories.length; i++) order.push((i * 7) % directories.length)
      for (const n of order) {
        expect(snapshot(at(directories, n), at(tokens, n), at(audits, n), digests)).toEqual(expected(n))
      }
    })
  )

  it.effect("folding on from an older state leaves the newer one as it was (two branches)", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const half = Math.floor(events.length / 2)
      const digests = events.flatMap((e) => (e.event._tag === "TokenIssued" ? [e.event.secretHash] : []))
      const fold = <S>(projection: Projection<S>, from: S, more: ReadonlyArray<DomainEvent>) =>
        foldProjection(projection, more, from)
      const base = {
        directory: foldProjection(DirectoryView.projection, events.slice(0, half)),
        tokens: foldProjection(TokenIndex.projection, events.slice(0, half)),
        audit: foldProjection(AuditTrail.projection, events.slice(0, half))
      }
      const rest = events.slice(half)
      const other = [...events.slice(half)].reverse().filter((e) => e.event._tag === "ServiceAccountCreated")
      const a = {
        directory: fold(DirectoryView.projection, base.directory, rest),
        tokens: fold(TokenIndex.projection, base.tokens, rest),
        audit: fold(AuditTrail.projection, base.audit, rest)
      }
      const b = {
        directory: fold(DirectoryView.projection, base.directory, other),
        tokens: fold(TokenIndex.projection, base.tokens, other),
        audit: fold(AuditTrail.projection, base.audit, other)
      }
      const fresh = (more: ReadonlyArray<DomainEvent>) =>
        snapshot(
          foldProjection(DirectoryView.projection, [...events.slice(0, half), ...more]),
          foldProjection(TokenIndex.projection, [...events.slice(0, half), ...more]),
          foldProjection(AuditTrail.projection, [...events.slice(0, half), ...more]),
          digests
        )
      for (let round = 0; round < 2; round++) {
        expect(snapshot(a.directory, a.tokens, a.audit, digests)).toEqual(fresh(rest))
        expect(snapshot(b.directory, b.tokens, b.audit, digests)).toEqual(fresh(other))
        expect(snapshot(base.directory, base.tokens, base.audit, digests)).toEqual(fresh([]))
      }
    })
  )

  it.effect("the initial states stay empty, and an organisation's directory reads its own state", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const state = foldProjection(DirectoryView.projection, events)
      expect(DirectoryView.organizations(DirectoryView.projection.initialState)).toEqual([])
      expect(TokenIndex.size(TokenIndex.projection.initialState)).toBe(0)
      expect(AuditTrail.size(AuditTrail.projection.initialState)).toBe(0)
      const [first] = DirectoryView.organizations(state)
      const id = first?.organizationId as OrganizationId
      const directory = DirectoryView.directoryOf(state, id)
      const before = DirectoryView.accounts(directory, { includeDeleted: true })
      // Folding on from the state does not change what the directory taken from it shows.
      foldProjection(DirectoryView.projection, events, state)
      expect(DirectoryView.accounts(directory, { includeDeleted: true })).toEqual(before)
      expect(before.length).toBeGreaterThan(0)
      for (const account of before) {
        expect(Option.getOrThrow(DirectoryView.account(directory, account.serviceAccountId))).toEqual(account)
      }
    })
  )

  it.effect("an event that cannot be applied leaves the state it was applied to as it was", () =>
    Effect.gen(function* () {
      const events = yield* domainEvents(text)
      const [first] = events
      if (first === undefined) throw new Error("no event")
      const state = foldProjection(DirectoryView.projection, events)
      const before = directoryJson(state)
      // A new organisation is written first, then the missing time throws: that write must be undone.
      const broken = {
        ...first,
        event: { ...first.event, organizationId: "elsewhere" as OrganizationId, occurredAt: undefined }
      } as unknown as DomainEvent
      expect(() => DirectoryView.projection.apply(state, broken)).toThrow()
      expect(directoryJson(state)).toEqual(before)
      expect(DirectoryView.size(state)).toBe(DirectoryView.size(foldProjection(DirectoryView.projection, events)))
      const next = DirectoryView.projection.apply(state, first)
      expect(directoryJson(next)).toEqual(before)
    })
  )
})
