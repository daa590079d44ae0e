/**
 * Snapshots of the read models in the store (ADR 0010): a service started after one was written starts from it and
 * the events after it, and answers exactly as a service that replayed the whole history; a snapshot that does not
 * read back whole (tampered, another version, chunks missing) is passed over; snapshots hold digests, never token
 * values; old ones are retired; and a service configured to write them does so when they are due.
 */
import { Buffer } from "node:buffer"
import { describe, expect, it } from "@effect/vitest"
import {
  directoryStream,
  EventStore,
  type EventStoreShape,
  type Json,
  OrganizationId,
  type RecordedEvent,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape,
  Token
} from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { administrator, scanForSecrets, storedHaystacks } from "@service-accounts/testing"
import { Chunk, Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, Redacted, Stream } from "effect"

const SNAPSHOTS = "serviceAccountSnapshots"

/** A service over `store`, in a runtime of its own (as another process would have). */
const serviceOn = (store: EventStoreShape, options: ServiceAccountsOptions = {}) =>
  ManagedRuntime.make(
    ServiceAccounts.layerWith(options).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Error))
    )
  )

const all = (stream: Stream.Stream<RecordedEvent, unknown>) =>
  Effect.runPromise(Effect.map(Stream.runCollect(stream), Chunk.toReadonlyArray))

/** Organisations with accounts and tokens, some revoked, one account deleted: returns every token value. */
const populate = async (service: ServiceAccountsShape, organizations: ReadonlyArray<string>) => {
  const values: Array<Redacted.Redacted<string>> = []
  for (const organization of organizations) {
    const caller = administrator(organization)
    for (let a = 0; a < 3; a++) {
      const account = await Effect.runPromise(service.create(caller, { name: `bot-${a}` }))
      for (let t = 0; t < 4; t++) {
        const token = await Effect.runPromise(
          service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: `t-${t}` })
        )
        values.push(token.value)
        if (t === 1) {
          await Effect.runPromise(
            service.revokeToken(caller, { serviceAccountId: account.serviceAccountId, tokenId: token.tokenId })
          )
        }
      }
      if (a === 2) await Effect.runPromise(service.delete(caller, { serviceAccountId: account.serviceAccountId }))
    }
  }
  return values
}

/** Everything a service answers from its read models, for these organisations and token values. */
const answers = async (
  runtime: ManagedRuntime.ManagedRuntime<ServiceAccounts, unknown>,
  organizations: ReadonlyArray<string>,
  values: ReadonlyArray<Redacted.Redacted<string>>
) => {
  const service = await runtime.runPromise(ServiceAccounts)
  const listings = await Promise.all(
    organizations.map((organization) => Effect.runPromise(service.list(administrator(organization))))
  )
  const principals = await Promise.all(
    values.map((value) =>
      runtime.runPromiseExit(service.authenticate(value)).then((exit) => (Exit.isSuccess(exit) ? exit.value : null))
    )
  )
  const usage = await Promise.all(
    organizations.map((organization) => Effect.runPromise(service.usage(administrator(organization))))
  )
  return { listings, principals, usage }
}

/** An event's data as written by hand (not through the service). */
type HandWritten = { readonly _tag: string } & { readonly [key: string]: Json }

/** Appends events written by hand to an organisation's directory stream, as a new stream. */
const appendByHand = (store: EventStoreShape, organizationId: string, history: ReadonlyArray<HandWritten>) =>
  Effect.runPromise(
    store.append(
      directoryStream(OrganizationId.make(organizationId)),
      history.map((data) => ({ eventId: crypto.randomUUID(), type: data._tag, data, metadata: { schemaVersion: 1 } })),
      "no_stream"
    )
  )

/** The chunk events of the newest snapshot. */
const newestChunks = async (store: EventStoreShape) => {
  const marker = (await all(store.readStream(SNAPSHOTS)))[0]?.data as { readonly stream: string }
  return all(store.readStream(marker.stream))
}

/** A service started on `store` now starts from its newest snapshot and answers as `wanted`. */
const expectRestored = async (
  store: EventStoreShape,
  organizations: ReadonlyArray<string>,
  values: ReadonlyArray<Redacted.Redacted<string>>,
  wanted: Awaited<ReturnType<typeof answers>>
) => {
  const restored = serviceOn(store)
  try {
    const readiness = await restored.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.readiness))
    expect(readiness.startedFrom).toBeDefined()
    expect(await answers(restored, organizations, values)).toEqual(wanted)
  } finally {
    await restored.dispose()
  }
}

describe("snapshots of the read models", () => {
  it("a service started after a snapshot starts from it, and answers as one that replayed the history", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const organizations = ["acme", "globex", "initech"]
    const a = serviceOn(store)
    try {
      const service = await a.runPromise(ServiceAccounts)
      const before = await populate(service, organizations)
      // Some of the tokens used, recorded by authenticate: the usage view is in the snapshot too.
      for (const value of before.slice(0, 5)) await a.runPromiseExit(service.authenticate(value, { record: true }))
      const usageSeen = async () => (await Effect.runPromise(service.usage(administrator("acme")))).total.requests
      for (let i = 0; i < 3000 && (await usageSeen()) === 0; i++) await new Promise((r) => setTimeout(r, 10))
      expect(await usageSeen()).toBeGreaterThan(0)
      const info = await Effect.runPromise(service.snapshot)
      expect(info?.organizations).toBe(3)
      expect(info?.tokens).toBe(before.length)
      // Events after the snapshot: the new service reads them from the store.
      const after = await populate(service, ["hooli"])
      const everyone = [...organizations, "hooli"]
      const values = [...before, ...after]

      // The same history (directories and usage), without the snapshot, in another store: what a service that replays it answers.
      const other = Effect.runSync(makeMemoryStore)
      for (const event of await all(store.readAll())) {
        if (!/^serviceAccount(Directory|Usage)-/.test(event.streamId)) continue
        const { eventId, type, data, metadata } = event
        await Effect.runPromise(other.append(event.streamId, [{ eventId, type, data, metadata }], "any"))
      }
      const fromSnapshot = serviceOn(store)
      const replayed = serviceOn(other)
      try {
        const readiness = await fromSnapshot.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.readiness))
        expect(readiness.ready).toBe(true)
        expect(readiness.startedFrom?.position).toBe(info?.position)
        const replayedReadiness = await replayed.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.readiness))
        expect(replayedReadiness.startedFrom).toBeUndefined()
        const wanted = await answers(replayed, everyone, values)
        expect(wanted.principals.filter((p) => p !== null).length).toBeGreaterThan(0)
        expect(await answers(a, everyone, values)).toEqual(wanted)
        expect(await answers(fromSnapshot, everyone, values)).toEqual(wanted)
        // And it follows the store from there on, like any process.
        const late = await Effect.runPromise(
          service.issueToken(administrator("acme"), {
            serviceAccountId: wanted.listings[0]?.accounts[0]?.serviceAccountId ?? "",
            name: "late"
          })
        )
        const auth = () =>
          fromSnapshot.runPromiseExit(Effect.flatMap(ServiceAccounts, (s) => s.authenticate(late.value)))
        for (let i = 0; i < 500 && !Exit.isSuccess(await auth()); i++) await new Promise((r) => setTimeout(r, 20))
        expect(Exit.isSuccess(await auth())).toBe(true)
      } finally {
        await fromSnapshot.dispose()
        await replayed.dispose()
      }
    } finally {
      await a.dispose()
    }
  })

  it("holds digests, never a token value; old snapshots are retired", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const a = serviceOn(store)
    try {
      const service = await a.runPromise(ServiceAccounts)
      const values = await populate(service, ["acme"])
      for (let i = 0; i < 4; i++) await Effect.runPromise(service.snapshot)
      const events = await all(store.readAll())
      const snapshotEvents = events.filter((e) => e.streamId.startsWith("serviceAccountSnapshot"))
      expect(snapshotEvents.length).toBeGreaterThan(4)
      // Every stored event, the snapshots' among them, scanned for every value issued and any token-shaped text.
      const report = scanForSecrets(values, await Effect.runPromise(storedHaystacks(store)))
      expect(report.haystacks).toBe(events.length)
      expect(report.leaks).toEqual([])
      // Four written, two kept: the streams of the two oldest are tombstoned.
      const markers = events.filter((e) => e.streamId === SNAPSHOTS)
      expect(markers).toHaveLength(4)
      const streams = markers.map((marker) => (marker.data as { readonly stream: string }).stream)
      const readable = await Promise.all(
        streams.map((stream) => Effect.runPromise(Effect.either(Stream.runDrain(store.readStream(stream)))))
      )
      expect(readable.map((outcome) => outcome._tag)).toEqual(["Left", "Left", "Right", "Right"])
    } finally {
      await a.dispose()
    }
  })

  it("a snapshot that does not read back whole is passed over for an older one, or for the history", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const a = serviceOn(store)
    try {
      const service = await a.runPromise(ServiceAccounts)
      const values = await populate(service, ["acme", "globex"])
      const good = await Effect.runPromise(service.snapshot)
      const markers = (await all(store.readStream(SNAPSHOTS))).map((e) => e.data)
      const marker = markers[0] as { readonly [key: string]: unknown }
      // A marker whose digest does not match, then one of another version, then one naming chunks that do not exist.
      const forged = [
        { ...marker, digest: "0".repeat(64) },
        { ...marker, version: 99 },
        { ...marker, chunks: Number(marker.chunks) + 1 }
      ]
      for (const data of forged) {
        await Effect.runPromise(
          store.append(
            SNAPSHOTS,
            [
              {
                eventId: crypto.randomUUID(),
                type: "$serviceAccountSnapshot",
                data: JSON.parse(JSON.stringify(data)),
                metadata: {}
              }
            ],
            "any"
          )
        )
      }
      const b = serviceOn(store)
      try {
        const readiness = await b.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.readiness))
        // The three newest markers are all unusable: the service replays the history instead, and answers the same.
        expect(readiness.startedFrom).toBeUndefined()
        expect(await answers(b, ["acme", "globex"], values)).toEqual(await answers(a, ["acme", "globex"], values))
      } finally {
        await b.dispose()
      }
      expect(good).toBeDefined()
    } finally {
      await a.dispose()
    }
  })

  it("a service configured to write snapshots writes one when enough events have been handled", async () => {
    const store = Effect.runSync(makeMemoryStore)
    const a = serviceOn(store, { snapshots: { every: 10, interval: "200 millis" } })
    try {
      const service = await a.runPromise(ServiceAccounts)
      await populate(service, ["acme"])
      const markers = () => all(store.readStream(SNAPSHOTS))
      for (let i = 0; i < 1500 && (await markers()).length === 0; i++) await new Promise((r) => setTimeout(r, 20))
      expect((await markers()).length).toBeGreaterThan(0)
    } finally {
      await a.dispose()
    }
  })

  it("the index's tokens the directory does not show are restored too (a history not written by the service)", async () => {
    // Events appended by hand: a token of an account that was never created (the index files it, the directory
    // does not show it) and a token revoked twice (the index keeps the first reason, the directory the last).
    const store = Effect.runSync(makeMemoryStore)
    const organizationId = "odd"
    const actor = { userId: "admin-1", role: "administrator" }
    const account = crypto.randomUUID()
    const stranger = crypto.randomUUID()
    const values = [0, 1, 2].map(() => Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32))))
    const tokenIds = values.map(() => crypto.randomUUID())
    const base = { organizationId, actor, occurredAt: "2026-12-07T10:00:00.000Z" }
    const issued = (i: number, serviceAccountId: string) => ({
      _tag: "TokenIssued",
      ...base,
      serviceAccountId,
      tokenId: tokenIds[i] ?? "",
      name: `t-${i}`,
      scopes: ["read"],
      secretHash: Token.digest(values[i] ?? ""),
      hint: (values[i] ?? "").slice(-4)
    })
    const revoked = (i: number, reason: string) => ({
      _tag: "TokenRevoked",
      ...base,
      serviceAccountId: account,
      tokenId: tokenIds[i] ?? "",
      reason
    })
    await appendByHand(store, organizationId, [
      { _tag: "ServiceAccountCreated", ...base, serviceAccountId: account, name: "bot" },
      issued(0, account),
      issued(1, stranger),
      issued(2, account),
      revoked(2, "Manual"),
      revoked(2, "ServiceAccountDeleted")
    ])
    const secrets = values.map((value) => Redacted.make(value))
    const a = serviceOn(store)
    try {
      const replayed = await answers(a, [organizationId], secrets)
      // The replay authenticates the first two (the second as the account that was never created), not the third.
      expect(replayed.principals.map((principal) => principal?.serviceAccountId ?? null)).toEqual([
        account,
        stranger,
        null
      ])
      await a.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.snapshot))
      const kinds = (await newestChunks(store)).map(
        (event) => (JSON.parse((event.data as { readonly chunk: string }).chunk) as { readonly kind: string }).kind
      )
      // The stranger's token and the twice-revoked one are kept whole, beside the directory.
      expect(kinds).toContain("tokens")
      await expectRestored(store, [organizationId], secrets, replayed)
    } finally {
      await a.dispose()
    }
  })

  it("a snapshot's chunk events stay within half a megabyte, however long the texts they quote", async () => {
    // 2,100 tokens issued and half of them revoked by a user whose id is 200 quotation marks (printable ASCII, so a
    // valid id): each token quotes it twice, and a quotation mark takes four bytes once the chunk's text is quoted in
    // its event. 2,000 such tokens, the most a chunk takes, would make an event of several megabytes, which
    // EventStoreDB refuses (its largest append is 1 MiB by default).
    const store = Effect.runSync(makeMemoryStore)
    const organizationId = "wide"
    const actor = { userId: '"'.repeat(200), role: "administrator" }
    const account = crypto.randomUUID()
    const base = { organizationId, actor, occurredAt: "2026-12-07T10:00:00.000Z", serviceAccountId: account }
    const values = Array.from({ length: 2100 }, () => Token.fromEntropy(crypto.getRandomValues(new Uint8Array(32))))
    const history: Array<HandWritten> = [{ _tag: "ServiceAccountCreated", ...base, name: "bot" }]
    for (const [i, value] of values.entries()) {
      const tokenId = crypto.randomUUID()
      const hint = value.slice(-4)
      history.push({
        _tag: "TokenIssued",
        ...base,
        tokenId,
        name: `t-${i}`,
        scopes: ["read"],
        secretHash: Token.digest(value),
        hint
      })
      if (i % 2 === 0) history.push({ _tag: "TokenRevoked", ...base, tokenId, reason: "Manual" })
    }
    await appendByHand(store, organizationId, history)
    const secrets = values.map((value) => Redacted.make(value))
    const a = serviceOn(store)
    try {
      const replayed = await answers(a, [organizationId], secrets)
      expect(replayed.principals.filter((principal) => principal !== null)).toHaveLength(1050)
      await a.runPromise(Effect.flatMap(ServiceAccounts, (s) => s.snapshot))
      const sizes = (await newestChunks(store)).map((event) => Buffer.byteLength(JSON.stringify(event.data)))
      // Split, and every part small enough.
      expect(sizes.length).toBeGreaterThan(4)
      expect(Math.max(...sizes)).toBeLessThanOrEqual(512 * 1024)
      await expectRestored(store, [organizationId], secrets, replayed)
    } finally {
      await a.dispose()
    }
  })
})
