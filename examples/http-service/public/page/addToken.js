// @ts-check
// Add API token: the dialog that issues a token. Its value is shown once, to copy or download as session.json, and
// dropped when the dialog closes.
import { ApiFailure, api, messageOf } from "./api.js"
import { fieldError, openDialog } from "./dialogs.js"
import { byId } from "./dom.js"
import { announce } from "./list.js"

/** @typedef {import("./types.js").Account} Account */

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

/**
 * Sets up the dialog, and returns what opens it for an account.
 * @param {() => Promise<void>} refresh shows the list again, with the new token
 */
export const setUpAddToken = (refresh) => {
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
  return openAddToken
}
