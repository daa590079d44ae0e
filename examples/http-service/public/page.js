// @ts-check
// The management page: plain DOM, no framework. Everything shown comes from the API; text is set with
// `textContent`, never parsed as HTML. A token value lives in this page only while its dialog is open.
//
// This module puts the page together; each part is a module in `page/`: the API and the demo sign-in, the list of
// accounts, the dialogs and menus, and one module per dialog that changes something.
import { api } from "./page/api.js"
import { setUpAddToken } from "./page/addToken.js"
import { setUpCreateAccount } from "./page/createAccount.js"
import { setUpDeleteAccount } from "./page/deleteAccount.js"
import { listOfAccounts, showPageError } from "./page/list.js"
import { setUpRevokeToken } from "./page/revokeToken.js"
import { onSignInChange, showOrganizations } from "./page/signIn.js"

// The list opens the dialogs, and the dialogs refresh the list: each is given the other's entry point.
const list = listOfAccounts({
  addToken: (account) => openAddToken(account),
  revoke: (account, token, opener) => openRevoke(account, token, opener),
  deleteAccount: (account, opener) => openDelete(account, opener)
})
setUpCreateAccount(list.refresh)
const openAddToken = setUpAddToken(list.refresh)
const openRevoke = setUpRevokeToken(list.refresh)
const openDelete = setUpDeleteAccount(list.refresh)

const start = async () => {
  try {
    /** @type {import("./page/types.js").DemoOrganization[]} */
    const organizations = await api("GET", "/api/demo/organizations")
    showOrganizations(organizations)
  } catch (error) {
    showPageError(error)
  }
  await list.refresh()
  document.body.dataset.ready = "true"
}

onSignInChange(() => list.refresh())

start()
