/**
 * The built `sa-audit` on the demo's history, as docs/auditing.md runs it: verify, check, replay, as-of and token
 * succeed with the expected output, and a tampered copy is caught. `pnpm test` builds first; without a build the
 * tests are skipped.
 */
import { spawnSync } from "node:child_process"
import { existsSync, writeFileSync } from "node:fs"
import { join } from "node:path"
import { fileURLToPath } from "node:url"
import { beforeAll, describe, expect, it } from "@effect/vitest"
import type { Json } from "@service-accounts/domain"
import { Effect } from "effect"
import { type DemoHistory, demoHistory, toText } from "./history.js"

const bin = fileURLToPath(new URL("../../../packages/cli/dist/bin.js", import.meta.url))
const slow = { timeout: 60_000 }

const saAudit = (...args: ReadonlyArray<string>) => {
  const result = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" })
  return { code: result.status, stdout: result.stdout, stderr: result.stderr }
}

let demo: DemoHistory
beforeAll(async () => {
  demo = await Effect.runPromise(demoHistory)
})

const isObject = (value: Json | undefined): value is { readonly [key: string]: Json } =>
  typeof value === "object" && value !== null && !Array.isArray(value)

const field = (position: number, name: string): string => {
  const data = demo.events[position]?.data
  if (!isObject(data)) throw new Error(`no event at ${position}`)
  return String(data[name])
}

describe.skipIf(!existsSync(bin))("sa-audit on the demo's history", () => {
  it("verify: the chain and the signed checkpoint hold", slow, () => {
    const result = saAudit("verify", "--file", demo.historyPath, "--public-key", demo.publicKeyPath)
    expect(result).toMatchObject({ code: 0, stderr: "" })
    expect(result.stdout).toContain(
      `Verified ${demo.events.length} event(s): 1 directory chain(s), 1 signed checkpoint(s).\nEvery event is covered by a signed checkpoint.\nNo tampering found.`
    )
    expect(result.stdout).toMatch(/serviceAccountDirectory-acme {2}revision 7 {2}digest [0-9a-f]{64}/)
  })

  it("check: no invariant is violated", slow, () => {
    expect(saAudit("check", "--file", demo.historyPath)).toMatchObject({
      code: 0,
      stdout: "Checked 8 event(s) of 1 organisation(s): no violation of invariants I1–I9.\n"
    })
  })

  it("replay: the directory after the story, and the audit trail", slow, () => {
    const directory = saAudit("replay", "--file", demo.historyPath)
    expect(directory.code).toBe(0)
    expect(directory.stdout).toContain("Organisation acme: 1 service account(s), 0 active")
    expect(directory.stdout).toMatch(/ {2}deploy-bot {2}deleted /)
    expect(directory.stdout).toMatch(/token "ci" …\w{4} {2}revoked \(Manual\)/)
    expect(directory.stdout).toMatch(/token "backup" …\w{4} {2}revoked \(ServiceAccountDeleted\) {2}scopes read /)
    expect(directory.stdout).toMatch(/token "ci-2" …\w{4} {2}revoked \(ServiceAccountDeleted\)/)
    const trail = saAudit("replay", "--view", "audit", "--file", demo.historyPath)
    expect(trail.stdout.trim().split("\n")).toHaveLength(8)
    expect(trail.stdout).toContain('created service account "deploy-bot"')
    expect(trail.stdout).toContain("deleted service account and its 2 active token(s)")
  })

  it("as-of: before the rotation, ci and backup were valid", slow, () => {
    const account = field(0, "serviceAccountId")
    const result = saAudit("as-of", "--file", demo.historyPath, "--position", "2", "--account", account)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain("As of position 2: 3 event(s) applied, the last at position 2.")
    expect(result.stdout).toContain(`Service account "deploy-bot" (${account}) of acme was active at position 2.`)
    expect(result.stdout).toContain("Tokens valid at position 2: 2")
    const at = field(4, "occurredAt")
    const later = saAudit("as-of", "--file", demo.historyPath, "--at", at, "--account", account)
    expect(later.stdout).toContain("Tokens valid at")
    expect(later.stdout).not.toMatch(/token "ci" …/)
    expect(later.stdout).toMatch(/token "ci-2" …/)
  })

  it("token: the rotated-out token's life", slow, () => {
    const tokenId = field(1, "tokenId")
    const result = saAudit("token", tokenId, "--file", demo.historyPath)
    expect(result.code).toBe(0)
    expect(result.stdout).toContain(`Token ${tokenId} "ci"`)
    expect(result.stdout).toMatch(/#1 {2}\S+ {2}issued by alice@acme\.example\.com \(administrator\)/)
    expect(result.stdout).toMatch(/#4 {2}\S+ {2}revoked by alice@acme\.example\.com \(administrator\): revoked by hand/)
    expect(result.stdout).toMatch(/Status: revoked \(Manual\) — valid from \S+ until \S+\./)
  })

  it("verify: a copy with the revocation removed is caught, with its position", slow, () => {
    const tampered = join(demo.dir, "tampered.ndjson")
    writeFileSync(
      tampered,
      toText(demo.events.filter((e) => !(e.streamId === "serviceAccountDirectory-acme" && e.revision === 4n)))
    )
    const result = saAudit("verify", "--file", tampered, "--public-key", demo.publicKeyPath)
    expect(result.code).toBe(1)
    // The usage the story recorded sits in the history too: the next directory event's position is read, not assumed.
    const next = demo.events.find((e) => e.streamId === "serviceAccountDirectory-acme" && e.revision === 5n)
    expect(result.stdout).toContain(
      `position ${next?.position} (serviceAccountDirectory-acme@5)  missing-events  revisions 4–4 are missing before this event`
    )
    expect(result.stdout).toContain("TAMPERING: 1 finding(s).")
    expect(result.stderr).toBe("sa-audit: 1 tamper-evidence finding(s)\n")
  })
})
