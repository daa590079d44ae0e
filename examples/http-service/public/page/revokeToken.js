// @ts-check
// Revoke: the confirmation that revokes a token, with the safe choice focused.
import { api, messageOf } from "./api.js"
import { openDialog } from "./dialogs.js"
import { byId } from "./dom.js"
import { announce } from "./list.js"

/**
 * @typedef {import("./types.js").Account} Account
 * @typedef {import("./types.js").Token} Token
 */

const revokeDialog = byId("revoke-dialog", HTMLDialogElement)
const revokeTitle = byId("revoke-title", HTMLHeadingElement)
const revokeError = byId("revoke-error", HTMLParagraphElement)
const revokeConfirm = byId("revoke-confirm", HTMLButtonElement)
const revokeCancel = revokeDialog.querySelector("button.close")

/** @type {{ account: Account, token: Token } | null} */
let revokeTarget = null

/**
 * Sets up the dialog, and returns what opens it for a token.
 * @param {() => Promise<void>} refresh shows the list again, with the token revoked
 */
export const setUpRevokeToken = (refresh) => {
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
  return openRevoke
}
