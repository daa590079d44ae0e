// @ts-check
// New Service Account: the dialog that creates an account, each refused field's message next to the field.
import { ApiFailure, api, messageOf } from "./api.js"
import { fieldError, openDialog } from "./dialogs.js"
import { byId } from "./dom.js"
import { announce } from "./list.js"

const newAccountButton = byId("new-account", HTMLButtonElement)
const createDialog = byId("create-dialog", HTMLDialogElement)
const createForm = byId("create-form", HTMLFormElement)
const createName = byId("create-name", HTMLInputElement)
const createNameError = byId("create-name-error", HTMLParagraphElement)
const createDescription = byId("create-description", HTMLTextAreaElement)
const createDescriptionError = byId("create-description-error", HTMLParagraphElement)
const createError = byId("create-error", HTMLParagraphElement)

/**
 * Opens the dialog from the New Service Account button.
 * @param {() => Promise<void>} refresh shows the list again, with the new account
 */
export const setUpCreateAccount = (refresh) => {
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
}
