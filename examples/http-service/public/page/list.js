// @ts-check
// The list of the organisation's accounts, each with its usage chart, its tokens (with their last use) and its menus;
// the page's error and status lines.
import { api, messageOf } from "./api.js"
import { byId, element } from "./dom.js"
import { menu } from "./menu.js"
import { usageChart } from "./usageChart.js"

/**
 * @typedef {import("./types.js").Account} Account
 * @typedef {import("./types.js").Directory} Directory
 * @typedef {import("./types.js").Token} Token
 * @typedef {import("./types.js").UsageReport} UsageReport
 * @typedef {{ since: string, days: number, usage: (account: Account) => import("./types.js").AccountUsage | undefined }}
 *   UsageWindow the report's window, and each account's usage in it
 * @typedef {{
 *   addToken: (account: Account) => void,
 *   revoke: (account: Account, token: Token, opener: HTMLElement) => void,
 *   deleteAccount: (account: Account, opener: HTMLElement) => void
 * }} AccountActions what the buttons and menus of an account open
 */

const newAccountButton = byId("new-account", HTMLButtonElement)
const tenantUrl = byId("tenant-url", HTMLElement)
const pageError = byId("page-error", HTMLParagraphElement)
const pageStatus = byId("page-status", HTMLParagraphElement)
const empty = byId("empty", HTMLParagraphElement)
const accountList = byId("accounts", HTMLUListElement)
const usageDays = byId("usage-days", HTMLSelectElement)

/** @param {string} message */
export const announce = (message) => {
  pageStatus.textContent = message
}

/** @param {unknown} error shown in the page's error line */
export const showPageError = (error) => {
  pageError.textContent = messageOf(error)
}

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" })
/** @param {string} iso */
const formatDate = (iso) => dateFormat.format(new Date(iso))

/**
 * @param {AccountActions} open
 * @param {Account} account
 * @param {Token} token
 */
const tokenRow = (open, account, token) => {
  const row = document.createElement("tr")
  const status =
    token.status === "active"
      ? element("span", "Active", "badge active")
      : element(
          "span",
          token.revocationReason === "ServiceAccountDeleted" ? "Revoked (account deleted)" : "Revoked",
          "badge revoked"
        )
  const actions = document.createElement("td")
  actions.className = "actions"
  if (token.status === "active") {
    actions.append(
      menu("⋯", `Actions for token ${token.name}`, [
        { label: "Revoke", danger: true, run: (opener) => open.revoke(account, token, opener) }
      ])
    )
  }
  const lastUsed = document.createElement("td")
  lastUsed.className = "last-used"
  if (token.lastUsedAt === undefined) {
    lastUsed.append(element("span", "Never", "muted"))
  } else {
    const when = element("time", formatDate(token.lastUsedAt))
    when.setAttribute("datetime", token.lastUsedAt)
    lastUsed.append(when)
  }
  const cells = [
    element("td", token.name),
    element("td", `…${token.hint}`, "hint"),
    element("td", token.scopes.join(", ")),
    document.createElement("td"),
    element("td", `${formatDate(token.issuedAt)} by ${token.issuedBy.userId}`, "muted"),
    lastUsed
  ]
  cells[3]?.append(status)
  row.append(...cells, actions)
  return row
}

/**
 * @param {AccountActions} open
 * @param {Account} account
 * @param {UsageWindow} usageWindow
 */
const accountItem = (open, account, usageWindow) => {
  const item = document.createElement("li")
  item.className = "account"
  const article = document.createElement("article")
  const headingId = `account-${account.serviceAccountId}`
  article.setAttribute("aria-labelledby", headingId)

  const header = document.createElement("div")
  header.className = "account-header"
  const titles = document.createElement("div")
  const heading = element("h2", account.name)
  heading.id = headingId
  titles.append(heading)
  if (account.description !== undefined) titles.append(element("p", account.description, "description"))
  titles.append(element("p", `Created ${formatDate(account.createdAt)} by ${account.createdBy.userId}`, "muted"))

  const actions = document.createElement("div")
  actions.className = "account-actions"
  const addToken = element("button", "Add API token")
  if (addToken instanceof HTMLButtonElement) addToken.type = "button"
  addToken.setAttribute("aria-describedby", headingId)
  addToken.addEventListener("click", () => open.addToken(account))
  actions.append(
    addToken,
    menu("Manage", `Manage ${account.name}`, [
      { label: "Delete Account", danger: true, run: (opener) => open.deleteAccount(account, opener) }
    ])
  )
  header.append(titles, actions)
  article.append(header, usageChart(account, usageWindow.usage(account), usageWindow.since, usageWindow.days))

  if (account.tokens.length === 0) {
    article.append(element("p", "No API tokens yet.", "muted"))
  } else {
    const table = document.createElement("table")
    table.append(element("caption", `API tokens of ${account.name}`, "visually-hidden"))
    const head = document.createElement("tr")
    for (const title of ["Name", "Token", "Scopes", "Status", "Issued", "Last used"]) head.append(element("th", title))
    // The last column holds each token's menu; its header is for screen readers only.
    const actionsHeader = document.createElement("th")
    actionsHeader.append(element("span", "Actions", "visually-hidden"))
    head.append(actionsHeader)
    const thead = document.createElement("thead")
    thead.append(head)
    const tbody = document.createElement("tbody")
    tbody.append(...account.tokens.map((token) => tokenRow(open, account, token)))
    table.append(thead, tbody)
    const scroller = document.createElement("div")
    scroller.className = "table-scroll"
    scroller.append(table)
    article.append(scroller)
  }
  item.append(article)
  return item
}

/**
 * The list, with the account actions its buttons and menus open; `refresh` loads it again from the API.
 * @param {AccountActions} open
 */
export const listOfAccounts = (open) => {
  const refresh = async () => {
    try {
      const days = Number(usageDays.value)
      /** @type {[Directory, UsageReport]} */
      const [directory, report] = await Promise.all([
        api("GET", "/api/service-accounts"),
        api("GET", `/api/usage?days=${days}`)
      ])
      const usage = new Map(report.accounts.map((account) => [account.serviceAccountId, account]))
      /** @type {UsageWindow} */
      const usageWindow = { since: report.since, days, usage: (account) => usage.get(account.serviceAccountId) }
      pageError.textContent = ""
      tenantUrl.textContent = directory.tenantUrl
      newAccountButton.disabled = false
      accountList.replaceChildren(...directory.accounts.map((account) => accountItem(open, account, usageWindow)))
      empty.hidden = directory.accounts.length > 0
    } catch (error) {
      pageError.textContent = messageOf(error)
      tenantUrl.textContent = "—"
      newAccountButton.disabled = true
      accountList.replaceChildren()
      empty.hidden = true
    }
  }
  usageDays.addEventListener("change", () => refresh())
  return { refresh }
}
