/**
 * Connection strings, read by the adapters before their client sees anything of them. Both clients take one grammar
 * (`scheme[+discover]://[user:password@]host[:port][,host[:port]…][?key=value&…]`) and one set of options; they
 * differ in their schemes and in whether `tlsVerifyCert=false` does anything. The grammar is read at least as
 * strictly as the clients read it, every option's value is checked, and an option the clients do not know is refused
 * by name. An adapter then makes its client from the settings read here: both clients log the whole string (password
 * included) in their debug output, and print it to the console for an unknown option.
 *
 * No reason given here ever repeats any part of the string but an option's name, and that only when it looks like
 * one.
 */
import { existsSync, readFileSync } from "node:fs"
import { isAbsolute, resolve } from "node:path"
import { Either } from "effect"

/**
 * What a client takes of connection strings: its schemes (each also with `+discover`), and whether certificate
 * verification can be switched off (`tlsVerifyCert=false`); where it cannot, the option is refused rather than
 * silently ignored.
 *
 * @since 0.1.0
 * @category connection strings
 */
export interface ConnectionDialect {
  readonly schemes: ReadonlyArray<string>
  readonly tlsVerifyCertFalse: boolean
}

/**
 * A server's address and port.
 *
 * @since 0.1.0
 * @category connection strings
 */
export interface EndPoint {
  readonly address: string
  readonly port: number
}

/**
 * A client's preference among a cluster's nodes.
 *
 * @since 0.1.0
 * @category connection strings
 */
export type NodePreference = "leader" | "follower" | "read_only_replica" | "random"

/**
 * A connection string as read: the scheme as written (without `+discover`), the servers, the credentials and every
 * option it gave.
 *
 * @since 0.1.0
 * @category connection strings
 */
export interface ConnectionSettings {
  readonly scheme: string
  readonly discover: boolean
  readonly hosts: ReadonlyArray<EndPoint>
  readonly credentials?: { readonly username: string; readonly password: string } | undefined
  readonly tls?: boolean
  readonly tlsVerifyCert?: boolean
  readonly tlsCAFile?: string
  readonly userCertFile?: string
  readonly userKeyFile?: string
  readonly connectionName?: string
  readonly nodePreference?: NodePreference
  readonly throwOnAppendFailure?: boolean
  readonly maxDiscoverAttempts?: number
  readonly defaultDeadline?: number
  readonly discoveryInterval?: number
  readonly gossipTimeout?: number
  readonly keepAliveInterval?: number
  readonly keepAliveTimeout?: number
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] }

// The options the clients know, by their name folded as the clients fold them (case, `-` and `_` ignored).
const integers = [
  "maxDiscoverAttempts",
  "defaultDeadline",
  "discoveryInterval",
  "gossipTimeout",
  "keepAliveInterval",
  "keepAliveTimeout"
] as const
const booleans = ["tls", "tlsVerifyCert", "throwOnAppendFailure"] as const
const texts = ["connectionName", "tlsCAFile", "userCertFile", "userKeyFile"] as const
const known = ["nodePreference", ...integers, ...booleans, ...texts] as const
const fold = (key: string) => key.trim().toLowerCase().replace(/[_-]/g, "")
const byFolded = new Map<string, string>(known.map((key) => [fold(key), key]))
const preferences = new Map<string, NodePreference>(
  (["leader", "follower", "read_only_replica", "random"] as const).map((p) => [fold(p), p])
)

/**
 * The options both clients know, by name.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const KNOWN_OPTIONS: ReadonlyArray<string> = [...known, "dnsDiscover"]

const CREDENTIALS = /^(?:([^:]+):([^@]+)@)/
const HOST = /^(?:([^$+!?*'(),;[\]{}|"%~#<>=&]+)[,/]?)/

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** An option's name for a message: shown only when it looks like a name, never arbitrary text from the string. */
const nameOf = (key: string): string => (/^[A-Za-z0-9_-]{1,40}$/.test(key.trim()) ? `"${key.trim()}"` : "an option")

const schemeList = (dialect: ConnectionDialect): string => {
  const all = dialect.schemes.flatMap((scheme) => [`${scheme}://`, `${scheme}+discover://`])
  return all.length > 1 ? `${all.slice(0, -1).join(", ")} or ${all[all.length - 1]}` : all.join("")
}

/**
 * Reads a connection string in a client's dialect. The left side is a reason that holds no part of the string but
 * an option's name.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const parse = (
  dialect: ConnectionDialect,
  connectionString: string
): Either.Either<ConnectionSettings, string> => {
  const text = connectionString.trim().replace(/\/+$/, "")
  const protocol = /^([a-z]+)(\+discover)?:\/\//.exec(text)
  const scheme = protocol?.[1]
  if (protocol === null || scheme === undefined || !dialect.schemes.includes(scheme)) {
    return Either.left(`it must start with ${schemeList(dialect)}`)
  }
  const settings: Mutable<ConnectionSettings> & { hosts: Array<EndPoint> } = {
    scheme,
    discover: protocol[2] !== undefined,
    hosts: []
  }
  let at = protocol[0].length
  const credentials = CREDENTIALS.exec(text.slice(at))
  if (credentials !== null) {
    const username = decoded(credentials[1]?.trim() ?? "")
    const password = decoded(credentials[2]?.trim() ?? "")
    if (username === undefined || password === undefined) {
      return Either.left("the user name or the password is not valid percent-encoding")
    }
    settings.credentials = { username, password }
    at += credentials[0].length
  }
  for (;;) {
    const host = HOST.exec(text.slice(at))
    if (host === null) break
    const [address = "", port = "2113", ...rest] = (host[1] ?? "").trim().split(":")
    const number = Number(port.trim())
    if (address === "" || rest.length > 0 || !/^\d{1,5}$/.test(port.trim()) || number < 1 || number > 65535) {
      return Either.left(`host ${settings.hosts.length + 1} must be a host name and an optional port (1–65535)`)
    }
    settings.hosts.push({ address, port: number })
    at += host[0].length
  }
  if (settings.hosts.length === 0) return Either.left(`expected a host at position ${at}`)
  for (let first = true; at < text.length; first = false) {
    const option = new RegExp(`^[${first ? "?" : "&"}]([^=]+)=([^&?]+)`).exec(text.slice(at))
    if (option === null) return Either.left(`expected ${first ? "?" : "&"}key=value at position ${at}`)
    at += option[0].length
    const problem = setOption(dialect, settings, option[1] ?? "", (option[2] ?? "").trim())
    if (problem !== undefined) return Either.left(problem)
  }
  return Either.right(settings)
}

const setOption = (
  dialect: ConnectionDialect,
  settings: Mutable<ConnectionSettings>,
  rawKey: string,
  value: string
): string | undefined => {
  const key = byFolded.get(fold(rawKey)) ?? (rawKey === "dnsDiscover" ? rawKey : undefined)
  if (key === undefined) return `unknown option ${nameOf(rawKey)} (the options are ${KNOWN_OPTIONS.join(", ")})`
  if (key === "nodePreference") {
    const preference = preferences.get(fold(value))
    if (preference === undefined) return "nodePreference must be leader, follower, read_only_replica or random"
    settings.nodePreference = preference
  } else if ((integers as ReadonlyArray<string>).includes(key)) {
    if (!/^-?\d{1,9}$/.test(value)) return `${key} must be a whole number`
    settings[key as (typeof integers)[number]] = Number(value)
  } else if (key === "dnsDiscover" || (booleans as ReadonlyArray<string>).includes(key)) {
    if (value !== "true" && value !== "false") return `${key} must be true or false`
    if (key === "tlsVerifyCert" && value === "false" && !dialect.tlsVerifyCertFalse) {
      return "tlsVerifyCert=false is not supported by the client (it would have no effect): give the server's CA with tlsCAFile"
    }
    if (key === "tls") settings.tls = value === "true"
    else if (key === "tlsVerifyCert") settings.tlsVerifyCert = value === "true"
    else if (key === "throwOnAppendFailure") settings.throwOnAppendFailure = value === "true"
    else if (key === "dnsDiscover") settings.discover = value === "true"
  } else {
    const text = decoded(value)
    if (text === undefined) return `${key} is not valid percent-encoding`
    settings[key as (typeof texts)[number]] = text
  }
  return undefined
}

/**
 * The server(s) of a connection, for messages (`kurrentdb://db1:2113,db2:2113`): no credentials, no options.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const describe = (settings: ConnectionSettings): string =>
  `${settings.scheme}${settings.discover ? "+discover" : ""}://${settings.hosts.map((h) => `${h.address}:${h.port}`).join(",")}`

/**
 * A connection string for the settings, in `scheme`, **without the credentials** (a client given it takes them
 * another way): for a client that can only be made from a string.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const withoutCredentials = (settings: ConnectionSettings, scheme: string): string => {
  const query = known.flatMap((key) => {
    const value = settings[key]
    return value === undefined ? [] : [`${key}=${encodeURIComponent(String(value))}`]
  })
  const servers = settings.hosts.map((h) => `${h.address}:${h.port}`).join(",")
  const options = query.length === 0 ? "" : `?${query.join("&")}`
  return `${scheme}${settings.discover ? "+discover" : ""}://${servers}${options}`
}

/**
 * The certificates a connection names, read from their files: the CA's (`tlsCAFile`, over TLS only) and the user's
 * (`userCertFile` with `userKeyFile`).
 *
 * @since 0.1.0
 * @category connection strings
 */
export interface Certificates {
  readonly rootCertificate?: Buffer
  readonly userCertFile?: Buffer
  readonly userKeyFile?: Buffer
}

const file = (path: string): Buffer | undefined => {
  const resolved = isAbsolute(path) ? path : resolve(process.cwd(), path)
  return existsSync(resolved) ? readFileSync(resolved) : undefined
}

/**
 * Reads the certificate files the settings name, as the clients would (paths relative to the working directory).
 * The left side is a reason that names no part of the string.
 *
 * @since 0.1.0
 * @category connection strings
 */
export const certificates = (settings: ConnectionSettings): Either.Either<Certificates, string> => {
  const read: Mutable<Certificates> = {}
  if (settings.tlsCAFile !== undefined && settings.tls !== false) {
    const certificate = file(settings.tlsCAFile)
    if (certificate === undefined) return Either.left("the tlsCAFile was not found")
    read.rootCertificate = certificate
  }
  if (settings.userCertFile !== undefined || settings.userKeyFile !== undefined) {
    if (settings.userCertFile === undefined || settings.userKeyFile === undefined) {
      return Either.left("userCertFile must be given with userKeyFile")
    }
    const certificate = file(settings.userCertFile)
    const key = file(settings.userKeyFile)
    if (certificate === undefined || key === undefined) {
      return Either.left("the userCertFile or userKeyFile was not found")
    }
    read.userCertFile = certificate
    read.userKeyFile = key
  }
  return Either.right(read)
}
