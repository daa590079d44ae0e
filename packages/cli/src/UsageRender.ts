/**
 * How `sa-audit usage` prints a `UsageReport`: a table for people, JSON for programs. Each number is printed as the
 * shortest text that reads back as the same number (never rounded, never grouped); anything quoted from the history
 * (names, organisation ids) goes through `Token.quoteSafely`.
 *
 * @example
 * ```ts
 * import { UsageRender, type UsageReport } from "@service-accounts/cli"
 *
 * // The report as `sa-audit usage` prints it, a line at a time.
 * const print = (report: UsageReport.Report, json: boolean) => {
 *   for (const line of json ? UsageRender.jsonLines(report) : UsageRender.lines(report)) console.log(line)
 * }
 * ```
 *
 * @since 0.3.0
 */
import { Token } from "@service-accounts/domain"
import type { UsageView } from "@service-accounts/domain"
import type * as UsageReport from "./UsageReport.js"

const quoted = (text: string): string => Token.quoteSafely(text, 200)

const time = (at: Date | undefined): string | null => (at === undefined ? null : at.toISOString())

/**
 * The window as words: `from 2026-03-01 to 2026-03-31`, `from 2026-03-01`, `up to 2026-03-31`, or `every day the
 * history holds`.
 *
 * @since 0.3.0
 * @category text
 */
export const windowText = (window: UsageReport.Window): string =>
  window.since === undefined
    ? window.until === undefined
      ? "every day the history holds"
      : `up to ${window.until}`
    : window.until === undefined
      ? `from ${window.since}`
      : `from ${window.since} to ${window.until}`

/** A line of the table: a heading, or a row of counts under its label (a day, or "total"). */
type Line =
  | { readonly _tag: "Heading"; readonly text: string }
  | { readonly _tag: "Row"; readonly indent: number; readonly label: string; readonly counts: UsageView.Counts }

/** Where the counts start: after the deepest row's label (a token's day, six spaces in). */
const LABEL_WIDTH = 18

const lastUse = (usage: UsageReport.Usage): string =>
  usage.lastUsedAt === undefined ? "never used" : `last used ${usage.lastUsedAt.toISOString()}`

const rows = (usage: UsageReport.Usage, indent: number): Array<Line> => [
  ...usage.days.map((day): Line => ({ _tag: "Row", indent, label: day.day, counts: day })),
  { _tag: "Row", indent, label: "total", counts: usage.window }
]

const accountHeading = (account: UsageReport.AccountReport): string =>
  `Service account ${account.name === undefined ? "(not in the directory)" : `"${quoted(account.name)}"`}  ${account.status}  ${account.serviceAccountId}  ${lastUse(account)}`

const tokenHeading = (token: UsageReport.TokenReport): string =>
  `token ${token.name === undefined ? "(not in the directory)" : `"${quoted(token.name)}" …${quoted(token.hint ?? "")}`}  ${token.status}  ${token.tokenId}  ${lastUse(token)}`

/** The table's lines, before the counts are aligned: only the levels the selection asks for. */
const tableLines = (report: UsageReport.Report): Array<Line> => {
  const out: Array<Line> = []
  const heading = (text: string) => out.push({ _tag: "Heading", text })
  const { selection } = report
  for (const organization of report.organizations) {
    const where = `organisation ${quoted(organization.organizationId)}`
    if (selection.tokenId !== undefined) {
      for (const account of organization.accounts) {
        for (const token of account.tokens) {
          heading(`${tokenHeading(token)}`)
          heading(
            `  of service account ${account.name === undefined ? account.serviceAccountId : `"${quoted(account.name)}" ${account.serviceAccountId}`} in ${where}`
          )
          out.push(...rows(token, 2))
        }
      }
    } else if (selection.serviceAccountId !== undefined) {
      for (const account of organization.accounts) {
        heading(`${accountHeading(account)}  in ${where}`)
        out.push(...rows(account, 2))
        for (const token of account.tokens) {
          heading(`  ${tokenHeading(token)}`)
          out.push(...rows(token, 4))
        }
      }
    } else {
      heading(`Organisation ${quoted(organization.organizationId)}: ${organization.accounts.length} service account(s)`)
      out.push(...rows(organization, 2))
      for (const account of organization.accounts) {
        heading(`  ${accountHeading(account)}`)
        out.push(...rows(account, 4))
        for (const token of account.tokens) {
          heading(`    ${tokenHeading(token)}`)
          out.push(...rows(token, 6))
        }
      }
    }
  }
  return out
}

/**
 * The report as a table, a line at a time: a line naming the window and the columns, then for each organisation (or
 * the account or token selected) a heading, a row for each day with any use and a `total` row, and the same for each
 * account and token under it. Headings name each account and token with its status and last use.
 *
 * @since 0.3.0
 * @category text
 */
export function* lines(report: UsageReport.Report): Generator<string> {
  const table = tableLines(report)
  let requestsWidth = "requests".length
  let unitsWidth = "units".length
  for (const line of table) {
    if (line._tag !== "Row") continue
    requestsWidth = Math.max(requestsWidth, String(line.counts.requests).length)
    unitsWidth = Math.max(unitsWidth, String(line.counts.units).length)
  }
  const columns = (requests: string, units: string) =>
    `${requests.padStart(requestsWidth)}  ${units.padStart(unitsWidth)}`
  yield `Usage per UTC day, ${windowText(report.window)}.`
  if (report.organizations.length === 0) {
    yield "(no organisation)"
    return
  }
  yield `${"".padEnd(LABEL_WIDTH)}${columns("requests", "units")}`
  for (const line of table) {
    yield line._tag === "Heading"
      ? line.text
      : `${`${" ".repeat(line.indent)}${line.label}`.padEnd(LABEL_WIDTH)}${columns(String(line.counts.requests), String(line.counts.units))}`
  }
}

const countsJson = (counts: UsageView.Counts) => ({ requests: counts.requests, units: counts.units })

const usageJson = (usage: UsageReport.Usage) => ({
  lastUsedAt: time(usage.lastUsedAt),
  window: countsJson(usage.window),
  total: countsJson(usage.total),
  days: usage.days.map((day) => ({ day: day.day, requests: day.requests, units: day.units }))
})

/**
 * A token as JSON: every key always present (`null` when unknown or never used).
 *
 * @since 0.3.0
 * @category json
 */
export const tokenJson = (token: UsageReport.TokenReport) => ({
  tokenId: token.tokenId,
  name: token.name === undefined ? null : quoted(token.name),
  hint: token.hint === undefined ? null : quoted(token.hint),
  status: token.status,
  ...usageJson(token)
})

/**
 * A service account as JSON, with its tokens.
 *
 * @since 0.3.0
 * @category json
 */
export const accountJson = (account: UsageReport.AccountReport) => ({
  serviceAccountId: account.serviceAccountId,
  name: account.name === undefined ? null : quoted(account.name),
  status: account.status,
  ...usageJson(account),
  tokens: account.tokens.map(tokenJson)
})

/**
 * The report as JSON, a line at a time (one account a line):
 * `{"selection":{…},"since":…,"until":…,"organizations":[{"organizationId":…,"lastUsedAt":…,"window":…,"total":…,"days":[…],"accounts":[`
 * then one account a line. The shape is in the package's README.
 *
 * @since 0.3.0
 * @category json
 */
export function* jsonLines(report: UsageReport.Report): Generator<string> {
  const selection = {
    organizationId: report.selection.organizationId ?? null,
    serviceAccountId: report.selection.serviceAccountId ?? null,
    tokenId: report.selection.tokenId ?? null
  }
  const head = { selection, since: report.window.since ?? null, until: report.window.until ?? null }
  yield `${JSON.stringify(head).slice(0, -1)},"organizations":[`
  for (const [i, organization] of report.organizations.entries()) {
    const fields = JSON.stringify({ organizationId: quoted(organization.organizationId), ...usageJson(organization) })
    yield `${fields.slice(0, -1)},"accounts":[`
    for (const [j, account] of organization.accounts.entries()) {
      yield `${JSON.stringify(accountJson(account))}${j < organization.accounts.length - 1 ? "," : ""}`
    }
    yield `]}${i < report.organizations.length - 1 ? "," : ""}`
  }
  yield "]}"
}
