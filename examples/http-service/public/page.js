// @ts-check
// The management page: plain DOM, no framework. Everything shown comes from the API; text is set with
// `textContent`, never parsed as HTML. A token value lives in this page only while its dialog is open.

/**
 * @typedef {{ userId: string, role: string }} Actor
 * @typedef {{ tokenId: string, name: string, hint: string, scopes: string[], status: "active" | "revoked",
 *   issuedAt: string, issuedBy: Actor, revokedAt?: string, revocationReason?: string }} Token
 * @typedef {{ serviceAccountId: string, name: string, description?: string, createdAt: string,
 *   createdBy: Actor, tokens: Token[] }} Account
 * @typedef {{ organizationId: string, tenantUrl: string, accounts: Account[] }} Directory
 * @typedef {{ id: string, name: string, plan: string, tenantUrl: string }} DemoOrganization
 * @typedef {{ _tag?: string, message?: string, field?: string, issues?: { path: string, message: string }[] }} ApiError
 */

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
const byId = (id, type) => {
  const element = document.getElementById(id)
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} #${id}`)
  return element
}

const demoOrg = byId("demo-org", HTMLSelectElement)
const demoUser = byId("demo-user", HTMLInputElement)
const demoRole = byId("demo-role", HTMLSelectElement)
const newAccountButton = byId("new-account", HTMLButtonElement)
const pageTitle = byId("page-title", HTMLHeadingElement)
const tenantUrl = byId("tenant-url", HTMLElement)
const pageError = byId("page-error", HTMLParagraphElement)
const pageStatus = byId("page-status", HTMLParagraphElement)
const empty = byId("empty", HTMLParagraphElement)
const accountList = byId("accounts", HTMLUListElement)

// ---------------------------------------------------------------------------------------------------------------
// The API
// ---------------------------------------------------------------------------------------------------------------

/** @param {string} text */
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1)

/** An answer of the API that is not a success. */
class ApiFailure extends Error {
  /**
   * @param {number} status
   * @param {ApiError} body
   */
  constructor(status, body) {
    super(body.message ?? `the server answered ${status}`)
    this.status = status
    this.tag = body._tag ?? ""
    this.field = body.field
    // Next to a field, its own issue reads better than the whole message ("invalid … command: name: …").
    const field = body.field
    const issue = body.issues?.find((i) => i.path === field || i.path.startsWith(`${field}.`))
    this.fieldMessage = capitalise(issue === undefined ? this.message : issue.message)
  }
}

/**
 * Calls the API as the demo-signed-in user. (A real host's page sends its session cookie instead.)
 *
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
const api = async (method, path, body) => {
  /** @type {Record<string, string>} */
  const headers = {
    "x-demo-org": demoOrg.value,
    "x-demo-user": demoUser.value.trim(),
    "x-demo-role": demoRole.value
  }
  if (body !== undefined) headers["content-type"] = "application/json"
  const response = await fetch(path, {
    method,
    headers,
    cache: "no-store",
    ...(body === undefined ? {} : { body: JSON.stringify(body) })
  })
  const text = await response.text()
  if (!response.ok) {
    /** @type {ApiError} */
    let body = {}
    try {
      body = text === "" ? {} : JSON.parse(text)
    } catch {
      // Not one of the API's JSON errors (a proxy's page, say): the status says enough.
    }
    throw new ApiFailure(response.status, body)
  }
  return text === "" ? {} : JSON.parse(text)
}

/** @param {unknown} error */
const messageOf = (error) =>
  error instanceof ApiFailure ? error.message : "The server could not be reached. Check your connection and try again."

/** @param {string} message */
const announce = (message) => {
  pageStatus.textContent = message
}

// ---------------------------------------------------------------------------------------------------------------
// Dialogs: open with focus inside, give focus back to whatever opened them
// ---------------------------------------------------------------------------------------------------------------

/** @type {WeakMap<HTMLDialogElement, HTMLElement | null>} */
const openers = new WeakMap()

/**
 * @param {HTMLDialogElement} dialog
 * @param {HTMLElement} focus
 */
const openDialog = (dialog, focus) => {
  openers.set(dialog, document.activeElement instanceof HTMLElement ? document.activeElement : null)
  dialog.showModal()
  focus.focus()
}

for (const dialog of document.querySelectorAll("dialog")) {
  for (const button of dialog.querySelectorAll("button.close")) {
    button.addEventListener("click", () => dialog.close())
  }
  dialog.addEventListener("close", () => {
    const opener = openers.get(dialog)
    // The opener may be gone (its account was deleted); then the page's heading takes the focus.
    if (opener?.isConnected) opener.focus()
    else pageTitle.focus()
  })
}

/**
 * Shows a field's error next to it (or clears it).
 *
 * @param {HTMLInputElement | HTMLTextAreaElement} input
 * @param {HTMLElement} output
 * @param {string} message
 */
const fieldError = (input, output, message) => {
  output.textContent = message
  if (message === "") input.removeAttribute("aria-invalid")
  else input.setAttribute("aria-invalid", "true")
}

// ---------------------------------------------------------------------------------------------------------------
// Menus: a button that opens a short list of actions
// ---------------------------------------------------------------------------------------------------------------

/** @type {(() => void) | null} */
let closeOpenMenu = null

/**
 * @param {string} label the visible label of the menu button
 * @param {string} accessibleName
 * @param {ReadonlyArray<{ label: string, danger?: boolean, run: (button: HTMLButtonElement) => void }>} items
 */
const menu = (label, accessibleName, items) => {
  const wrapper = document.createElement("div")
  wrapper.className = "menu"
  const button = document.createElement("button")
  button.type = "button"
  button.textContent = label
  button.setAttribute("aria-label", accessibleName)
  button.setAttribute("aria-haspopup", "menu")
  button.setAttribute("aria-expanded", "false")
  const list = document.createElement("ul")
  list.setAttribute("role", "menu")
  list.setAttribute("aria-label", accessibleName)
  list.hidden = true
  const itemButtons = items.map((item) => {
    const li = document.createElement("li")
    li.setAttribute("role", "none")
    const itemButton = document.createElement("button")
    itemButton.type = "button"
    itemButton.setAttribute("role", "menuitem")
    itemButton.textContent = item.label
    if (item.danger) itemButton.className = "danger"
    itemButton.addEventListener("click", () => {
      close(false)
      item.run(button)
    })
    li.append(itemButton)
    list.append(li)
    return itemButton
  })
  /** @param {boolean} restoreFocus */
  const close = (restoreFocus) => {
    list.hidden = true
    button.setAttribute("aria-expanded", "false")
    if (closeOpenMenu === closeThis) closeOpenMenu = null
    if (restoreFocus) button.focus()
  }
  const closeThis = () => close(false)
  button.addEventListener("click", () => {
    if (!list.hidden) return close(true)
    closeOpenMenu?.()
    list.hidden = false
    button.setAttribute("aria-expanded", "true")
    closeOpenMenu = closeThis
    itemButtons[0]?.focus()
  })
  list.addEventListener("keydown", (event) => {
    const index = itemButtons.findIndex((b) => b.matches(":focus"))
    if (event.key === "Escape") {
      event.preventDefault()
      close(true)
    } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault()
      const step = event.key === "ArrowDown" ? 1 : itemButtons.length - 1
      itemButtons[(index + step) % itemButtons.length]?.focus()
    } else if (event.key === "Tab") {
      close(false)
    }
  })
  wrapper.append(button, list)
  return wrapper
}

document.addEventListener("click", (event) => {
  if (closeOpenMenu !== null && event.target instanceof Node && !event.target.parentElement?.closest(".menu")) {
    closeOpenMenu()
  }
})

// ---------------------------------------------------------------------------------------------------------------
// The list
// ---------------------------------------------------------------------------------------------------------------

const dateFormat = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short" })
/** @param {string} iso */
const formatDate = (iso) => dateFormat.format(new Date(iso))

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 */
const element = (tag, text, className) => {
  const node = document.createElement(tag)
  node.textContent = text
  if (className !== undefined) node.className = className
  return node
}

/**
 * @param {Account} account
 * @param {Token} token
 */
const tokenRow = (account, token) => {
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
        { label: "Revoke", danger: true, run: (opener) => openRevoke(account, token, opener) }
      ])
    )
  }
  const cells = [
    element("td", token.name),
    element("td", `…${token.hint}`, "hint"),
    element("td", token.scopes.join(", ")),
    document.createElement("td"),
    element("td", `${formatDate(token.issuedAt)} by ${token.issuedBy.userId}`, "muted")
  ]
  cells[3]?.append(status)
  row.append(...cells, actions)
  return row
}

/** @param {Account} account */
const accountItem = (account) => {
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
  addToken.addEventListener("click", () => openAddToken(account))
  actions.append(
    addToken,
    menu("Manage", `Manage ${account.name}`, [
      { label: "Delete Account", danger: true, run: (opener) => openDelete(account, opener) }
    ])
  )
  header.append(titles, actions)
  article.append(header)

  if (account.tokens.length === 0) {
    article.append(element("p", "No API tokens yet.", "muted"))
  } else {
    const table = document.createElement("table")
    table.append(element("caption", `API tokens of ${account.name}`, "visually-hidden"))
    const head = document.createElement("tr")
    for (const title of ["Name", "Token", "Scopes", "Status", "Issued"]) head.append(element("th", title))
    // The last column holds each token's menu; its header is for screen readers only.
    const actionsHeader = document.createElement("th")
    actionsHeader.append(element("span", "Actions", "visually-hidden"))
    head.append(actionsHeader)
    const thead = document.createElement("thead")
    thead.append(head)
    const tbody = document.createElement("tbody")
    tbody.append(...account.tokens.map((token) => tokenRow(account, token)))
    table.append(thead, tbody)
    const scroller = document.createElement("div")
    scroller.className = "table-scroll"
    scroller.append(table)
    article.append(scroller)
  }
  item.append(article)
  return item
}

const refresh = async () => {
  try {
    /** @type {Directory} */
    const directory = await api("GET", "/api/service-accounts")
    pageError.textContent = ""
    tenantUrl.textContent = directory.tenantUrl
    newAccountButton.disabled = false
    accountList.replaceChildren(...directory.accounts.map(accountItem))
    empty.hidden = directory.accounts.length > 0
  } catch (error) {
    pageError.textContent = messageOf(error)
    tenantUrl.textContent = "—"
    newAccountButton.disabled = true
    accountList.replaceChildren()
    empty.hidden = true
  }
}

// ---------------------------------------------------------------------------------------------------------------
// New Service Account
// ---------------------------------------------------------------------------------------------------------------

const createDialog = byId("create-dialog", HTMLDialogElement)
const createForm = byId("create-form", HTMLFormElement)
const createName = byId("create-name", HTMLInputElement)
const createNameError = byId("create-name-error", HTMLParagraphElement)
const createDescription = byId("create-description", HTMLTextAreaElement)
const createDescriptionError = byId("create-description-error", HTMLParagraphElement)
const createError = byId("create-error", HTMLParagraphElement)

newAccountButton.addEventListener("click", () => {
  createForm.reset()
  fieldError(createName, createNameError, "")
  fieldError(createDescription, createDescriptionError, "")
  createError.textContent = ""
  openDialog(createDialog, createName)
})

createForm.addEventListener("submit", async (event) => {
  event.preventDefault()
  fieldError(createName, createNameError, "")
  fieldError(createDescription, createDescriptionError, "")
  createError.textContent = ""
  if (createName.value.trim() === "") {
    fieldError(createName, createNameError, "Enter a name.")
    createName.focus()
    return
  }
  const description = createDescription.value.trim()
  try {
    const created = await api("POST", "/api/service-accounts", {
      name: createName.value,
      ...(description === "" ? {} : { description })
    })
    createDialog.close()
    await refresh()
    announce(`Service account ${created.name} created.`)
  } catch (error) {
    if (error instanceof ApiFailure && error.field === "name") {
      fieldError(createName, createNameError, error.fieldMessage)
      createName.focus()
    } else if (error instanceof ApiFailure && error.field === "description") {
      fieldError(createDescription, createDescriptionError, error.fieldMessage)
      createDescription.focus()
    } else {
      createError.textContent = messageOf(error)
    }
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Add API token: the value is shown once, then dropped
// ---------------------------------------------------------------------------------------------------------------

const tokenDialog = byId("token-dialog", HTMLDialogElement)
const tokenForm = byId("token-form", HTMLFormElement)
const tokenAccount = byId("token-account", HTMLParagraphElement)
const tokenName = byId("token-name", HTMLInputElement)
const tokenNameError = byId("token-name-error", HTMLParagraphElement)
const tokenError = byId("token-error", HTMLParagraphElement)
const tokenIssued = byId("token-issued", HTMLDivElement)
const tokenValue = byId("token-value", HTMLInputElement)
const tokenCopy = byId("token-copy", HTMLButtonElement)
const tokenDownload = byId("token-download", HTMLButtonElement)
const tokenCopyStatus = byId("token-copy-status", HTMLParagraphElement)

/** The account the dialog adds a token to. @type {Account | null} */
let tokenTarget = null
/**
 * The issued token, while its dialog is open: the only place this page keeps it.
 * @type {{ value: string, sessionJson: string } | null}
 */
let issued = null
/** @type {string | null} */
let downloadUrl = null

/** Forgets the token value: the variables, the input, the download link's blob. */
const forgetIssuedToken = () => {
  issued = null
  tokenValue.value = ""
  tokenCopyStatus.textContent = ""
  if (downloadUrl !== null) URL.revokeObjectURL(downloadUrl)
  downloadUrl = null
}

/** @param {Account} account */
const openAddToken = (account) => {
  tokenTarget = account
  forgetIssuedToken()
  tokenForm.reset()
  tokenForm.hidden = false
  tokenIssued.hidden = true
  tokenDialog.setAttribute("aria-labelledby", "token-title")
  tokenAccount.textContent = `For service account ${account.name}`
  fieldError(tokenName, tokenNameError, "")
  tokenError.textContent = ""
  openDialog(tokenDialog, tokenName)
}

tokenForm.addEventListener("submit", async (event) => {
  event.preventDefault()
  if (tokenTarget === null) return
  fieldError(tokenName, tokenNameError, "")
  tokenError.textContent = ""
  if (tokenName.value.trim() === "") {
    fieldError(tokenName, tokenNameError, "Enter a name for the token.")
    tokenName.focus()
    return
  }
  try {
    const response = await api(
      "POST",
      `/api/service-accounts/${encodeURIComponent(tokenTarget.serviceAccountId)}/tokens`,
      {
        name: tokenName.value
      }
    )
    issued = { value: response.value, sessionJson: response.sessionJson }
    tokenForm.hidden = true
    tokenIssued.hidden = false
    tokenDialog.setAttribute("aria-labelledby", "token-issued-title")
    tokenValue.value = issued.value
    tokenValue.focus()
    tokenValue.select()
  } catch (error) {
    if (error instanceof ApiFailure && error.field === "name") {
      fieldError(tokenName, tokenNameError, error.fieldMessage)
      tokenName.focus()
    } else {
      tokenError.textContent = messageOf(error)
    }
  }
})

tokenCopy.addEventListener("click", async () => {
  if (issued === null) return
  try {
    await navigator.clipboard.writeText(issued.value)
    tokenCopyStatus.textContent = "Copied to the clipboard."
  } catch {
    tokenValue.focus()
    tokenValue.select()
    tokenCopyStatus.textContent = "Copying was not allowed: the token is selected, press Ctrl+C (⌘C) to copy it."
  }
})

tokenDownload.addEventListener("click", () => {
  if (issued === null) return
  if (downloadUrl !== null) URL.revokeObjectURL(downloadUrl)
  downloadUrl = URL.createObjectURL(new Blob([issued.sessionJson], { type: "application/json" }))
  const link = document.createElement("a")
  link.href = downloadUrl
  link.download = "session.json"
  link.click()
  tokenCopyStatus.textContent = "session.json downloaded."
})

tokenDialog.addEventListener("close", () => {
  const hadToken = issued !== null
  forgetIssuedToken()
  tokenTarget = null
  if (hadToken) {
    refresh().then(() => announce("The token was created. Its value is no longer shown."))
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Revoke
// ---------------------------------------------------------------------------------------------------------------

const revokeDialog = byId("revoke-dialog", HTMLDialogElement)
const revokeTitle = byId("revoke-title", HTMLHeadingElement)
const revokeError = byId("revoke-error", HTMLParagraphElement)
const revokeConfirm = byId("revoke-confirm", HTMLButtonElement)
const revokeCancel = revokeDialog.querySelector("button.close")

/** @type {{ account: Account, token: Token } | null} */
let revokeTarget = null

/**
 * @param {Account} account
 * @param {Token} token
 * @param {HTMLElement} opener
 */
const openRevoke = (account, token, opener) => {
  revokeTarget = { account, token }
  revokeTitle.textContent = `Revoke token “${token.name}” of ${account.name}?`
  revokeError.textContent = ""
  opener.focus()
  // The safe choice has the focus.
  openDialog(revokeDialog, revokeCancel instanceof HTMLButtonElement ? revokeCancel : revokeConfirm)
}

revokeConfirm.addEventListener("click", async () => {
  if (revokeTarget === null) return
  const { account, token } = revokeTarget
  try {
    await api(
      "POST",
      `/api/service-accounts/${encodeURIComponent(account.serviceAccountId)}/tokens/${encodeURIComponent(token.tokenId)}/revoke`
    )
    revokeTarget = null
    revokeDialog.close()
    await refresh()
    announce(`Token ${token.name} revoked.`)
  } catch (error) {
    revokeError.textContent = messageOf(error)
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Manage → Delete Account
// ---------------------------------------------------------------------------------------------------------------

const deleteDialog = byId("delete-dialog", HTMLDialogElement)
const deleteTitle = byId("delete-title", HTMLHeadingElement)
const deleteText = byId("delete-text", HTMLParagraphElement)
const deleteError = byId("delete-error", HTMLParagraphElement)
const deleteConfirm = byId("delete-confirm", HTMLButtonElement)
const deleteCancel = deleteDialog.querySelector("button.close")

/** @type {Account | null} */
let deleteTarget = null

/**
 * @param {Account} account
 * @param {HTMLElement} opener
 */
const openDelete = (account, opener) => {
  deleteTarget = account
  const active = account.tokens.filter((token) => token.status === "active").length
  deleteTitle.textContent = `Delete service account “${account.name}”?`
  deleteText.textContent =
    (active === 0
      ? "It has no active API tokens."
      : `Its ${active === 1 ? "active API token is" : `${active} active API tokens are`} revoked with it, and automation using ${active === 1 ? "it" : "them"} is refused at once.`) +
    " Deleting is permanent."
  deleteError.textContent = ""
  opener.focus()
  openDialog(deleteDialog, deleteCancel instanceof HTMLButtonElement ? deleteCancel : deleteConfirm)
}

deleteConfirm.addEventListener("click", async () => {
  if (deleteTarget === null) return
  const account = deleteTarget
  try {
    await api("DELETE", `/api/service-accounts/${encodeURIComponent(account.serviceAccountId)}`)
    deleteTarget = null
    deleteDialog.close()
    await refresh()
    announce(`Service account ${account.name} deleted.`)
  } catch (error) {
    deleteError.textContent = messageOf(error)
  }
})

// ---------------------------------------------------------------------------------------------------------------
// Demo sign-in (the example's stand-in for the host's login)
// ---------------------------------------------------------------------------------------------------------------

const start = async () => {
  try {
    /** @type {DemoOrganization[]} */
    const organizations = await api("GET", "/api/demo/organizations")
    demoOrg.replaceChildren(
      ...organizations.map((o) => {
        const option = element("option", `${o.name} (${o.plan})`)
        if (option instanceof HTMLOptionElement) option.value = o.id
        return option
      })
    )
  } catch (error) {
    pageError.textContent = messageOf(error)
  }
  await refresh()
  document.body.dataset.ready = "true"
}

demoOrg.addEventListener("change", () => {
  demoUser.value = `${demoUser.value.split("@")[0] || "alice"}@${demoOrg.value}.example.com`
  refresh()
})
demoRole.addEventListener("change", () => refresh())
demoUser.addEventListener("change", () => refresh())
byId("demo-sign-in", HTMLFormElement).addEventListener("submit", (event) => {
  event.preventDefault()
  refresh()
})

start()
