/**
 * Several processes on one EventStoreDB (issue 16, point 4).
 *
 * Three OS processes (`instances/child.ts`, each a `ServiceAccounts` service over the EventStoreDB adapter with its
 * own client) issue, revoke and delete on the same organisations over one test server, which is restarted once mid-run
 * (every call ended, the listener closed, the same store served again on the same port) and whose subscriptions are
 * then dropped. A command the store fails as retryable is sent again with its command id. Every step waits on what
 * the processes report, never on the clock.
 *
 * At the end: I1–I9 hold on the stored history (`checkInvariants`); every process, once caught up with the store
 * (`catchUp`), holds the directory view, token index and revisions rebuilt from the history (its snapshot writes
 * them out as it holds them); and every token value issued is accepted by every process exactly when the history
 * says it is active — every revoked token is refused by every process.
 *
 * The appends go through `Streams.Append` (the test server started as a server without `BatchAppend`): the client,
 * `@eventstore/db-client` 6.2.1, keeps the pending `BatchAppend` calls of every stream in one process-wide map, and a
 * `BatchAppend` call that fails after the client has reconnected (a server restart) rejects and forgets the calls of
 * the new connection, whose answers then crash the process with `TypeError: undefined is not iterable` (in half the
 * runs here; docs/reliability.md, D10). `SA_INSTANCES_APPEND=batch` runs the same test over `BatchAppend`.
 *
 * The same test runs with every process on the KurrentDB adapter (`@kurrent/kurrentdb-client`, the successor
 * client), over `BatchAppend`: that client keeps each call's pending appends apart, so the restart that crashes the
 * older client's processes passes (docs/reliability.md, D10).
 *
 * `SA_INSTANCES_COMMANDS` (commands per process between two disruptions, default 40), `SA_INSTANCES_ROUNDS`
 * (restart-and-drop rounds, default 1) and `SA_INSTANCES_PROCESSES` (default 3) make the longer run.
 */
import { describe, expect, it } from "@effect/vitest"
import { start as startTestServer } from "@service-accounts/eventstoredb-test-server"
import { make as eventStoreDb } from "@service-accounts/store-eventstoredb"
import { checkInvariants } from "@service-accounts/testing"
import { EventStoreDBClient } from "@eventstore/db-client"
import { activeIn, newestSnapshot, readHistory, rebuild } from "./instances/history.js"
import { spawnChildren } from "./instances/processes.js"
import type { IssuedToken } from "./instances/protocol.js"
import { printFigures } from "./report.js"

const setting = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? "")
  return Number.isInteger(value) && value > 0 ? value : fallback
}

const COMMANDS = setting("SA_INSTANCES_COMMANDS", 40)
const ROUNDS = setting("SA_INSTANCES_ROUNDS", 1)
const PROCESSES = setting("SA_INSTANCES_PROCESSES", 3)
const BATCH_APPEND = process.env.SA_INSTANCES_APPEND === "batch"
const ORGANIZATIONS = ["acme", "globex"]

/** Polls a condition of the server (no event to wait on there); the limit only turns a hang into a failure. */
const until = async (check: () => boolean) => {
  for (let i = 0; i < 12_000; i++) {
    if (check()) return
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error("never happened")
}

/** The runs: the EventStoreDB adapter (over `Append`, or `BatchAppend` when asked), and the KurrentDB adapter. */
const RUNS = [
  { adapter: "eventstoredb", batchAppend: BATCH_APPEND, name: "EventStoreDB adapter" },
  { adapter: "kurrentdb", batchAppend: true, name: "KurrentDB adapter" }
] as const

describe("several processes on one EventStoreDB", () => {
  it.each(RUNS)(
    `${PROCESSES} processes on the $name write the same organisations through a server restart and dropped subscriptions`,
    async ({ adapter, batchAppend, name }) => {
      const started = performance.now()
      const server = await startTestServer({ serverFeatures: batchAppend ? "advertised" : "unimplemented" })
      const client = EventStoreDBClient.connectionString(server.connectionString)
      const store = eventStoreDb(client)
      const children = spawnChildren(PROCESSES, {
        connectionString: server.connectionString,
        organizations: ORGANIZATIONS,
        seed: 1600,
        adapter
      })
      try {
        // Each phase lets every process finish COMMANDS more commands, then disrupts the server under them.
        let target = COMMANDS
        let dropped = 0
        await children.until((child) => child.done() >= target)
        for (let round = 0; round < ROUNDS; round++) {
          await server.restart()
          target += COMMANDS
          await children.until((child) => child.done() >= target)
          // Every process has subscribed again (the restart ended their subscriptions); now drop them all.
          await until(() => server.openSubscriptions() >= PROCESSES)
          dropped += server.dropSubscriptions()
          target += COMMANDS
          await children.until((child) => child.done() >= target)
        }
        for (const child of children.all) child.send({ _tag: "Stop" })
        const stopped = await Promise.all(children.all.map((child) => child.next("Stopped")))

        const history = await readHistory(store)
        expect(checkInvariants(history)).toEqual([])
        const rebuilt = rebuild(history)

        // Each process in turn catches up and writes its read models out; they must be the history's.
        for (const child of children.all) {
          child.send({ _tag: "Snapshot" })
          const { position } = await child.next("Snapshotted")
          const { position: covered, ...held } = await newestSnapshot(store)
          expect(covered).toBe(position)
          expect({ process: child.name, ...held }).toEqual({ process: child.name, ...rebuilt.comparable })
        }

        // Every token value issued, asked of every process: accepted exactly when the history says it is active.
        const issued: ReadonlyArray<IssuedToken> = stopped.flatMap((report) => report.issued)
        const active = new Set(
          issued.filter((token) => activeIn(rebuilt.tokenIndex, token.value)).map((t) => t.tokenId)
        )
        for (const child of children.all) child.send({ _tag: "Verify", tokens: issued })
        const verified = await Promise.all(children.all.map((child) => child.next("Verified")))
        for (const [i, report] of verified.entries()) {
          expect({ process: i + 1, accepted: [...report.accepted].sort() }).toEqual({
            process: i + 1,
            accepted: [...active].sort()
          })
        }
        await children.exit()
        // The appends took the path this run is about.
        expect(server.callCount(batchAppend ? "Streams.Append" : "Streams.BatchAppend")).toBe(0)

        const outcomes: Record<string, number> = {}
        for (const report of stopped) {
          for (const [key, value] of Object.entries(report.outcomes)) outcomes[key] = (outcomes[key] ?? 0) + value
        }
        const commands = Object.values(outcomes).reduce((sum, n) => sum + n, 0)
        const revoked = issued.length - active.size
        expect(revoked).toBeGreaterThan(0)
        printFigures(`several processes (${PROCESSES} OS processes, ${name}, one test server)`, [
          ["appends through", batchAppend ? "Streams.BatchAppend" : "Streams.Append"],
          ["commands with a definite outcome", commands],
          [
            "by command and outcome",
            Object.entries(outcomes)
              .sort()
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")
          ],
          ["commands re-sent after a retryable store failure", stopped.reduce((sum, r) => sum + r.resent, 0)],
          ["server restarts / subscriptions dropped", `${ROUNDS} / ${dropped} (plus those the restarts ended)`],
          ["events in the history", history.length],
          ["invariant violations (I1–I9)", 0],
          ["token values checked in every process", `${issued.length} (${active.size} active, ${revoked} revoked)`],
          ["revoked tokens accepted by any process", 0],
          ["seconds", ((performance.now() - started) / 1000).toFixed(1)]
        ])
      } finally {
        await children.kill()
        await client.dispose()
        await server.close()
      }
    }
  )
})
