/**
 * What the API test files share (see `harness.ts`), over `HttpService.layer` with the tests' login.
 */
import { useApi as useApiOf } from "./harness.js"
import { callers } from "./login.js"
import { type ServerOptions, startServer } from "./server.js"

export { Created, decode, Issued, Listing, missingId } from "./harness.js"

/** Starts the HTTP service before the calling file's tests and stops it after them. */
export const useApi = (options: ServerOptions = {}) => useApiOf(() => startServer(options), callers)
