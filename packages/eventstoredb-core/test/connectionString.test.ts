import { describe, expect, it } from "@effect/vitest"
import { Either } from "effect"
import {
  type ConnectionDialect,
  describeSettings,
  KNOWN_OPTIONS,
  parseConnectionString,
  withoutCredentials
} from "../src/index.js"

const PASSWORD = "hunter2-Pw"
const esdb: ConnectionDialect = { schemes: ["esdb"], tlsVerifyCertFalse: false }
const kurrent: ConnectionDialect = { schemes: ["kurrentdb", "kurrent", "kdb", "esdb"], tlsVerifyCertFalse: true }

const reason = (dialect: ConnectionDialect, text: string): string =>
  Either.match(parseConnectionString(dialect, text), {
    onLeft: (why) => why,
    onRight: () => expect.unreachable(`accepted: ${text.replace(PASSWORD, "…")}`)
  })

const settings = (dialect: ConnectionDialect, text: string) =>
  Either.getOrElse(parseConnectionString(dialect, text), (why) => expect.unreachable(why))

describe("connection strings", () => {
  it("accept every option the clients know, whatever its case, dashes or underscores", () => {
    const everything = [
      "nodePreference=follower&maxDiscoverAttempts=3&defaultDeadline=5&discoveryInterval=5&gossipTimeout=5",
      "keepAliveInterval=10000&keepAliveTimeout=10000&tls=true&tlsVerifyCert=true&throwOnAppendFailure=false",
      "connectionName=x&tlsCAFile=ca.pem&userCertFile=u.pem&userKeyFile=k.pem&dnsDiscover=false"
    ].join("&")
    for (const key of KNOWN_OPTIONS) expect(everything).toContain(`${key}=`)
    expect(Either.isRight(parseConnectionString(esdb, `esdb://admin:changeit@localhost:2113?${everything}`))).toBe(true)
    const folded = settings(kurrent, "kurrentdb://localhost:2113?TLS=false&tls-verify_cert=false&Connection-Name=a")
    expect(folded).toMatchObject({ tls: false, tlsVerifyCert: false, connectionName: "a" })
  })

  it("take each client's schemes, and only those", () => {
    for (const scheme of ["kurrentdb", "kurrent", "kdb", "esdb"]) {
      expect(settings(kurrent, `${scheme}://db:2113`)).toMatchObject({ scheme, discover: false })
      expect(settings(kurrent, `${scheme}+discover://db:2113`)).toMatchObject({ scheme, discover: true })
    }
    expect(reason(esdb, "kurrentdb://db:2113")).toBe("it must start with esdb:// or esdb+discover://")
    expect(reason(kurrent, "esdbx://db:2113")).toBe(
      "it must start with kurrentdb://, kurrentdb+discover://, kurrent://, kurrent+discover://, kdb://, kdb+discover://, esdb:// or esdb+discover://"
    )
  })

  it("refuse tlsVerifyCert=false where the client cannot switch verification off", () => {
    expect(reason(esdb, "esdb://db:2113?tlsVerifyCert=false")).toMatch(/tlsVerifyCert=false is not supported/)
    expect(settings(kurrent, "kurrentdb://db:2113?tlsVerifyCert=false").tlsVerifyCert).toBe(false)
  })

  it("refuse an unknown option by its name and never repeat the rest of the string", () => {
    const unknown = reason(kurrent, `kurrentdb://admin:${PASSWORD}@localhost:2113?tls=false&tlsVerfyCert=false`)
    expect(unknown).toContain('unknown option "tlsVerfyCert"')
    expect(unknown).not.toContain(PASSWORD)
    // A "name" that is not one (it holds the password, say) is not shown at all.
    const odd = reason(kurrent, `kurrentdb://localhost:2113?tls=false&pw:${PASSWORD}=1`)
    expect(odd).toMatch(/^unknown option an option /)
    expect(odd).not.toContain(PASSWORD)
    expect(reason(kurrent, "kurrentdb://localhost:2113?tls=false&")).toMatch(/^expected &key=value at position/)
  })

  it("give no part of the string in any reason", () => {
    const bad = [
      `kurrentdb://admin:${PASSWORD}`,
      `kurrentdb://admin:${PASSWORD}@`,
      `kurrentdb://admin:${PASSWORD}%zz@db`,
      `kurrentdb://admin:${PASSWORD}@db:2113?nodePreference=${PASSWORD}`,
      `kurrentdb://admin:${PASSWORD}@db:2113?keepAliveTimeout=${PASSWORD}`,
      `kurrentdb://admin:${PASSWORD}@db:2113?tls=${PASSWORD}`
    ]
    for (const text of bad) expect(reason(kurrent, text)).not.toContain(PASSWORD)
  })

  it("describe the servers without credentials or options", () => {
    const read = settings(kurrent, `kurrentdb+discover://admin:${PASSWORD}@c.example.com,d.example.com:2114?tls=false`)
    expect(describeSettings(read)).toBe("kurrentdb+discover://c.example.com:2113,d.example.com:2114")
    expect(describeSettings(settings(esdb, "esdb://db?dnsDiscover=true"))).toBe("esdb+discover://db:2113")
  })

  it("write the settings back without the credentials, in the scheme asked for", () => {
    const read = settings(
      kurrent,
      `esdb://admin:${PASSWORD}@db1:2113,db2?tls=true&tlsCAFile=%2Fetc%2Fca%20x.pem&nodePreference=Follower&keepAliveInterval=-1`
    )
    const written = withoutCredentials(read, "kurrentdb")
    expect(written).toBe(
      "kurrentdb://db1:2113,db2:2113?nodePreference=follower&keepAliveInterval=-1&tls=true&tlsCAFile=%2Fetc%2Fca%20x.pem"
    )
    expect(written).not.toContain("admin")
    // What it wrote reads back to the same settings, but for the credentials and the scheme.
    const { credentials: _, ...rest } = read
    expect(settings(kurrent, written)).toEqual({ ...rest, scheme: "kurrentdb" })
  })
})
