/**
 * Hostile history files, built at run time (tokens are generated, never stored in a fixture): what an auditor may be
 * handed by whoever wants to fool them or their terminal. And what output that quotes such input must never hold.
 */
import { randomBytes } from "node:crypto"
import { closeSync, openSync, truncateSync, writeFileSync, writeSync } from "node:fs"
import { join } from "node:path"
import {
  Integrity,
  Ndjson,
  type RecordedEvent,
  Token,
  toProposedUsage,
  UsageDay,
  UsageRecorded
} from "@service-accounts/domain"
import { DateTime } from "effect"
import { goldenLines, tempDir } from "./helpers.js"

/** A well-formed token, made for this run. */
export const token = Token.fromEntropy(randomBytes(32))

/** `ESC ] 0 ; … BEL` sets a terminal's title; `ESC [ 2 J` clears it; U+009B is the one-character CSI. */
export const ESCAPES = "\u001b]0;pwned\u0007\u001b[2J\u009b31m\u202e"

const header = Ndjson.HEADER_LINE

/** The golden history's event lines, decoded. */
const goldenEvents = (): Array<RecordedEvent> =>
  goldenLines.slice(1).map((text, i) => {
    const decoded = Ndjson.decodeLine({ number: i + 2, text, terminated: true })
    if (decoded._tag === "Left") throw new Error(decoded.left.message)
    return decoded.right
  })

/** The first directory event of the golden history with its data changed, sealed again as a forger would. */
const resealedFirst = (edit: (data: { readonly [key: string]: unknown }) => object, streamId?: string): string => {
  const [first] = goldenEvents()
  if (first === undefined) throw new Error("the golden history is empty")
  const data = JSON.parse(JSON.stringify(edit(first.data as { readonly [key: string]: unknown })))
  const stream = streamId ?? first.streamId
  const { events } = Integrity.seal(stream, 0n, Integrity.GENESIS, [{ ...first, data }])
  const [sealed] = events
  if (sealed === undefined) throw new Error("nothing sealed")
  return Ndjson.encodeLine({ ...first, ...sealed, streamId: stream })
}

/** A usage event of the golden history's "ci" token, as a line, with its envelope and data changed by `edit`. */
const usageLine = (
  edit: (line: { stream: string; type: string; data: { [key: string]: unknown } }) => void = () => undefined
): string => {
  const recorder = "7d3f2a4e-3c1b-4a5e-9f00-2b8c1d6e4f10"
  const { streamId, event } = toProposedUsage(
    UsageRecorded.make({
      day: UsageDay.make("2026-01-05"),
      recorder,
      sequence: 0,
      entries: [
        {
          organizationId: "acme" as UsageRecorded["entries"][number]["organizationId"],
          serviceAccountId:
            "84c67782-8385-429e-9c26-d5df29c1269f" as UsageRecorded["entries"][number]["serviceAccountId"],
          tokenId: "2eceb5a1-b7ad-430a-a434-63fd334c134c" as UsageRecorded["entries"][number]["tokenId"],
          requests: 3,
          units: 1.5,
          lastUsedAt: DateTime.unsafeMake("2026-01-05T09:00:08Z")
        }
      ]
    })
  )
  const line = JSON.parse(
    Ndjson.encodeLine({ ...event, streamId, revision: 0n, position: 15n, recordedAt: new Date("2026-01-05T09:00:09Z") })
  )
  edit(line)
  return JSON.stringify(line)
}

const file = (name: string, lines: ReadonlyArray<string>): string => {
  const path = join(tempDir(), name)
  writeFileSync(path, `${lines.join("\n")}\n`)
  return path
}

/** Each hostile file, by what it holds. Every reading command must refuse or report it, quoting it safely. */
export const hostileFiles = (): ReadonlyArray<readonly [string, string]> => {
  const dir = tempDir()
  const invalidUtf8 = join(dir, "invalid-utf8.ndjson")
  writeFileSync(
    invalidUtf8,
    Buffer.concat([
      Buffer.from(`${header}\n{"stream":"`),
      Buffer.from([0xc3, 0x28, 0xff, 0xfe, 0x80]),
      Buffer.from('"}\n')
    ])
  )
  // A gigabyte on one line, for free: a sparse file of NUL bytes after the header.
  const huge = join(dir, "one-gigabyte-line.ndjson")
  const fd = openSync(huge, "w")
  writeSync(fd, `${header}\n`)
  closeSync(fd)
  truncateSync(huge, 2 ** 30)
  return [
    ["a line of terminal escape sequences", file("escapes.ndjson", [header, ESCAPES])],
    ["a line of NUL bytes", file("nul.ndjson", [header, "\u0000\u0000{\u0000}"])],
    ["invalid UTF-8", invalidUtf8],
    ["a bare token line", file("token.ndjson", [header, token])],
    [
      "a token after escapes, in a long line",
      file("long.ndjson", [header, `${ESCAPES}${"x".repeat(100_000)}${token}`])
    ],
    ["a 1 GiB line", huge],
    ["a header of escape sequences", file("bad-header.ndjson", [`{"format":"${ESCAPES}","version":1}`])],
    [
      "an event whose name holds escapes",
      file("name.ndjson", [header, resealedFirst((data) => ({ ...data, name: `bot${ESCAPES}` }))])
    ],
    [
      "an event whose role holds escapes and a token",
      file("role.ndjson", [
        header,
        resealedFirst((data) => ({ ...data, actor: { userId: "mallory", role: `${ESCAPES}${token}` } }))
      ])
    ],
    [
      "an event whose role (which may be any short text) holds escapes and the start of a token",
      file("short-role.ndjson", [
        header,
        resealedFirst((data) => ({ ...data, actor: { userId: "mallory", role: `${ESCAPES}${token.slice(0, 20)}` } }))
      ])
    ],
    [
      "an event whose data holds a token",
      file("data-token.ndjson", [header, resealedFirst((data) => ({ ...data, description: token }))])
    ],
    [
      "a directory stream whose name holds escapes and a token",
      file("stream.ndjson", [header, resealedFirst((data) => data, `serviceAccountDirectory-${ESCAPES}${token}`)])
    ],
    [
      "a usage event whose entry holds escapes and a token",
      file("usage-entry.ndjson", [
        ...goldenLines,
        usageLine((line) => {
          const [entry] = line.data.entries as Array<{ [key: string]: unknown }>
          if (entry !== undefined) entry.organizationId = `${ESCAPES}${token}`
        })
      ])
    ],
    [
      "a usage event whose recorder is a token",
      file("usage-recorder.ndjson", [
        ...goldenLines,
        usageLine((line) => {
          line.data.recorder = token
        })
      ])
    ],
    [
      "a usage event whose type holds escapes and a token",
      file("usage-type.ndjson", [
        ...goldenLines,
        usageLine((line) => {
          line.type = `${ESCAPES}${token}`
        })
      ])
    ],
    [
      "a usage stream whose name holds escapes and a token",
      file("usage-stream.ndjson", [
        ...goldenLines,
        usageLine((line) => {
          line.stream = `serviceAccountUsage-${ESCAPES}${token}`
        })
      ])
    ],
    [
      "a checkpoint holding escapes and a token",
      file("checkpoint.ndjson", [
        header,
        JSON.stringify({
          stream: "serviceAccountIntegrity-acme",
          revision: "0",
          position: "0",
          eventId: "00000000-0000-4000-8000-000000000001",
          type: "IntegrityCheckpoint",
          data: { streamId: `serviceAccountDirectory-${ESCAPES}`, revision: token, digest: ESCAPES, signature: "x" },
          metadata: {},
          recordedAt: "2026-01-01T00:00:00.000Z"
        })
      ])
    ]
  ]
}

// C0 controls but the line break, DEL, C1 controls, and the bidirectional overrides and isolates.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
export const RAW_CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/

/** What output that quotes hostile input must not hold: a raw control character, or any part of the token. */
export const unsafeIn = (output: string): ReadonlyArray<string> => [
  ...(RAW_CONTROL.test(output) ? [`a raw control character: ${JSON.stringify(RAW_CONTROL.exec(output)?.[0])}`] : []),
  ...(output.includes(token.slice(4, 12)) || output.includes(token.slice(-8)) ? ["a part of the token"] : []),
  ...(/sat_[0-9A-Za-z]/.test(output) ? ["a token shape"] : [])
]
