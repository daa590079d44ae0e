/**
 * The JSON text of what `sa-audit` prints most of (an audit-trail entry, an account of the directory), written
 * directly: exactly `JSON.stringify` of `Render.auditJson(entry)` and of `Render.accountJson(account)`, the same keys
 * in the same order, without building the object first. A replay prints one of these per event or account, and
 * making the object and then stringifying it cost more than reading the event.
 *
 * @internal
 */
import type {
  Actor,
  AuditTrail,
  DirectoryView,
  RevocationReason,
  Scope,
  ServiceAccountId,
  TokenId
} from "@service-accounts/domain"
import { Token } from "@service-accounts/domain"
import type { DateTime } from "effect"

// What JSON.stringify escapes in a string: quotes, backslashes, control characters and lone surrogates (every
// surrogate here: a text with any goes to JSON.stringify). A string without any is its own JSON text between quotes.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const ESCAPED = /["\\\u0000-\u001f\ud800-\udfff]/

/** A string as JSON text: what `JSON.stringify(text)` gives. */
export const string = (text: string): string => (ESCAPED.test(text) ? JSON.stringify(text) : `"${text}"`)

/**
 * The JSON text of a value that holds nothing `JSON.stringify` escapes, by its type: an account's or a token's id (a
 * lower-case UUID, checked when its event was decoded) and a literal of the domain (an action, a scope, a status, a
 * reason). A replay writes several a line, and looking for what to escape in them cost more than writing them.
 */
const plain = (
  text:
    | ServiceAccountId
    | TokenId
    | AuditTrail.AuditEntry["action"]
    | Scope
    | RevocationReason
    | "active"
    | "revoked"
    | "deleted"
): string => `"${text}"`

const DAY = 86_400_000
const pad2 = Array.from({ length: 60 }, (_, n) => String(n).padStart(2, "0"))
const pad3 = Array.from({ length: 1000 }, (_, n) => String(n).padStart(3, "0"))
// The day of the last time written, and its text up to the hour ("2026-12-07T"): a history's times come in order, so
// most fall on the day before them. `toISOString` took half a microsecond a time, more than the rest of an entry.
let lastDay = Number.NaN
let dayText = ""

/**
 * `new Date(epochMillis).toISOString()`: within a day already written, its time of day is written from the
 * milliseconds; anything else (a new day, a year outside 0000–9999, a fraction of a millisecond) goes to `Date`.
 */
export const isoTime = (epochMillis: number): string => {
  const day = Math.floor(epochMillis / DAY)
  if (day !== lastDay || !Number.isInteger(epochMillis)) {
    const text = new Date(epochMillis).toISOString()
    if (text.length === 24 && Number.isInteger(epochMillis)) {
      lastDay = day
      dayText = text.slice(0, 11)
    }
    return text
  }
  let rest = epochMillis - day * DAY
  const hours = Math.floor(rest / 3_600_000)
  rest -= hours * 3_600_000
  const minutes = Math.floor(rest / 60_000)
  rest -= minutes * 60_000
  const seconds = Math.floor(rest / 1000)
  return `${dayText}${pad2[hours]}:${pad2[minutes]}:${pad2[seconds]}.${pad3[rest - seconds * 1000]}Z`
}

/** A time as `Render` shows it (`DateTime.formatIso`: the ISO text of the same instant), as JSON text. */
const time = (value: DateTime.Utc): string => `"${isoTime(value.epochMillis)}"`

/** `Render`'s actor: the role quoted safely (at most 64 characters). */
const actorText = (who: Actor): string =>
  `{"userId":${string(who.userId)},"role":${string(Token.quoteSafely(who.role, 64))}}`

// The last actor written and its text: the read models and the decoder share one object per actor, and a directory's
// tokens and a history's events come in runs by the same one (values are immutable, so the same object has the same
// text).
let lastActor: Actor | undefined
let lastActorText = ""

const actor = (who: Actor): string => {
  if (who !== lastActor) {
    lastActorText = actorText(who)
    lastActor = who
  }
  return lastActorText
}

// The same for scope lists, which the directory view shares between tokens.
let lastScopes: ReadonlyArray<Scope> | undefined
let lastScopesText = ""

const scopeList = (scopes: ReadonlyArray<Scope>): string => {
  if (scopes !== lastScopes) {
    const texts: Array<string> = []
    for (const scope of scopes) texts.push(plain(scope))
    lastScopesText = `[${texts.join(",")}]`
    lastScopes = scopes
  }
  return lastScopesText
}

/**
 * `JSON.stringify(Render.auditJson(entry))`.
 *
 * @since 0.3.0
 * @category json
 */
export const auditEntry = (entry: AuditTrail.AuditEntry): string =>
  `{"position":"${entry.position}","revision":"${entry.revision}","occurredAt":${time(entry.occurredAt)},"organizationId":${string(entry.organizationId)},"actor":${actor(entry.actor)},"action":${plain(entry.action)},"serviceAccountId":${plain(entry.serviceAccountId)}${entry.tokenId === undefined ? "" : `,"tokenId":${plain(entry.tokenId)}`},"summary":${string(entry.summary)}}`

const token = (view: DirectoryView.TokenView): string => {
  return `{"tokenId":${plain(view.tokenId)},"name":${string(view.name)},"hint":${string(view.hint)},"scopes":${scopeList(view.scopes)},"status":${plain(view.status)},"issuedAt":${time(view.issuedAt)},"issuedBy":${actor(view.issuedBy)}${view.revokedAt === undefined ? "" : `,"revokedAt":${time(view.revokedAt)}`}${view.revokedBy === undefined ? "" : `,"revokedBy":${actor(view.revokedBy)}`}${view.revocationReason === undefined ? "" : `,"revocationReason":${plain(view.revocationReason)}`}}`
}

/**
 * `JSON.stringify(Render.accountJson(account))`.
 *
 * @since 0.3.0
 * @category json
 */
export const account = (view: DirectoryView.AccountView): string => {
  // Joined rather than added one by one: a string built by `+=` is a tree of its pieces until it is written, several
  // times the size of its text, and a replay holds a thousand accounts' lines before each write.
  const tokens: Array<string> = []
  for (const each of view.tokens) tokens.push(token(each))
  return `{"serviceAccountId":${plain(view.serviceAccountId)},"name":${string(view.name)}${view.description === undefined ? "" : `,"description":${string(view.description)}`},"status":${plain(view.status)},"createdAt":${time(view.createdAt)},"createdBy":${actor(view.createdBy)}${view.deletedAt === undefined ? "" : `,"deletedAt":${time(view.deletedAt)}`}${view.deletedBy === undefined ? "" : `,"deletedBy":${actor(view.deletedBy)}`},"tokens":[${tokens.join(",")}]}`
}
