import { describe, expect, it } from "@effect/vitest"
import { checkOptionNames, KNOWN_OPTIONS, safeReason } from "../src/index.js"

describe("connection-string checks", () => {
  it("accept every option both clients know, whatever its case, dashes or underscores", () => {
    expect(checkOptionNames("kurrentdb://localhost:2113")).toBeUndefined()
    const all = KNOWN_OPTIONS.map((key) => `${key}=x`).join("&")
    expect(checkOptionNames(`esdb://admin:changeit@localhost:2113?${all}`)).toBeUndefined()
    expect(checkOptionNames("kurrentdb://localhost:2113?TLS=false&tls-verify_cert=true")).toBeUndefined()
  })

  it("refuse an unknown option by its name and never repeat the rest of the string", () => {
    const reason = checkOptionNames("kurrentdb://admin:hunter2@localhost:2113?tls=false&tlsVerfyCert=false")
    expect(reason).toContain('unknown option "tlsVerfyCert"')
    expect(reason).not.toContain("hunter2")
    // A "name" that is not one (it holds the password, say) is not shown at all.
    const odd = checkOptionNames("kurrentdb://localhost:2113?tls=false&hunter2@x:y=1")
    expect(odd).toContain("an option")
    expect(odd).not.toContain("hunter2")
    expect(checkOptionNames("kurrentdb://localhost:2113?tls=false&")).toContain("unknown option")
  })

  it("keep only the position and the expectation of a client's parse error", () => {
    const error = new Error('Unexpected "hunter2@host" at position 12, expected a host.\nesdb://a:hunter2@host')
    expect(safeReason(error)).toBe("unexpected text at position 12, expected a host")
    expect(safeReason("something else with hunter2")).toBe("it could not be parsed")
  })
})

describe("a client's parse error", () => {
  it("never gives away the text the parser stopped at, even where it reads like the message", () => {
    // "Unexpected" holds "expected": an unanchored match took the quoted text (a password) along.
    const quoted = 'Unexpected "s3cret at position 1, expected x." at position 20, expected a host.'
    expect(safeReason(new Error(quoted))).toBe("unexpected text at position 20, expected a host")
  })
})
