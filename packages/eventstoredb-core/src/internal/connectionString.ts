/**
 * What both adapters check of a connection string before their client reads it. The clients share one grammar
 * (`scheme://[user:password@]host[:port][,…][?key=value&…]`) and one set of options; both print the whole string,
 * password included, to the console when they meet an option they do not know, and both quote the text where their
 * parser stopped in the error they throw. So an unknown option is refused here, by name, and a parse error is
 * reported by position only: no message ever repeats any other part of the string.
 */

/**
 * The options both clients know, by name.
 *
 * @since 0.1.0
 * @category constants
 */
export const KNOWN_OPTIONS = [
  "connectionName",
  "defaultDeadline",
  "discoveryInterval",
  "dnsDiscover",
  "gossipTimeout",
  "keepAliveInterval",
  "keepAliveTimeout",
  "maxDiscoverAttempts",
  "nodePreference",
  "throwOnAppendFailure",
  "tls",
  "tlsCAFile",
  "tlsVerifyCert",
  "userCertFile",
  "userKeyFile"
] as const

/** An option name as the clients compare them: case, `-` and `_` ignored. */
const fold = (key: string): string => key.trim().toLowerCase().replace(/[_-]/g, "")
const known = new Set<string>(KNOWN_OPTIONS.map(fold))

/** An option's name for a message: shown only when it looks like a name, never arbitrary text from the string. */
const nameOf = (key: string): string => (/^[A-Za-z0-9_-]{1,40}$/.test(key.trim()) ? `"${key.trim()}"` : "an option")

/**
 * Checks a connection string's option names (the client checks the rest, and its errors go through `safeReason`).
 * Returns the reason it is refused, holding no part of the string but an option's name, or `undefined`.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const checkOptionNames = (connectionString: string): string | undefined => {
  const text = connectionString.trim()
  const query = text.indexOf("?")
  if (query < 0) return undefined
  for (const pair of text.slice(query + 1).split("&")) {
    const key = pair.split("=")[0] ?? ""
    if (pair === "" || !known.has(fold(key))) {
      return `unknown option ${nameOf(key)} (the options are ${KNOWN_OPTIONS.join(", ")})`
    }
  }
  return undefined
}

/**
 * A client's parse error quotes the text it stopped at, which may be a password: keep only where it happened.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const safeReason = (error: unknown): string => {
  const message = error instanceof Error ? error.message : String(error)
  // The client's first line is `Unexpected "<text>" at position <n>, expected <what>.`, and <text> may hold the
  // password: match from the end of the line, where no quote may come in between, so <text> is never taken.
  const firstLine = message.split("\n")[0] ?? ""
  const found = /at position (\d+), expected ([^"\n]*)\.$/.exec(firstLine)
  if (found !== null) return `unexpected text at position ${found[1]}, expected ${found[2]}`
  const at = /at position (\d+)/.exec(firstLine)
  return at === null ? "it could not be parsed" : `unexpected text at position ${at[1]}`
}
