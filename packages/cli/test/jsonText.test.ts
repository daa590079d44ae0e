/**
 * The JSON text `sa-audit replay` prints, written directly, is exactly `JSON.stringify` of the objects `Render` makes:
 * on every entry and account of the golden history, and on texts that JSON must escape.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  AuditTrail,
  DirectoryView,
  decode,
  foldProjection,
  type DomainEvent,
  isDirectoryEvent,
  Ndjson
} from "@service-accounts/domain"
import { Effect, Either, Stream } from "effect"
import * as JsonText from "../src/JsonText.js"
import { Render } from "../src/index.js"
import { golden } from "./helpers.js"

const events = Effect.gen(function* () {
  const recorded = yield* Stream.runCollect(Ndjson.decodeText(golden))
  const decoded: Array<DomainEvent> = []
  for (const event of recorded) {
    if (!isDirectoryEvent(event)) continue
    const result = decode(event)
    if (Either.isRight(result)) decoded.push(result.right)
  }
  return decoded
})

// Quotes, backslashes, control characters, a lone and a paired surrogate, non-ASCII, and a token-shaped value.
const awkward = [
  'say "hi"',
  "back\\slash",
  "tab\there\nnewline\u0000nul\u001b]0;x\u0007",
  "lone \ud800 surrogate",
  "pair \ud83d\ude00 emoji",
  "ünïcødé – …",
  "",
  "sat_4G7CKSabcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH"
]

describe("JsonText", () => {
  it("writes strings as JSON.stringify does", () => {
    for (const text of awkward) expect(JsonText.string(text)).toBe(JSON.stringify(text))
  })

  it("writes times as toISOString does: within a day, across days, before 1970, outside years 0–9999", () => {
    const times = [0, -1, 86_399_999, 86_400_000, -86_400_001, 1.5, 8.64e15, -8.64e15, 253_402_300_799_999]
    times.push(253_402_300_800_000, -62_167_219_200_001, -62_167_219_200_000)
    let at = Date.UTC(2026, 11, 7, 23, 59, 0, 0)
    for (let i = 0; i < 20_000; i++) {
      at += Math.floor(Math.random() * 5000) * (i % 50 === 0 ? 1000 : 1)
      times.push(at, at - 1, at + 999)
    }
    for (let i = 0; i < 5000; i++) times.push(Math.floor((Math.random() - 0.5) * 2 * 8.64e15))
    for (const time of times) expect(JsonText.isoTime(time)).toBe(new Date(time).toISOString())
  })

  it.effect("writes every audit entry and every account of the golden history as JSON.stringify does", () =>
    Effect.gen(function* () {
      const decoded = yield* events
      expect(decoded.length).toBeGreaterThan(10)
      for (const event of decoded) {
        const entry = AuditTrail.entry(event)
        expect(JsonText.auditEntry(entry)).toBe(JSON.stringify(Render.auditJson(entry)))
        for (const text of awkward) {
          const odd = { ...entry, summary: text, actor: { ...entry.actor, role: text } }
          expect(JsonText.auditEntry(odd)).toBe(JSON.stringify(Render.auditJson(odd)))
        }
      }
      const view = foldProjection(DirectoryView.projection, decoded)
      let accounts = 0
      for (const directory of DirectoryView.organizations(view)) {
        for (const account of DirectoryView.accounts(directory, { includeDeleted: true })) {
          expect(JsonText.account(account)).toBe(JSON.stringify(Render.accountJson(account)))
          for (const text of awkward) {
            const odd = {
              ...account,
              name: text,
              description: text,
              tokens: account.tokens.map((token) => ({ ...token, name: text, hint: text }))
            }
            expect(JsonText.account(odd)).toBe(JSON.stringify(Render.accountJson(odd)))
          }
          accounts++
        }
      }
      expect(accounts).toBeGreaterThan(3)
    })
  )
})
