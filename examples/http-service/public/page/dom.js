// @ts-check
// Finding the page's elements and making new ones. Text is set with `textContent`, never parsed as HTML.

/**
 * @template {HTMLElement} T
 * @param {string} id
 * @param {new () => T} type
 * @returns {T}
 */
export const byId = (id, type) => {
  const element = document.getElementById(id)
  if (!(element instanceof type)) throw new Error(`the page has no ${type.name} #${id}`)
  return element
}

/**
 * @param {string} tag
 * @param {string} text
 * @param {string} [className]
 */
export const element = (tag, text, className) => {
  const node = document.createElement(tag)
  node.textContent = text
  if (className !== undefined) node.className = className
  return node
}
