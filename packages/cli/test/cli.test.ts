/**
 * `sa-audit` in-process on the golden history (a deterministic run, so outputs are compared whole with committed
 * snapshots) and on bad input.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { edited, goldenKeyPath, goldenPath, sa, tempFile } from "./helpers.js"

const CI_TOKEN = "2eceb5a1-b7ad-430a-a434-63fd334c134c"
const DEPLOY_BOT = "84c67782-8385-429e-9c26-d5df29c1269f"

const snapshot = (name: string, text: string) =>
  Effect.promise(() => expect(`${text}\n`).toMatchFileSnapshot(`__snapshots__/${name}`))

describe("sa-audit on the golden history", () => {
  it.effect("replay prints the directory view (table and JSON)", () =>
    Effect.gen(function* () {
      const table = yield* sa("replay", "--file", goldenPath)
      expect(table).toMatchObject({ code: 0, stderr: "" })
      yield* snapshot("replay.txt", table.stdout)
      const json = yield* sa("replay", "--file", goldenPath, "--format", "json", "--organization", "globex")
      expect(JSON.parse(json.stdout)).toEqual({
        organizations: [
          {
            organizationId: "globex",
            accounts: [
              expect.objectContaining({
                name: "etl",
                status: "active",
                tokens: [expect.objectContaining({ name: "loader" })]
              })
            ]
          }
        ]
      })
    })
  )

  it.effect("replay --view audit prints the audit trail in order", () =>
    Effect.gen(function* () {
      const table = yield* sa("replay", "--view", "audit", "--file", goldenPath)
      expect(table.code).toBe(0)
      yield* snapshot("audit.txt", table.stdout)
      const json = yield* sa("replay", "--view", "audit", "--format", "json", "--file", goldenPath)
      const entries: ReadonlyArray<{ readonly position: string; readonly action: string }> = JSON.parse(json.stdout)
      expect(entries.map((e) => e.position)).toEqual(Array.from({ length: 15 }, (_, i) => String(i)))
      expect(entries[9]?.action).toBe("ServiceAccountDeleted")
    })
  )

  it.effect("as-of answers which tokens of an account were valid at a time or a position", () =>
    Effect.gen(function* () {
      // At 09:00:12 "ci" (issued 09:00:06, revoked 09:00:14) and "backup" (09:00:10) were valid.
      const before = yield* sa("as-of", "--file", goldenPath, "--at", "2026-01-05T09:00:12Z", "--account", DEPLOY_BOT)
      expect(before.code).toBe(0)
      yield* snapshot("as-of-at.txt", before.stdout)
      expect(before.stdout).toContain("Tokens valid at 2026-01-05T09:00:12.000Z: 2")
      const after = yield* sa(
        "as-of",
        "--file",
        goldenPath,
        "--position",
        "9",
        "--account",
        DEPLOY_BOT,
        "--format",
        "json"
      )
      expect(JSON.parse(after.stdout)).toMatchObject({
        asOf: { position: "9" },
        eventsApplied: 10,
        account: { name: "deploy-bot", status: "deleted" },
        validTokens: []
      })
      const whole = yield* sa("as-of", "--file", goldenPath, "--position", "4")
      yield* snapshot("as-of-position.txt", whole.stdout)
      const early = yield* sa("as-of", "--file", goldenPath, "--at", "2020-01-01T00:00:00Z", "--account", DEPLOY_BOT)
      expect(early.stdout).toContain(`Service account ${DEPLOY_BOT} did not exist at 2020-01-01T00:00:00.000Z`)
    })
  )

  it.effect("as-of --at includes the events that occurred exactly at that time, and none after", () =>
    Effect.gen(function* () {
      const at = (time: string) =>
        Effect.map(
          sa("as-of", "--file", goldenPath, "--at", time, "--account", DEPLOY_BOT, "--format", "json"),
          (run) => {
            const parsed: {
              readonly eventsApplied: number
              readonly validTokens: ReadonlyArray<{ readonly name: string }>
            } = JSON.parse(run.stdout)
            return { applied: parsed.eventsApplied, valid: parsed.validTokens.map((token) => token.name) }
          }
        )
      // "backup" was issued at 09:00:10 exactly (the third event); "ci" was revoked at 09:00:14 exactly (the fourth).
      expect(yield* at("2026-01-05T09:00:09.999Z")).toEqual({ applied: 2, valid: ["ci"] })
      expect(yield* at("2026-01-05T09:00:10Z")).toEqual({ applied: 3, valid: ["ci", "backup"] })
      expect(yield* at("2026-01-05T09:00:13.999Z")).toEqual({ applied: 3, valid: ["ci", "backup"] })
      expect(yield* at("2026-01-05T09:00:14Z")).toEqual({ applied: 4, valid: ["backup"] })
      // Three events share 09:00:30 (two revocations and the account's deletion): all of them or none.
      expect((yield* at("2026-01-05T09:00:29.999Z")).applied).toBe(7)
      expect(yield* at("2026-01-05T09:00:30Z")).toEqual({ applied: 10, valid: [] })
      const text = yield* sa("as-of", "--file", goldenPath, "--at", "2026-01-05T09:00:10Z", "--account", DEPLOY_BOT)
      expect(text.stdout).toContain("Tokens valid at 2026-01-05T09:00:10.000Z: 2")
    })
  )

  it.effect("token traces one token's life", () =>
    Effect.gen(function* () {
      const table = yield* sa("token", CI_TOKEN, "--file", goldenPath)
      expect(table.code).toBe(0)
      yield* snapshot("token.txt", table.stdout)
      const json = yield* sa("token", CI_TOKEN, "--file", goldenPath, "--format", "json")
      expect(JSON.parse(json.stdout)).toMatchObject({
        status: "revoked",
        revocationReason: "Manual",
        validFrom: "2026-01-05T09:00:06.000Z",
        validUntil: "2026-01-05T09:00:14.000Z"
      })
      const unknown = yield* sa("token", "00000000-0000-4000-8000-000000000000", "--file", goldenPath)
      expect(unknown).toMatchObject({
        code: 1,
        stderr: "sa-audit: token 00000000-0000-4000-8000-000000000000 does not appear in the history"
      })
    })
  )

  it.effect("check finds no violation in the golden history, and each violation with its position elsewhere", () =>
    Effect.gen(function* () {
      const clean = yield* sa("check", "--file", goldenPath)
      expect(clean).toMatchObject({
        code: 0,
        stdout: "Checked 15 event(s) of 2 organisation(s): no violation of invariants I1–I9."
      })
      // Line 5 revokes "ci" (position 3); repeating that line (same event id, next revision) revokes it twice.
      const twice = edited(0, (line) => line)
        .split("\n")
        .flatMap((line, i) => (i === 4 ? [line, line.replace('"revision":"3"', '"revision":"4"')] : [line]))
      const result = yield* sa("check", "--file", tempFile(twice.join("\n")))
      expect(result.code).toBe(1)
      expect(result.stdout).toContain("position 3 (serviceAccountDirectory-acme@4)  I4  token")
      expect(result.stdout).toMatch(/I9 {2}revision 4 follows revision 4/)
      expect(result.stderr).toMatch(/^sa-audit: \d+ invariant violation\(s\)$/)
    })
  )

  it.effect("verify finds the golden history intact, and says what it could not check without the key", () =>
    Effect.gen(function* () {
      const withKey = yield* sa("verify", "--file", goldenPath, "--public-key", goldenKeyPath)
      expect(withKey.code).toBe(0)
      yield* snapshot("verify.txt", withKey.stdout)
      const withoutKey = yield* sa("verify", "--file", goldenPath)
      expect(withoutKey.code).toBe(0)
      expect(withoutKey.stdout).toContain("2 checkpoint(s) not checked: give --public-key to check them.")
      const notAKey = yield* sa("verify", "--file", goldenPath, "--public-key", goldenPath)
      expect(notAKey).toMatchObject({
        code: 2,
        stderr: `sa-audit: --public-key ${goldenPath} is not an Ed25519 public key in PEM format`
      })
    })
  )
})

describe("sa-audit on bad input", () => {
  const cases: ReadonlyArray<readonly [string, string, RegExp]> = [
    ["an empty file", "", /: the file is empty: a history starts with the header/],
    [
      "a truncated last line",
      edited(18, (line) => line.slice(0, 100)).slice(0, -1),
      /: line 18: the file ends in the middle of this line \(truncated\): invalid JSON/
    ],
    ["invalid JSON", edited(4, () => '{"stream": oops'), /: line 4: invalid JSON/],
    [
      "an unknown event type",
      edited(3, (line) => line.replace('"type":"TokenIssued"', '"type":"TokenMinted"')),
      /: line 3: unknown event type "TokenMinted"/
    ],
    [
      "a wrong envelope field type",
      edited(2, (line) => line.replace('"revision":"0"', '"revision":0')),
      /: line 2: revision: Expected string, actual 0/
    ],
    [
      "a wrong event field type",
      edited(3, (line) => line.replace('"name":"ci"', '"name":5')),
      /: line 3: data\.name: Expected string, actual 5/
    ],
    [
      "a header of another format",
      edited(1, () => '{"format":"other","version":1}'),
      /: line 1: the first line must be the header/
    ]
  ]

  for (const [what, text, message] of cases) {
    it.effect(`${what}: exit 2, naming the line and the problem, for every reading command`, () =>
      Effect.gen(function* () {
        const path = tempFile(text)
        for (const command of [
          ["replay"],
          ["replay", "--view", "audit"],
          ["as-of", "--position", "99"],
          ["token", CI_TOKEN],
          ["check"],
          ["export", "--out", `${path}.out`]
        ]) {
          const result = yield* sa(...command, "--file", path)
          expect(result.code, `${command.join(" ")}: ${result.stderr}`).toBe(2)
          expect(result.stderr).toMatch(message)
          expect(result.stderr.startsWith(`sa-audit: ${path}: `)).toBe(true)
        }
      })
    )
  }

  it.effect("verify judges bytes: an unknown event type is an edit, not unreadable input", () =>
    Effect.gen(function* () {
      const path = tempFile(edited(3, (line) => line.replace('"type":"TokenIssued"', '"type":"TokenMinted"')))
      const result = yield* sa("verify", "--file", path)
      expect(result.code).toBe(1)
      expect(result.stdout).toContain("position 1 (serviceAccountDirectory-acme@1)  edited-metadata")
      const garbled = yield* sa("verify", "--file", tempFile(edited(4, () => "{")))
      expect(garbled).toMatchObject({ code: 2 })
      expect(garbled.stderr).toMatch(/: line 4: invalid JSON/)
    })
  )

  it.effect("bad arguments: exit 2 with a message", () =>
    Effect.gen(function* () {
      expect(yield* sa("replay")).toMatchObject({
        code: 2,
        stderr: "sa-audit: give the history with --file <history.ndjson> or --eventstoredb <connection string>"
      })
      expect(yield* sa("replay", "--file", goldenPath, "--eventstoredb", "esdb://localhost:2113")).toMatchObject({
        code: 2,
        stderr: "sa-audit: give either --file or --eventstoredb, not both"
      })
      expect(yield* sa("replay", "--file", "/nonexistent/history.ndjson")).toMatchObject({
        code: 2,
        stderr: "sa-audit: /nonexistent/history.ndjson: no such file"
      })
      expect(yield* sa("as-of", "--file", goldenPath)).toMatchObject({
        code: 2,
        stderr: "sa-audit: give exactly one of --at <ISO time> and --position <n>"
      })
      const cases: ReadonlyArray<readonly [ReadonlyArray<string>, string]> = [
        [["as-of", "--file", goldenPath, "--at", "yesterday"], "--at must be an ISO-8601 time"],
        [["as-of", "--file", goldenPath, "--position", "-1"], "--position must be 0 or more"],
        [["as-of", "--file", goldenPath, "--position", "x"], "--position must be a whole number"],
        [["token", "nope", "--file", goldenPath], "the token id must be a lower-case UUID"],
        [["replay", "--file", goldenPath, "--format", "xml"], "Expected one of the following cases: table, json"],
        [
          ["replay", "--eventstoredb", "http://admin:hunter2@localhost"],
          "--eventstoredb must be an EventStoreDB or KurrentDB connection string"
        ],
        [["replay", "--file", goldenPath, "--view", "bogus"], "Expected one of the following cases: directory, audit"],
        [["replay", "--file", goldenPath, "extra"], "Received unknown argument: 'extra'"],
        [["unknown-command"], "Invalid subcommand for sa-audit"]
      ]
      for (const [args, message] of cases) {
        const result = yield* sa(...args)
        expect(result.code, args.join(" ")).toBe(2)
        expect(result.stdout).toBe("")
        // The command-line library's own errors are sa-audit's errors too: one message, prefixed, on standard error.
        expect(result.stderr.startsWith(`sa-audit: ${message}`), result.stderr).toBe(true)
        expect(result.stderr).not.toContain("hunter2")
      }
    })
  )
})
