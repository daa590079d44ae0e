// @ts-check
// The API, called as the signed-in user: its answers, and its refusals as `ApiFailure`s with a message for people.
import { signInHeaders } from "./signIn.js"

/** @typedef {import("./types.js").ApiError} ApiError */

/** @param {string} text */
const capitalise = (text) => text.charAt(0).toUpperCase() + text.slice(1)

/** An answer of the API that is not a success. */
export class ApiFailure extends Error {
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
 * Calls the API as the demo-signed-in user.
 *
 * @param {string} method
 * @param {string} path
 * @param {unknown} [body]
 * @returns {Promise<any>}
 */
export const api = async (method, path, body) => {
  /** @type {Record<string, string>} */
  const headers = signInHeaders()
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
export const messageOf = (error) =>
  error instanceof ApiFailure ? error.message : "The server could not be reached. Check your connection and try again."
