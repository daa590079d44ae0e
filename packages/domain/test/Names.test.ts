import { describe, expect, it } from "@effect/vitest"
import { Either, FastCheck as fc, Schema } from "effect"
import { Description, nameKey, ServiceAccountName, TokenName } from "../src/index.js"

const decodeName = Schema.decodeUnknownEither(ServiceAccountName)

describe("names", () => {
  it("are trimmed", () => {
    expect(decodeName("  deploy-bot \t")).toEqual(Either.right("deploy-bot"))
  })

  it("must have 1 to 100 characters after trimming (characters, not UTF-16 units)", () => {
    expect(Either.isLeft(decodeName("   "))).toBe(true)
    expect(Either.isRight(decodeName("x".repeat(100)))).toBe(true)
    expect(Either.isLeft(decodeName("x".repeat(101)))).toBe(true)
    expect(Either.isRight(decodeName("😀".repeat(100)))).toBe(true)
  })

  it("refuse control, bidi-override characters and lone surrogates", () => {
    for (const bad of [
      "a\u0000b",
      "a\nb",
      "a\u007fb",
      "a\u0085b",
      "evil\u202egnp.exe",
      "a\u2066b",
      "a\ud800b",
      "a\udc00"
    ]) {
      expect(Either.isLeft(decodeName(bad)), JSON.stringify(bad)).toBe(true)
    }
  })

  it("token names follow the same rules", () => {
    expect(Either.isLeft(Schema.decodeUnknownEither(TokenName)(""))).toBe(true)
    expect(Schema.decodeUnknownSync(TokenName)(" ci ")).toBe("ci")
  })

  it("descriptions may be empty but not longer than 500 characters", () => {
    expect(Schema.decodeUnknownSync(Description)("")).toBe("")
    expect(Either.isLeft(Schema.decodeUnknownEither(Description)("d".repeat(501)))).toBe(true)
  })

  it("compare NFKC-normalised and case-folded", () => {
    expect(nameKey("Deploy-Bot")).toBe(nameKey("deploy-bot"))
    expect(nameKey("ｄｅｐｌｏｙ")).toBe(nameKey("deploy"))
    expect(nameKey("Straße")).toBe(nameKey("STRASSE"))
    expect(nameKey("ﬁle")).toBe(nameKey("file"))
    expect(nameKey("deploy")).not.toBe(nameKey("deploy2"))
  })

  it("compare by the same key whether or not the name is plain ASCII (the key's fast path)", () => {
    const definition = (name: string) =>
      name
        .normalize("NFKC")
        .replace(/\p{Default_Ignorable_Code_Point}/gu, "")
        .toUpperCase()
        .toLowerCase()
        .normalize("NFKC")
        .trim()
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.asciiString(), fc.fullUnicodeString()), (name) => {
        expect(nameKey(name)).toBe(definition(name))
      }),
      { numRuns: 2000 }
    )
    expect(nameKey("  Deploy-Bot ")).toBe("deploy-bot")
  })
})
