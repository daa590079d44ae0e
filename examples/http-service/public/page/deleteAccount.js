// @ts-check
// Manage → Delete Account: the confirmation that deletes an account, saying which of its tokens go with it.
import { api, messageOf } from "./api.js"
import { openDialog } from "./dialogs.js"
import { byId } from "./dom.js"
import { announce } from "./list.js"

/** @typedef {import("./types.js").Account} Account */

const deleteDialog = byId("delete-dialog", HTMLDialogElement)
const deleteTitle = byId("delete-title", HTMLHeadingElement)
const deleteText = byId("delete-text", HTMLParagraphElement)
const deleteError = byId("delete-error", HTMLParagraphElement)
const deleteConfirm = byId("delete-confirm", HTMLButtonElement)
const deleteCancel = deleteDialog.querySelector("button.close")

/** @type {Account | null} */
let deleteTarget = null

/**
 * Sets up the dialog, and returns what opens it for an account.
 * @param {() => Promise<void>} refresh shows the list again, without the account
 */
export const setUpDeleteAccount = (refresh) => {
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
  return openDelete
}
