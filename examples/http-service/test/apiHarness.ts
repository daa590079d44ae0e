/**
 * What the API test files share (the HTTP package's harness), over the example started once per file on the memory
 * store, called with the demo login's headers.
 */
import { useApi as useApiOf } from "../../../packages/http/test/support/harness.js"
import { callers, startServer } from "./testServer.js"

export { Created, decode, Issued, Listing, missingId } from "../../../packages/http/test/support/harness.js"

/** Starts the example before the calling file's tests and stops it after them. */
export const useApi = () => useApiOf(() => startServer(), callers)
