// @ts-check
// The demo sign-in (the example's stand-in for the host's login): who the page calls the API as.
import { byId, element } from "./dom.js"

/** @typedef {import("./types.js").DemoOrganization} DemoOrganization */

const demoOrg = byId("demo-org", HTMLSelectElement)
const demoUser = byId("demo-user", HTMLInputElement)
const demoRole = byId("demo-role", HTMLSelectElement)

/**
 * The demo login's headers for the signed-in user. (A real host's page sends its session cookie instead.)
 * @returns {Record<string, string>}
 */
export const signInHeaders = () => ({
  "x-demo-org": demoOrg.value,
  "x-demo-user": demoUser.value.trim(),
  "x-demo-role": demoRole.value
})

/** @param {DemoOrganization[]} organizations */
export const showOrganizations = (organizations) => {
  demoOrg.replaceChildren(
    ...organizations.map((o) => {
      const option = element("option", `${o.name} (${o.plan})`)
      if (option instanceof HTMLOptionElement) option.value = o.id
      return option
    })
  )
}

/**
 * Calls `changed` whenever the sign-in changes who the page is.
 * @param {() => unknown} changed
 */
export const onSignInChange = (changed) => {
  demoOrg.addEventListener("change", () => {
    demoUser.value = `${demoUser.value.split("@")[0] || "alice"}@${demoOrg.value}.example.com`
    changed()
  })
  demoRole.addEventListener("change", () => changed())
  demoUser.addEventListener("change", () => changed())
  byId("demo-sign-in", HTMLFormElement).addEventListener("submit", (event) => {
    event.preventDefault()
    changed()
  })
}
