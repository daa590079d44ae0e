import { describe, expect, it } from "@effect/vitest"
import { Redacted } from "effect"
import { Token } from "../src/index.js"

const entropy = (fill: number) => new Uint8Array(32).fill(fill)

describe("Token", () => {
  it("has the prefix, a fixed length and only base62 characters", () => {
    const value = Token.fromEntropy(entropy(7))
    expect(value.startsWith("sat_")).toBe(true)
    expect(value).toHaveLength(Token.TOKEN_LENGTH)
    expect(value.slice(4)).toMatch(/^[0-9A-Za-z]+$/)
    expect(Token.isWellFormed(value)).toBe(true)
  })

  it("encodes all 256 bits: different entropy gives different values", () => {
    const a = Token.fromEntropy(entropy(0))
    const b = new Uint8Array(32)
    b[31] = 1
    const c = new Uint8Array(32)
    c[0] = 1
    expect(new Set([a, Token.fromEntropy(b), Token.fromEntropy(c), Token.fromEntropy(entropy(255))]).size).toBe(4)
  })

  it("is the 256-bit number in base62 (43 digits) and its CRC-32 in base62 (6 digits)", () => {
    // The definition, with BigInt arithmetic, against the implementation's limb arithmetic.
    const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
    const base62 = (value: bigint, length: number) => {
      let out = ""
      let v = value
      for (let i = 0; i < length; i++) {
        out = alphabet[Number(v % 62n)] + out
        v /= 62n
      }
      return out
    }
    const samples = [entropy(0), entropy(255), entropy(1), entropy(128)]
    let seed = 12345
    for (let n = 0; n < 200; n++) {
      samples.push(
        Uint8Array.from({ length: 32 }, () => {
          seed = (seed * 1103515245 + 12345) % 2147483648
          return seed >> 23
        })
      )
    }
    for (const bytes of samples) {
      const number = bytes.reduce((acc, byte) => (acc << 8n) | BigInt(byte), 0n)
      const head = `sat_${base62(number, 43)}`
      expect(Token.fromEntropy(bytes)).toBe(head + base62(BigInt(Token.crc32(head)), 6))
    }
  })

  it("hashes with SHA-256 in lower-case hex", () => {
    expect(Token.digest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
  })

  it("refuses anything but 32 bytes of entropy", () => {
    expect(() => Token.fromEntropy(new Uint8Array(16))).toThrow(RangeError)
  })

  it("detects every single-character change through the checksum", () => {
    const value = Token.fromEntropy(entropy(42))
    for (let i = 4; i < value.length; i++) {
      const replacement = value[i] === "a" ? "b" : "a"
      const changed = value.slice(0, i) + replacement + value.slice(i + 1)
      expect(Token.checkFormat(changed)).toBe("bad-checksum")
    }
  })

  it("names why a value is malformed", () => {
    const value = Token.fromEntropy(entropy(9))
    expect(Token.checkFormat(value.slice(1))).toBe("wrong-length")
    expect(Token.checkFormat(`ghp_${value.slice(4)}`)).toBe("wrong-prefix")
    expect(Token.checkFormat(`${value.slice(0, 10)}-${value.slice(11)}`)).toBe("bad-characters")
    expect(Token.checkFormat(value)).toBeUndefined()
  })

  it("computes CRC-32 like the IEEE reference", () => {
    expect(Token.crc32("123456789")).toBe(0xcbf43926)
    expect(Token.crc32("")).toBe(0)
  })

  it("digests with SHA-256 in hex and hints with the last four characters", () => {
    const value = Token.fromEntropy(entropy(3))
    expect(Token.digest(value)).toMatch(/^[0-9a-f]{64}$/)
    expect(Token.digest("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    expect(Token.hint(value)).toBe(value.slice(-4))
  })

  it("writes session.json exactly in the documented shape", () => {
    const value = Token.fromEntropy(entropy(5))
    const json = Redacted.value(Token.sessionJson(Redacted.make(value), "https://acme.example.com", ["read", "write"]))
    expect(json).toBe(
      `{"accessToken": "${value}", "tenantURL": "https://acme.example.com", "scopes": ["read", "write"]}`
    )
    expect(JSON.parse(json)).toEqual({
      accessToken: value,
      tenantURL: "https://acme.example.com",
      scopes: ["read", "write"]
    })
  })

  it("gives each organisation and scope list its own session.json, however often they come back", () => {
    const value = Token.fromEntropy(entropy(12))
    const cases: ReadonlyArray<readonly [string, ReadonlyArray<"read" | "write">]> = [
      ["https://a.example.com", ["read"]],
      ["https://a.example.com", ["read", "write"]],
      ["https://a.example.com", []],
      ["read\nhttps://a.example.com", []],
      ['https://a.example.com/"quoted" path', ["write"]],
      ["https://b.example.com", ["read"]]
    ]
    for (let round = 0; round < 2; round++) {
      for (const [tenantUrl, scopes] of cases) {
        const json = Redacted.value(Token.sessionJson(Redacted.make(value), tenantUrl, scopes))
        expect(JSON.parse(json)).toEqual({ accessToken: value, tenantURL: tenantUrl, scopes })
      }
    }
  })

  it("finds and redacts well-formed tokens in text, and leaves look-alikes alone", () => {
    const value = Token.fromEntropy(entropy(11))
    const lookAlike = `${value.slice(0, -1)}${value.endsWith("a") ? "b" : "a"}`
    const text = `leaked ${value} and ${lookAlike}`
    expect(Token.findTokens(text)).toEqual([value])
    expect(Token.redactTokens(text)).toBe(`leaked [REDACTED] and ${lookAlike}`)
  })

  it("quotes input safely: control and non-printing characters escaped, token shapes redacted, a short prefix", () => {
    const value = Token.fromEntropy(entropy(13))
    // A terminal title change, a bell, NUL, a C1 CSI, a right-to-left override, a zero-width space, a line
    // separator, a lone surrogate and an invisible tag character.
    const hostile = "a\u001b]0;pwned\u0007\u0000\u009b2J\u202eb\u200b\u2028\ud800\u{e0041}z"
    expect(Token.quoteSafely(hostile)).toBe(
      "a\\u001b]0;pwned\\u0007\\u0000\\u009b2J\\u202eb\\u200b\\u2028\\ud800\\u{e0041}z"
    )
    // Whole tokens, tokens with a wrong checksum and the start of one are all token-shaped.
    const broken = `${value.slice(0, -1)}${value.endsWith("a") ? "b" : "a"}`
    expect(Token.quoteSafely(`x ${value} y ${broken} z "${value.slice(0, 10)}"...`)).toBe(
      'x [REDACTED] y [REDACTED] z "[REDACTED]"...'
    )
    // A token cut by the length limit does not show its start either.
    expect(Token.quoteSafely(`${"p".repeat(20)}${value}`, 30)).toBe(`${"p".repeat(20)}[REDACTED]…`)
    expect(Token.quoteSafely("é".repeat(500), 10)).toBe(`${"é".repeat(10)}…`)
    // A surrogate pair is never split by the cut.
    expect(Token.quoteSafely("ab😀", 3)).toBe("ab…")
    // Printable text within the limit comes back as it is, non-ASCII letters included.
    const plain = 'line 3: data.name: Expected string, actual "Zoë ☃"'
    expect(Token.quoteSafely(plain)).toBe(plain)
    // Whatever it is given, the result holds no control byte and no token (checked once over all of them: an
    // assertion per character would be slow on a busy machine).
    const all = Array.from({ length: 0x10000 }, (_, code) =>
      Token.quoteSafely(`${String.fromCharCode(code)}${value}`)
    ).join("|")
    // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
    expect(all).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/)
    expect(all).not.toContain(value.slice(4, 14))
  })
})
