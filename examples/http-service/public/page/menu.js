// @ts-check
// Menus: a button that opens a short list of actions, one menu open at a time.

/** @type {(() => void) | null} */
let closeOpenMenu = null

/**
 * @param {string} label the visible label of the menu button
 * @param {string} accessibleName
 * @param {ReadonlyArray<{ label: string, danger?: boolean, run: (button: HTMLButtonElement) => void }>} items
 */
export const menu = (label, accessibleName, items) => {
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
