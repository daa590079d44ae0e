/**
 * Checks `sa-audit usage`'s output against what a generated history recorded: every number of the JSON report and
 * of the table, per day, token, account and organisation, compared as text with what the test summed itself.
 */
import { expect } from "@effect/vitest"
import type { GeneratedHistory } from "./usageHistory.js"

export interface Counts {
  readonly requests: number
  readonly units: number
}

export interface DayJson extends Counts {
  readonly day: string
}

export interface UsageJson {
  readonly lastUsedAt: string | null
  readonly window: Counts
  readonly total: Counts
  readonly days: ReadonlyArray<DayJson>
}

export interface TokenJson extends UsageJson {
  readonly tokenId: string
  readonly name: string | null
  readonly hint: string | null
  readonly status: string
}

export interface AccountJson extends UsageJson {
  readonly serviceAccountId: string
  readonly name: string | null
  readonly status: string
  readonly tokens: ReadonlyArray<TokenJson>
}

export interface ReportJson {
  readonly selection: {
    readonly organizationId: string | null
    readonly serviceAccountId: string | null
    readonly tokenId: string | null
  }
  readonly since: string | null
  readonly until: string | null
  readonly organizations: ReadonlyArray<UsageJson & { organizationId: string; accounts: ReadonlyArray<AccountJson> }>
}

export interface Window {
  readonly since?: string
  readonly until?: string
}

const lastOf = (history: GeneratedHistory, tokenIds: ReadonlyArray<string>): string | null => {
  const times = tokenIds.flatMap((id) => {
    const last = history.expected.lastUsed.get(id)
    return last === undefined ? [] : [last]
  })
  return times.length === 0 ? null : new Date(Math.max(...times)).toISOString()
}

/** What the report must say of these tokens, summed by the test. */
export const expectedUsage = (history: GeneratedHistory, tokenIds: ReadonlyArray<string>, window: Window) => ({
  lastUsedAt: lastOf(history, tokenIds),
  window: history.expected.total(tokenIds, window.since, window.until),
  total: history.expected.total(tokenIds),
  days: history.expected.sumDays(tokenIds, window.since, window.until)
})

const pick = (usage: UsageJson) => ({
  lastUsedAt: usage.lastUsedAt,
  window: usage.window,
  total: usage.total,
  days: usage.days
})

/**
 * Every number of a JSON report, and which tokens it lists: those of the plan in `organizations` (all of an
 * organisation's, or only `only`'s tokens).
 */
export const checkJson = (
  report: ReportJson,
  history: GeneratedHistory,
  window: Window,
  listed: ReadonlyArray<string>
): void => {
  const seen: Array<string> = []
  for (const organization of report.organizations) {
    const organizationTokens: Array<string> = []
    for (const account of organization.accounts) {
      const accountTokens = account.tokens.map((token) => token.tokenId)
      organizationTokens.push(...accountTokens)
      for (const token of account.tokens) {
        const planned = Array.from(history.tokens.values()).find((t) => t.tokenId === token.tokenId)
        expect(planned?.serviceAccountId, token.tokenId).toBe(account.serviceAccountId)
        expect(pick(token), planned?.name).toEqual(expectedUsage(history, [token.tokenId], window))
        expect(token.name).toBe(planned?.name)
        seen.push(token.tokenId)
      }
      expect(pick(account), account.name ?? "").toEqual(expectedUsage(history, accountTokens, window))
    }
    expect(pick(organization), organization.organizationId).toEqual(expectedUsage(history, organizationTokens, window))
  }
  expect(seen.sort()).toEqual(
    listed
      .map((name) => history.tokens.get(name)?.tokenId)
      .filter((id) => id !== undefined)
      .sort()
  )
}

interface Block {
  readonly heading: string
  readonly indent: number | undefined
  readonly rows: Array<readonly [string, string, string]>
}

/** The table's blocks: each heading with the rows under it (label, requests, units, as printed). */
export const tableBlocks = (stdout: string): Array<Block> => {
  const blocks: Array<Block> = []
  const lines = stdout.split("\n")
  for (const line of lines.slice(2)) {
    if (line === "") continue
    const row = /^( *)(\d{4}-\d{2}-\d{2}|total) +(\S+) +(\S+)$/.exec(line)
    const current = blocks.at(-1)
    if (row === null) {
      // A token selected has a second heading line (its account and organisation).
      if (current !== undefined && current.rows.length === 0 && line.startsWith("  of ")) continue
      blocks.push({ heading: line, indent: undefined, rows: [] })
    } else if (current !== undefined) {
      current.rows.push([row[2] ?? "", row[3] ?? "", row[4] ?? ""])
      const indent = row[1]?.length
      if (current.indent !== undefined) expect(indent, current.heading).toBe(current.indent)
      blocks[blocks.length - 1] = { ...current, indent }
    }
  }
  return blocks
}

/** The rows the table must print for these tokens: each day with use, then the total, numbers as text. */
export const expectedRows = (history: GeneratedHistory, tokenIds: ReadonlyArray<string>, window: Window) => {
  const usage = expectedUsage(history, tokenIds, window)
  return [
    ...usage.days.map((day) => [day.day, String(day.requests), String(day.units)] as const),
    ["total", String(usage.window.requests), String(usage.window.units)] as const
  ]
}

/** The block whose heading holds `text`. */
export const blockOf = (blocks: ReadonlyArray<Block>, text: string): Block => {
  const found = blocks.filter((block) => block.heading.includes(text))
  expect(
    found.map((block) => block.heading),
    text
  ).toHaveLength(1)
  return found[0] as Block
}
