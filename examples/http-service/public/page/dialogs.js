// @ts-check
// Dialogs: they open with the focus inside and give it back to whatever opened them; a field's error shows next to
// it.
import { byId } from "./dom.js"

const pageTitle = byId("page-title", HTMLHeadingElement)

/** @type {WeakMap<HTMLDialogElement, HTMLElement | null>} */
const openers = new WeakMap()

/**
 * @param {HTMLDialogElement} dialog
 * @param {HTMLElement} focus
 */
export const openDialog = (dialog, focus) => {
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
export const fieldError = (input, output, message) => {
  output.textContent = message
  if (message === "") input.removeAttribute("aria-invalid")
  else input.setAttribute("aria-invalid", "true")
}
