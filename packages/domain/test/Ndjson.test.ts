import { readFileSync } from "node:fs"
import { describe, expect, it } from "@effect/vitest"
import { Chunk, Effect, Either, FastCheck as fc, Stream } from "effect"
import { Ndjson, type RecordedEvent, Token } from "../src/index.js"

const golden = readFileSync(new URL("fixtures/history-v1.ndjson", import.meta.url), "utf8")

const event: RecordedEvent = {
  streamId: "serviceAccountDirectory-acme",
  revision: 3n,
  position: 18446744073709551615n,
  eventId: "0c5d8c1e-2f7a-4b8e-9d1c-3e4f5a6b7c8d",
  type: "Anything",
  data: { a: [1, "é\u2028", null, true], b: { c: 1.5 } },
  metadata: { schemaVersion: 1 },
  recordedAt: new Date("2026-11-28T09:30:00.123Z")
}

const decodeAll = (text: string, chunkSize = text.length || 1) => {
  const chunks: Array<string> = []
  for (let i = 0; i < text.length; i += chunkSize) chunks.push(text.slice(i, i + chunkSize))
  return Effect.either(Stream.runCollect(Ndjson.decode(Stream.fromIterable(chunks)))).pipe(
    Effect.map(Either.map(Chunk.toReadonlyArray))
  )
}

const failure = (text: string) =>
  Effect.map(decodeAll(text), (result) => (Either.isLeft(result) ? result.left.message : "decoded"))

const line = (fields: { readonly [key: string]: unknown }) =>
  JSON.stringify({
    stream: "s-1",
    revision: "0",
    position: "0",
    eventId: "0c5d8c1e-2f7a-4b8e-9d1c-3e4f5a6b7c8d",
    type: "T",
    data: {},
    metadata: {},
    recordedAt: "2026-11-28T09:30:00.000Z",
    ...fields
  })

describe("Ndjson", () => {
  it.effect("round-trips events exactly, 64-bit positions included", () =>
    Effect.gen(function* () {
      const text = Chunk.join(
        yield* Stream.runCollect(Ndjson.encode(Stream.make(event, { ...event, revision: 4n }))),
        ""
      )
      expect(text.split("\n")[0]).toBe('{"format":"service-accounts/ndjson","version":1}')
      expect(text.endsWith("\n")).toBe(true)
      const decoded = yield* decodeAll(text)
      expect(decoded).toEqual(Either.right([event, { ...event, revision: 4n }]))
    })
  )

  it("writes every character that does not print as an escape, and reads the same values back", () => {
    // DEL, a C1 control (the one-character CSI), bidirectional overrides and isolates, zero-width marks, a byte
    // order mark, the line and paragraph separators, a tag character (beyond the BMP), and a C0 control.
    const hidden = "\u007f\u009b\u202e\u2066\u200b\u200d\ufeff\u2028\u2029\u{e0041}\u001b"
    const shown = { ...event, type: `T${hidden}`, data: { text: hidden, [hidden]: [hidden] } }
    const written = Ndjson.encodeLine(shown)
    expect(written).not.toMatch(/[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u)
    expect(written).toContain("\\u009b")
    expect(written).toContain("\\udb40\\udc41")
    expect(Ndjson.decodeLine({ number: 2, text: written, terminated: true })).toEqual(Either.right(shown))
    fc.assert(
      fc.property(fc.fullUnicodeString(), fc.string({ unit: "binary" }), (text, units) => {
        const any = { ...event, data: { text, units }, metadata: { [units]: text } }
        const line = Ndjson.encodeLine(any)
        expect(line).not.toMatch(/[\p{Cc}\p{Cf}\p{Cs}\p{Zl}\p{Zp}]/u)
        expect(Ndjson.decodeLine({ number: 2, text: line, terminated: true })).toEqual(Either.right(any))
      })
    )
  })

  it.effect("reads the same events whatever the chunk boundaries", () =>
    Effect.gen(function* () {
      const whole = yield* decodeAll(golden)
      expect(Either.isRight(whole) && whole.right.length).toBe(17)
      for (const size of [1, 7, 100, 4096]) expect(yield* decodeAll(golden, size)).toEqual(whole)
    })
  )

  it.effect("accepts CRLF line ends and a last line without a line break", () =>
    Effect.gen(function* () {
      const text = `${Ndjson.HEADER_LINE}\r\n${line({})}\r\n${line({ revision: "1" })}`
      const result = yield* decodeAll(text)
      expect(Either.isRight(result) && result.right.map((e) => e.revision)).toEqual([0n, 1n])
    })
  )

  it.effect("names the problem and the line of bad input", () =>
    Effect.gen(function* () {
      const header = Ndjson.HEADER_LINE
      expect(yield* failure("")).toBe(
        'the file is empty: a history starts with the header {"format":"service-accounts/ndjson","version":1}'
      )
      expect(yield* failure(`${line({})}\n`)).toMatch(/^line 1: the first line must be the header/)
      expect(yield* failure('{"format":"service-accounts/ndjson","version":2}\n')).toBe(
        "line 1: format version 2 is not known to this version of the library"
      )
      expect(yield* failure(`${header}\n${line({})}\n{"stream": oops\n`)).toMatch(/^line 3: invalid JSON/)
      expect(yield* failure(`${header}\n${line({})}\n${line({}).slice(0, 40)}`)).toMatch(
        /^line 3: the file ends in the middle of this line \(truncated\): invalid JSON/
      )
      expect(yield* failure(`${header}\n\n`)).toBe("line 2: the line is empty")
      expect(yield* failure(`${header}\n${line({ revision: 0 })}\n`)).toBe(
        "line 2: revision: Expected string, actual 0"
      )
      expect(yield* failure(`${header}\n${line({ revision: "-1", eventId: "x" })}\n`)).toBe(
        "line 2: revision: must be a string of decimal digits; eventId: must be a UUID"
      )
      expect(yield* failure(`${header}\n${line({ recordedAt: "yesterday" })}\n`)).toMatch(
        /^line 2: recordedAt: must be an ISO-8601/
      )
      expect(yield* failure(`${header}\n${line({ extra: 1 })}\n`)).toMatch(/^line 2: extra: /)
      expect(yield* failure(`${header}\n${line({ metadata: [] })}\n`)).toMatch(/^line 2: metadata: /)
    })
  )

  it.effect("never echoes a token value in an error", () =>
    Effect.gen(function* () {
      const value = Token.fromEntropy(new Uint8Array(32).fill(7))
      const message = yield* failure(`${Ndjson.HEADER_LINE}\n{"stream": "${value}" oops\n`)
      expect(message).toMatch(/^line 2: invalid JSON/)
      expect(Token.findTokens(message)).toEqual([])
    })
  )

  it.effect("lets the caller refuse well-formed events, naming the line", () =>
    Effect.gen(function* () {
      const text = `${Ndjson.HEADER_LINE}\n${line({})}\n${line({ type: "Nope" })}\n`
      const result = yield* Effect.either(
        Stream.runCollect(Ndjson.decodeText(text, { check: (e) => (e.type === "Nope" ? "no Nope here" : undefined) }))
      )
      expect(Either.isLeft(result) && result.left.message).toBe("line 3: no Nope here")
    })
  )

  it.effect("quotes a line's bytes safely: no control character, no token, a short prefix", () =>
    Effect.gen(function* () {
      const value = Token.fromEntropy(new Uint8Array(32).fill(9))
      const cases = [
        `\u001b]0;pwned\u0007${"x".repeat(5000)}`,
        "\u0000\u0000\u0000",
        "\ufffd\ufffd not UTF-8",
        value,
        `{"stream": "\u009b2J\u202e", "revision": 1 oops`
      ]
      for (const text of cases) {
        const message = yield* failure(`${Ndjson.HEADER_LINE}\n${text}\n`)
        expect(message).toMatch(/^line 2: invalid JSON/)
        // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
        expect(message).not.toMatch(/[\u0000-\u001f\u007f-\u009f\u202e]/)
        expect(message).not.toContain(value.slice(4, 10))
        expect(message.length).toBeLessThan(400)
      }
    })
  )

  it.effect("refuses a line longer than MAX_LINE_LENGTH as soon as it is that long, whatever follows", () =>
    Effect.gen(function* () {
      // A gigabyte in one line, without ever holding it: the same 64 KiB string, 16,384 times.
      const piece = "a".repeat(64 * 1024)
      let pulled = 0
      const gigabyte = Stream.repeatEffect(Effect.sync(() => piece)).pipe(
        Stream.take(16 * 1024),
        Stream.tap(() => Effect.sync(() => void pulled++))
      )
      const headerThenHuge = Stream.concat(Stream.make(`${Ndjson.HEADER_LINE}\n`), gigabyte)
      const result = yield* Effect.either(Stream.runDrain(Ndjson.decode(headerThenHuge)))
      expect(Either.isLeft(result) && result.left.message).toBe(
        "line 2: the line is longer than 33,554,432 characters: not a line of this format"
      )
      // It stopped reading a little after the limit, not at the end of the line.
      expect(pulled).toBeLessThan(Ndjson.MAX_LINE_LENGTH / piece.length + 4)
      // A header that long is refused as a header.
      expect(Either.isLeft(yield* Effect.either(Stream.runDrain(Ndjson.decode(gigabyte))))).toBe(true)
      // Cut into lines, the long one is delivered once, short, and the lines after it keep their numbers.
      const lines = yield* Stream.runCollect(
        Ndjson.splitLines(Stream.concat(Stream.concat(Stream.make("first\n"), gigabyte), Stream.make("b\nlast\n")))
      )
      expect(
        Chunk.toReadonlyArray(lines).map((l) => [l.number, l.tooLong === true ? "too long" : l.text, l.terminated])
      ).toEqual([
        [1, "first", true],
        [2, "too long", true],
        [3, "last", true]
      ])
      expect(Chunk.unsafeGet(lines, 1).text.length).toBeLessThanOrEqual(200)
    })
  )
})
