/**
 * The connection string, read by the adapter before the client sees anything of it. The grammar is the one of
 * `@eventstore/db-client` 6.2.1 (`esdb[+discover]://[user:password@]host[:port][,host[:port]…][?key=value&…]`),
 * read at least as strictly, with every option's value checked; an option the client does not know is refused by
 * name. The client is then made from the settings read here, never from the string: the client logs the whole
 * string (password included) in its debug output, and prints it to the console for an unknown option or
 * `tlsVerifyCert=false`. No message here ever repeats any part of the string but an option's name.
 *
 * @internal
 */
import { existsSync, readFileSync } from "node:fs"
import { isAbsolute, resolve } from "node:path"
import { type ChannelCredentialOptions, type Credentials, EventStoreDBClient } from "@eventstore/db-client"
import { Token } from "@service-accounts/domain"
import { Either } from "effect"

export interface EndPoint {
  readonly address: string
  readonly port: number
}

type NodePreference = "leader" | "follower" | "read_only_replica" | "random"

export interface ConnectionSettings {
  readonly discover: boolean
  readonly hosts: ReadonlyArray<EndPoint>
  readonly credentials?: Credentials | undefined
  readonly tls?: boolean
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

// The options the client knows, by their name folded as the client folds them (case, `-` and `_` ignored).
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

const CREDENTIALS = /^(?:([^:]+):([^@]+)@)/
const HOST = /^(?:([^$+!?*'(),;[\]{}|"%~#<>=&]+)[,/]?)/

const decoded = (text: string): string | undefined => {
  try {
    return decodeURIComponent(text)
  } catch {
    return undefined
  }
}

/** Reads a connection string. The left side is a reason that holds no part of the string but an option's name. */
export const parse = (connectionString: string): Either.Either<ConnectionSettings, string> => {
  const text = connectionString.trim().replace(/\/+$/, "")
  const protocol = /^(esdb|esdb\+discover):\/\//.exec(text)
  if (protocol === null) return Either.left("it must start with esdb:// or esdb+discover://")
  const settings: Mutable<ConnectionSettings> & { hosts: Array<EndPoint> } = {
    discover: protocol[1] === "esdb+discover",
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
    const problem = setOption(settings, option[1] ?? "", (option[2] ?? "").trim())
    if (problem !== undefined) return Either.left(problem)
  }
  return Either.right(settings)
}

const setOption = (settings: Mutable<ConnectionSettings>, rawKey: string, value: string): string | undefined => {
  const key = byFolded.get(fold(rawKey)) ?? (rawKey === "dnsDiscover" ? rawKey : undefined)
  if (key === undefined) {
    return `unknown option "${Token.quoteSafely(rawKey.trim(), 64)}" (the options are ${known.join(", ")})`
  }
  if (key === "nodePreference") {
    const preference = preferences.get(fold(value))
    if (preference === undefined) return "nodePreference must be leader, follower, read_only_replica or random"
    settings.nodePreference = preference
  } else if ((integers as ReadonlyArray<string>).includes(key)) {
    if (!/^-?\d{1,9}$/.test(value)) return `${key} must be a whole number`
    settings[key as (typeof integers)[number]] = Number(value)
  } else if (key === "dnsDiscover" || (booleans as ReadonlyArray<string>).includes(key)) {
    if (value !== "true" && value !== "false") return `${key} must be true or false`
    if (key === "tlsVerifyCert" && value === "false") {
      return "tlsVerifyCert=false is not supported by the client (it would have no effect): give the server's CA with tlsCAFile"
    }
    if (key === "tls") settings.tls = value === "true"
    else if (key === "throwOnAppendFailure") settings.throwOnAppendFailure = value === "true"
    else if (key === "dnsDiscover") settings.discover = value === "true"
  } else {
    const text = decoded(value)
    if (text === undefined) return `${key} is not valid percent-encoding`
    settings[key as (typeof texts)[number]] = text
  }
  return undefined
}

/** The server(s) of a connection, for messages: no credentials, no options. */
export const describe = (settings: ConnectionSettings): string =>
  `${settings.discover ? "esdb+discover" : "esdb"}://${settings.hosts.map((h) => `${h.address}:${h.port}`).join(",")}`

const file = (path: string): Buffer | undefined => {
  const resolved = isAbsolute(path) ? path : resolve(process.cwd(), path)
  return existsSync(resolved) ? readFileSync(resolved) : undefined
}

/**
 * The client for the settings, made as `EventStoreDBClient.connectionString` makes it, without a string. The left
 * side is a reason that names no part of the string.
 */
export const client = (settings: ConnectionSettings): Either.Either<EventStoreDBClient, string> => {
  const channel: ChannelCredentialOptions = { insecure: settings.tls === false }
  if (settings.tlsCAFile !== undefined && !channel.insecure) {
    const certificate = file(settings.tlsCAFile)
    if (certificate === undefined) return Either.left("the tlsCAFile was not found")
    channel.rootCertificate = certificate
  }
  if (settings.userCertFile !== undefined || settings.userKeyFile !== undefined) {
    if (settings.userCertFile === undefined || settings.userKeyFile === undefined) {
      return Either.left("userCertFile must be given with userKeyFile")
    }
    const certificate = file(settings.userCertFile)
    const key = file(settings.userKeyFile)
    if (certificate === undefined || key === undefined)
      return Either.left("the userCertFile or userKeyFile was not found")
    channel.userCertFile = certificate
    channel.userKeyFile = key
  }
  const common = {
    ...(settings.throwOnAppendFailure === undefined ? {} : { throwOnAppendFailure: settings.throwOnAppendFailure }),
    ...(settings.keepAliveInterval === undefined ? {} : { keepAliveInterval: settings.keepAliveInterval }),
    ...(settings.keepAliveTimeout === undefined ? {} : { keepAliveTimeout: settings.keepAliveTimeout }),
    ...(settings.defaultDeadline === undefined ? {} : { defaultDeadline: settings.defaultDeadline }),
    ...(settings.connectionName === undefined ? {} : { connectionName: settings.connectionName })
  }
  const discovery = {
    ...common,
    ...(settings.nodePreference === undefined ? {} : { nodePreference: settings.nodePreference }),
    ...(settings.discoveryInterval === undefined ? {} : { discoveryInterval: settings.discoveryInterval }),
    ...(settings.gossipTimeout === undefined ? {} : { gossipTimeout: settings.gossipTimeout }),
    ...(settings.maxDiscoverAttempts === undefined ? {} : { maxDiscoverAttempts: settings.maxDiscoverAttempts })
  }
  const [first] = settings.hosts
  if (first === undefined) return Either.left("no host was given")
  try {
    if (settings.discover) {
      return Either.right(new EventStoreDBClient({ ...discovery, discover: first }, channel, settings.credentials))
    }
    if (settings.hosts.length > 1) {
      return Either.right(
        new EventStoreDBClient({ ...discovery, endpoints: [...settings.hosts] }, channel, settings.credentials)
      )
    }
    return Either.right(new EventStoreDBClient({ ...common, endpoint: first }, channel, settings.credentials))
  } catch {
    return Either.left("the client refused the settings")
  }
}
