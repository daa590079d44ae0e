/**
 * `sa-audit usage` on a generated history: the domain's service writes it (accounts, tokens, and known uses recorded
 * by three independent service instances across several UTC days, some at a day's first and last millisecond), the
 * built executable reads it, and every number it prints — per day, token, account and organisation, table and JSON —
 * must be exactly what was recorded. Then the windows, the selections, and every kind of bad input.
 */
import { spawnSync } from "node:child_process"
import { existsSync } from "node:fs"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Redacted, TestContext } from "effect"
import { sa } from "./helpers.js"
import { blockOf, checkJson, expectedRows, type ReportJson, tableBlocks, type Window } from "./usageExpect.js"
import { callerOf, type GeneratedHistory, generateHistory, type Use } from "./usageHistory.js"

const bin = fileURLToPath(new URL("../dist/bin.js", import.meta.url))
const built = existsSync(bin)

const run = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "" }
  })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

const at = (iso: string) => Date.parse(iso)

/** Known uses by three recorders; "spare" is never used. Per recorder, token and day, sums stay within 10^12. */
const uses: ReadonlyArray<Use> = [
  { recorder: 0, token: "ci", at: at("2026-03-07T08:00:00.000Z"), requests: 3, units: 1.25 },
  { recorder: 0, token: "ci", at: at("2026-03-08T23:59:59.999Z"), requests: 2, units: 0.5 },
  { recorder: 0, token: "nightly", at: at("2026-03-08T01:00:00.000Z"), requests: 1, units: 700_000_000_000 },
  { recorder: 0, token: "old", at: at("2026-03-07T10:00:00.000Z"), requests: 4, units: 2 },
  { recorder: 0, token: "loader", at: at("2026-03-10T00:00:00.000Z"), requests: 10, units: 0 },
  { recorder: 0, token: "legacy", at: at("2026-03-07T00:00:00.000Z"), requests: 1, units: 1 },
  { recorder: 1, token: "ci", at: at("2026-03-09T00:00:00.000Z"), requests: 5, units: 0.25 },
  { recorder: 1, token: "ci", at: at("2026-03-07T09:00:00.000Z"), requests: 1, units: 0 },
  { recorder: 1, token: "nightly", at: at("2026-03-08T02:00:00.000Z"), requests: 1, units: 600_000_000_000 },
  { recorder: 1, token: "prod", at: at("2026-03-09T10:00:00.000Z"), requests: 7, units: 3.75 },
  { recorder: 1, token: "loader", at: at("2026-03-09T12:00:00.000Z"), requests: 1, units: 1 },
  { recorder: 2, token: "ci", at: at("2026-03-10T11:59:00.000Z"), requests: 1, units: 0 },
  { recorder: 2, token: "prod", at: at("2026-03-10T06:00:00.000Z"), requests: 2, units: 0.5 },
  { recorder: 2, token: "prod", at: at("2026-03-10T07:00:00.000Z"), requests: 2, units: 0.25 },
  { recorder: 2, token: "nightly", at: at("2026-03-09T23:00:00.000Z"), requests: 1, units: 123_456_789.5 },
  { recorder: 2, token: "old", at: at("2026-03-08T09:00:00.000Z"), requests: 1, units: 0 }
]

const ACME = ["ci", "nightly", "prod", "old", "legacy", "spare"]
const GLOBEX = ["loader"]

let history: GeneratedHistory

beforeAll(async () => {
  history = await Effect.runPromise(
    generateHistory({
      directory: [
        [
          "acme",
          [
            ["builder", ["ci", "nightly"]],
            ["deployer", ["prod", "old"]],
            ["retired", ["legacy"]],
            ["idle", ["spare"]]
          ]
        ],
        ["globex", [["etl", ["loader"]]]]
      ],
      uses,
      // After their uses: "old" is revoked, and "retired" deleted (revoking "legacy").
      afterwards: (service, tokens) =>
        Effect.gen(function* () {
          const old = tokens.get("old")
          const legacy = tokens.get("legacy")
          if (old === undefined || legacy === undefined) return yield* Effect.die("no such token")
          yield* service.revokeToken(callerOf("acme"), { serviceAccountId: old.serviceAccountId, tokenId: old.tokenId })
          yield* service.delete(callerOf("acme"), { serviceAccountId: legacy.serviceAccountId })
        })
    }).pipe(Effect.provide(TestContext.TestContext))
  )
}, 60_000)

const idOf = (name: string): string => history.tokens.get(name)?.tokenId ?? name
const accountOf = (name: string): string => history.accounts.get(name) ?? name

/** No token value of the history, and nothing shaped like one, in what a run printed. */
const expectNoTokens = (output: string) => {
  for (const token of history.tokens.values()) expect(output).not.toContain(Redacted.value(token.issued.value))
  expect(output).not.toMatch(/sat_[0-9A-Za-z]/)
  expect(output).not.toContain("\u001b")
}

const json = (...args: ReadonlyArray<string>): ReportJson => {
  const result = run("usage", "--file", history.path, "--format", "json", ...args)
  expect(result, args.join(" ")).toMatchObject({ code: 0, stderr: "" })
  expectNoTokens(result.stdout)
  return JSON.parse(result.stdout)
}

const table = (...args: ReadonlyArray<string>) => {
  const result = run("usage", "--file", history.path, ...args)
  expect(result, args.join(" ")).toMatchObject({ code: 0, stderr: "" })
  expectNoTokens(result.stdout)
  return result.stdout
}

// Each run starts a Node process: allow for a busy machine.
const slow = { timeout: 120_000 }

describe.skipIf(!built)("sa-audit usage on a generated history", () => {
  it(
    "JSON: exactly what was recorded, per day, token, account and organisation, with each token's last use",
    slow,
    () => {
      const report = json()
      expect(report.selection).toEqual({ organizationId: null, serviceAccountId: null, tokenId: null })
      expect([report.since, report.until]).toEqual([null, null])
      expect(report.organizations.map((organization) => organization.organizationId)).toEqual(["acme", "globex"])
      checkJson(report, history, {}, [...ACME, ...GLOBEX])
      // The numbers, spelt out: two recorders' 700 and 600 thousand million units of one day add up exactly, and so
      // do the halves and quarters next to them.
      const acme = report.organizations[0]
      const builder = acme?.accounts.find((account) => account.name === "builder")
      expect(builder?.days).toEqual([
        { day: "2026-03-07", requests: 4, units: 1.25 },
        { day: "2026-03-08", requests: 4, units: 1_300_000_000_000.5 },
        { day: "2026-03-09", requests: 6, units: 123_456_789.75 },
        { day: "2026-03-10", requests: 1, units: 0 }
      ])
      expect(builder?.lastUsedAt).toBe("2026-03-10T11:59:00.000Z")
      // ci 12 requests, 2 units; nightly 3, 1,300,123,456,789.5; prod 11, 4.5; old 5, 2; legacy 1, 1.
      expect(acme?.total).toEqual({ requests: 32, units: 1_300_123_456_799 })
      const statuses = acme?.accounts.map((account) => [
        account.name,
        account.status,
        account.tokens.map((t) => t.status)
      ])
      expect(statuses).toEqual([
        ["builder", "active", ["active", "active"]],
        ["deployer", "active", ["active", "revoked"]],
        ["retired", "deleted", ["revoked"]],
        ["idle", "active", ["active"]]
      ])
      const spare = acme?.accounts.at(-1)?.tokens[0]
      expect(spare).toMatchObject({ name: "spare", lastUsedAt: null, days: [], total: { requests: 0, units: 0 } })
    }
  )

  it("table: the same numbers, each block's days and total under its heading", slow, () => {
    const stdout = table()
    expect(stdout.split("\n")[0]).toBe("Usage per UTC day, every day the history holds.")
    const blocks = tableBlocks(stdout)
    const acmeIds = ACME.map(idOf)
    expect(blockOf(blocks, "Organisation acme").rows).toEqual(expectedRows(history, acmeIds, {}))
    expect(blockOf(blocks, "Organisation acme").indent).toBe(2)
    expect(blockOf(blocks, "Organisation globex").rows).toEqual(expectedRows(history, [idOf("loader")], {}))
    for (const [account, tokens] of [
      ["builder", ["ci", "nightly"]],
      ["deployer", ["prod", "old"]],
      ["retired", ["legacy"]],
      ["idle", ["spare"]],
      ["etl", ["loader"]]
    ] as const) {
      const block = blockOf(blocks, accountOf(account))
      expect(block.heading).toContain(`Service account "${account}"`)
      expect(block.rows, account).toEqual(expectedRows(history, tokens.map(idOf), {}))
      expect(block.indent).toBe(4)
    }
    for (const name of [...ACME, ...GLOBEX]) {
      const block = blockOf(blocks, idOf(name))
      expect(block.rows, name).toEqual(expectedRows(history, [idOf(name)], {}))
      expect(block.indent).toBe(6)
      const last = history.expected.lastUsed.get(idOf(name))
      expect(block.heading).toContain(last === undefined ? "never used" : `last used ${new Date(last).toISOString()}`)
    }
    expect(blockOf(blocks, idOf("old")).heading).toMatch(/^ {4}token "old" …[0-9A-Za-z]{4} {2}revoked {2}/)
    expect(blockOf(blocks, accountOf("retired")).heading).toContain('"retired"  deleted')
    // 1.3 million million and a half, as it is: not rounded, not grouped, not in exponent notation.
    expect(blockOf(blocks, accountOf("builder")).rows).toContainEqual(["2026-03-08", "4", "1300000000000.5"])
  })

  it("--since and --until select UTC days, both inclusive, in JSON and in the table", slow, () => {
    const windows: ReadonlyArray<Window> = [
      { since: "2026-03-08" },
      { until: "2026-03-08" },
      { since: "2026-03-08", until: "2026-03-09" },
      { since: "2026-03-09", until: "2026-03-09" },
      { since: "2026-03-11" },
      { until: "2026-03-06" }
    ]
    for (const window of windows) {
      const args = [
        ...(window.since === undefined ? [] : ["--since", window.since]),
        ...(window.until === undefined ? [] : ["--until", window.until])
      ]
      const report = json(...args)
      expect([report.since, report.until]).toEqual([window.since ?? null, window.until ?? null])
      checkJson(report, history, window, [...ACME, ...GLOBEX])
      const blocks = tableBlocks(table(...args))
      for (const name of [...ACME, ...GLOBEX]) {
        expect(blockOf(blocks, idOf(name)).rows, `${name} ${args.join(" ")}`).toEqual(
          expectedRows(history, [idOf(name)], window)
        )
      }
      expect(blockOf(blocks, "Organisation acme").rows).toEqual(expectedRows(history, ACME.map(idOf), window))
    }
    // The day's last and first millisecond fall on their own days: "ci" 23:59:59.999 on the 8th, 00:00 on the 9th.
    const ci = json("--since", "2026-03-08", "--until", "2026-03-08").organizations[0]?.accounts[0]?.tokens[0]
    expect(ci?.days).toEqual([{ day: "2026-03-08", requests: 2, units: 0.5 }])
    expect(ci?.total).toEqual({ requests: 12, units: 2 })
  })

  it("--account reports one account, its tokens and its total; --token one token", slow, () => {
    const deployer = json("--account", accountOf("deployer"))
    expect(deployer.selection.serviceAccountId).toBe(accountOf("deployer"))
    checkJson(deployer, history, {}, ["prod", "old"])
    const windowed = json("--account", accountOf("builder"), "--since", "2026-03-09")
    checkJson(windowed, history, { since: "2026-03-09" }, ["ci", "nightly"])
    const text = tableBlocks(table("--account", accountOf("builder"), "--until", "2026-03-08"))
    const named = (heading: string) => /^ *\S.*? {2}/.exec(heading.replace(/…[0-9A-Za-z]{4}/, "…hint"))?.[0]
    expect(text.map((block) => named(block.heading))).toEqual([
      'Service account "builder"  ',
      '  token "ci" …hint  ',
      '  token "nightly" …hint  '
    ])
    expect(text[0]?.heading).toContain("in organisation acme")
    expect(text[0]?.rows).toEqual(expectedRows(history, [idOf("ci"), idOf("nightly")], { until: "2026-03-08" }))
    const token = json("--token", idOf("prod"), "--since", "2026-03-10")
    checkJson(token, history, { since: "2026-03-10" }, ["prod"])
    const tokenTable = table("--token", idOf("loader"))
    const lines = tokenTable.split("\n")
    expect(lines[2]).toMatch(
      new RegExp(`^token "loader" …[0-9A-Za-z]{4}  active  ${idOf("loader")}  last used 2026-03-10T00:00:00.000Z$`)
    )
    expect(lines[3]).toBe(`  of service account "etl" ${accountOf("etl")} in organisation globex`)
    expect(tableBlocks(tokenTable)[0]?.rows).toEqual(expectedRows(history, [idOf("loader")], {}))
  })

  it("--organization reports one organisation; one the history does not hold, none (as replay does)", slow, () => {
    const globex = json("--organization", "globex")
    expect(globex.organizations.map((organization) => organization.organizationId)).toEqual(["globex"])
    checkJson(globex, history, {}, GLOBEX)
    const none = run("usage", "--file", history.path, "--organization", "initech")
    expect(none).toMatchObject({ code: 0, stderr: "" })
    expect(none.stdout).toBe("Usage per UTC day, every day the history holds.\n(no organisation)\n")
  })
})

describe("sa-audit usage: not found, and bad arguments", () => {
  it.effect("an account or token the history does not hold is not found: exit 1, the answer printed", () =>
    Effect.gen(function* () {
      const unknown = "00000000-0000-4000-8000-000000000000"
      const account = yield* sa("usage", "--file", history.path, "--account", unknown)
      expect(account).toEqual({
        code: 1,
        stdout: `Service account ${unknown} does not appear in the history.`,
        stderr: `sa-audit: service account ${unknown} does not appear in the history`
      })
      const token = yield* sa("usage", "--file", history.path, "--token", unknown, "--format", "json")
      expect(token.code).toBe(1)
      expect(token.stderr).toBe(`sa-audit: token ${unknown} does not appear in the history`)
      expect(JSON.parse(token.stdout)).toEqual({
        selection: { organizationId: null, serviceAccountId: null, tokenId: unknown },
        since: null,
        until: null,
        organizations: []
      })
      // A token of globex, looked for in acme.
      const elsewhere = yield* sa("usage", "--file", history.path, "--token", idOf("loader"), "--organization", "acme")
      expect(elsewhere).toMatchObject({
        code: 1,
        stderr: `sa-audit: token ${idOf("loader")} does not appear in the history of organisation acme`
      })
      // Known but never used is not "not found": its zeros are the answer.
      const spare = yield* sa("usage", "--file", history.path, "--token", idOf("spare"))
      expect(spare).toMatchObject({ code: 0, stderr: "" })
      expect(spare.stdout).toContain("never used")
    })
  )

  it.effect("bad arguments: exit 2 with one message, nothing on standard output", () =>
    Effect.gen(function* () {
      const path = history.path
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["--since", "2026-3-1"], "--since must be a UTC day, YYYY-MM-DD, such as 2026-03-01"],
        [["--since", "2026-02-30"], "--since must be a UTC day, YYYY-MM-DD, such as 2026-03-01"],
        [["--until", "2026-13-01"], "--until must be a UTC day, YYYY-MM-DD, such as 2026-03-01"],
        [["--until", "yesterday"], "--until must be a UTC day, YYYY-MM-DD, such as 2026-03-01"],
        [["--since", "2026-03-01T00:00:00Z"], "--since must be a UTC day, YYYY-MM-DD, such as 2026-03-01"],
        [["--since", "2026-03-09", "--until", "2026-03-08"], "--since 2026-03-09 is after --until 2026-03-08"],
        [["--account", accountOf("builder"), "--token", idOf("ci")], "give at most one of --account and --token"],
        [["--account", "builder"], "--account must be a service account id (a UUID)"],
        [["--token", "ci"], "--token must be a token id (a UUID)"],
        [["--format", "csv"], "Expected one of the following cases: table, json"],
        [["--organization", "a b"], "must be printable ASCII without spaces"]
      ]
      for (const [args, message] of cases) {
        const result = yield* sa("usage", "--file", path, ...args)
        expect(result.code, args.join(" ")).toBe(2)
        expect(result.stdout, args.join(" ")).toBe("")
        expect(result.stderr.startsWith(`sa-audit: ${message}`), `${args.join(" ")}: ${result.stderr}`).toBe(true)
      }
      expect(yield* sa("usage")).toMatchObject({
        code: 2,
        stderr: "sa-audit: give the history with --file <history.ndjson> or --eventstoredb <connection string>"
      })
    })
  )
})
