/**
 * How `sa-audit` shows what it found: plain-text tables for people, JSON for programs. Neither ever holds a
 * token value: read models only know digests and four-character hints. What the model's schemas do not check for
 * control characters (a role, a stream's name, the text of a finding) is quoted with `Token.quoteSafely`.
 *
 * @example
 * ```ts
 * import { Render } from "@service-accounts/cli"
 * import {
 *   AuditTrail,
 *   DirectoryView,
 *   type DomainEvent,
 *   foldProjection,
 *   OrganizationId
 * } from "@service-accounts/domain"
 *
 * // Print an organisation's directory and audit trail as `sa-audit replay` does: hints, never token values.
 * const print = (events: ReadonlyArray<DomainEvent>) => {
 *   const view = foldProjection(DirectoryView.projection, events)
 *   for (const line of Render.directoryLines(Render.organizations(view, "acme"))) console.log(line)
 *   const trail = foldProjection(AuditTrail.projection, events)
 *   for (const entry of AuditTrail.entries(trail, OrganizationId.make("acme"))) console.log(Render.auditLine(entry))
 * }
 *
 * // For programs: the same directory as JSON, a line at a time.
 * const json = (events: ReadonlyArray<DomainEvent>) =>
 *   [...Render.directoryJsonLines(Render.organizations(foldProjection(DirectoryView.projection, events)))].join("\n")
 * ```
 *
 * @since 0.1.0
 */
import {
  type Actor,
  type AuditTrail,
  DirectoryView,
  type Integrity,
  type IntegrityVerification,
  Token,
  type Violation
} from "@service-accounts/domain"
import type { DateTime } from "effect"
import * as JsonText from "./JsonText.js"

type Directory = DirectoryView.OrganizationDirectory

/** `DateTime.formatIso`, written faster (`JsonText.isoTime`). */
const time = (value: DateTime.Utc): string => JsonText.isoTime(value.epochMillis)

/** A role is any text the host gave (up to 64 characters): quoted safely wherever it is shown. */
const role = (actor: Actor): string => Token.quoteSafely(actor.role, 64)

const actorJson = (actor: Actor) => ({ userId: actor.userId, role: role(actor) })

/**
 * A token as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const tokenJson = (token: DirectoryView.TokenView) => ({
  tokenId: token.tokenId,
  name: token.name,
  hint: token.hint,
  scopes: token.scopes,
  status: token.status,
  issuedAt: time(token.issuedAt),
  issuedBy: actorJson(token.issuedBy),
  ...(token.revokedAt === undefined ? {} : { revokedAt: time(token.revokedAt) }),
  ...(token.revokedBy === undefined ? {} : { revokedBy: actorJson(token.revokedBy) }),
  ...(token.revocationReason === undefined ? {} : { revocationReason: token.revocationReason })
})

/**
 * An account as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const accountJson = (account: DirectoryView.AccountView) => ({
  serviceAccountId: account.serviceAccountId,
  name: account.name,
  ...(account.description === undefined ? {} : { description: account.description }),
  status: account.status,
  createdAt: time(account.createdAt),
  createdBy: actorJson(account.createdBy),
  ...(account.deletedAt === undefined ? {} : { deletedAt: time(account.deletedAt) }),
  ...(account.deletedBy === undefined ? {} : { deletedBy: actorJson(account.deletedBy) }),
  tokens: account.tokens.map(tokenJson)
})

/**
 * The organisations of a directory view, in the order of their ids, optionally only one.
 *
 * @since 0.1.0
 * @category utils
 */
export const organizations = (
  state: DirectoryView.DirectoryViewState,
  only?: string | undefined
): ReadonlyArray<Directory> =>
  DirectoryView.organizations(state)
    .filter((directory) => only === undefined || directory.organizationId === only)
    .sort((a, b) => (a.organizationId < b.organizationId ? -1 : a.organizationId > b.organizationId ? 1 : 0))

/**
 * The directory view as JSON, a line at a time: `{"organizations":[{"organizationId":…,"accounts":[` then one
 * account a line. Only one account is ever built in memory, however large the directory; `head` adds fields
 * before `organizations`.
 *
 * @since 0.1.0
 * @category json
 */
export function* directoryJsonLines(
  directories: ReadonlyArray<Directory>,
  head: { readonly [key: string]: unknown } = {}
): Generator<string> {
  const fields = JSON.stringify(head).slice(1, -1)
  yield `{${fields === "" ? "" : `${fields},`}"organizations":[`
  for (const [i, directory] of directories.entries()) {
    yield `{"organizationId":${JSON.stringify(directory.organizationId)},"accounts":[`
    const all = DirectoryView.accounts(directory, { includeDeleted: true })
    for (const [j, account] of all.entries()) {
      yield `${JsonText.account(account)}${j < all.length - 1 ? "," : ""}`
    }
    yield `]}${i < directories.length - 1 ? "," : ""}`
  }
  yield "]}"
}

/**
 * One token as a table line.
 *
 * @since 0.1.0
 * @category text
 */
export const tokenLine = (token: DirectoryView.TokenView): string => {
  const status =
    token.status === "active"
      ? "active"
      : `revoked${token.revocationReason === undefined ? "" : ` (${token.revocationReason})`}`
  const revoked =
    token.revokedAt === undefined
      ? ""
      : `, revoked ${time(token.revokedAt)}${token.revokedBy === undefined ? "" : ` by ${token.revokedBy.userId}`}`
  return `token "${token.name}" …${token.hint}  ${status}  scopes ${token.scopes.join(", ")}  ${token.tokenId}  issued ${time(token.issuedAt)} by ${token.issuedBy.userId}${revoked}`
}

/**
 * The directory view as text, a line at a time.
 *
 * @since 0.1.0
 * @category text
 */
export function* directoryLines(directories: ReadonlyArray<Directory>): Generator<string> {
  if (directories.length === 0) yield "(no organisation)"
  for (const directory of directories) {
    const all = DirectoryView.accounts(directory, { includeDeleted: true })
    const active = all.filter((account) => account.status === "active").length
    yield `Organisation ${directory.organizationId}: ${all.length} service account(s), ${active} active`
    for (const account of all) {
      const deleted =
        account.deletedAt === undefined
          ? ""
          : `, deleted ${time(account.deletedAt)}${account.deletedBy === undefined ? "" : ` by ${account.deletedBy.userId}`}`
      yield `  ${account.name}  ${account.status}  ${account.serviceAccountId}  created ${time(account.createdAt)} by ${account.createdBy.userId}${deleted}`
      if (account.description !== undefined) yield `    "${account.description}"`
      if (account.tokens.length === 0) yield "    (no tokens)"
      for (const token of account.tokens) yield `    ${tokenLine(token)}`
    }
  }
}

/**
 * An audit-trail entry as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const auditJson = (entry: AuditTrail.AuditEntry) => ({
  position: String(entry.position),
  revision: String(entry.revision),
  occurredAt: time(entry.occurredAt),
  organizationId: entry.organizationId,
  actor: actorJson(entry.actor),
  action: entry.action,
  serviceAccountId: entry.serviceAccountId,
  ...(entry.tokenId === undefined ? {} : { tokenId: entry.tokenId }),
  summary: entry.summary
})

/**
 * An audit-trail entry as a text line.
 *
 * @since 0.1.0
 * @category text
 */
export const auditLine = (entry: AuditTrail.AuditEntry): string =>
  `#${entry.position}  ${time(entry.occurredAt)}  ${entry.organizationId}  ${entry.actor.userId} (${role(entry.actor)})  ${entry.summary}  account ${entry.serviceAccountId}${entry.tokenId === undefined ? "" : `  token ${entry.tokenId}`}`

/**
 * A violation as a text line.
 *
 * @since 0.1.0
 * @category text
 */
export const violationLine = (violation: Violation): string =>
  `position ${violation.position} (${Token.quoteSafely(violation.streamId, 200)}@${violation.revision})  ${violation.invariant}  ${Token.quoteSafely(violation.message, 1000)}`

/**
 * A violation as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const violationJson = (violation: Violation) => ({
  invariant: violation.invariant,
  streamId: Token.quoteSafely(violation.streamId, 200),
  revision: String(violation.revision),
  position: String(violation.position),
  message: Token.quoteSafely(violation.message, 1000)
})

/**
 * A tamper-evidence finding as a text line.
 *
 * @since 0.1.0
 * @category text
 */
export const findingLine = (finding: Integrity.Finding): string =>
  `${finding.position === undefined ? "" : `position ${finding.position} `}(${finding.streamId === "" ? "the history" : `${Token.quoteSafely(finding.streamId, 200)}@${finding.revision}`})  ${finding.kind}  ${Token.quoteSafely(finding.message, 1000)}`

/**
 * A finding as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const findingJson = (finding: Integrity.Finding) => ({
  kind: finding.kind,
  streamId: Token.quoteSafely(finding.streamId, 200),
  revision: String(finding.revision),
  ...(finding.position === undefined ? {} : { position: String(finding.position) }),
  message: Token.quoteSafely(finding.message, 1000)
})

/**
 * Events no signed checkpoint covers, as a text line.
 *
 * @since 0.3.0
 * @category text
 */
export const uncoveredLine = (uncovered: IntegrityVerification.UncoveredEvents): string =>
  `  ${Token.quoteSafely(uncovered.streamId, 200)}  ${uncovered.events} event(s), ${range("revision", uncovered.firstRevision, uncovered.lastRevision)}, ${range("position", uncovered.firstPosition, uncovered.lastPosition)}`

/** `revision 4` or `revisions 4–6`. */
const range = (what: string, first: bigint | undefined, last: bigint | undefined): string =>
  first === last ? `${what} ${first ?? "?"}` : `${what}s ${first ?? "?"}–${last ?? "?"}`

/**
 * Events no signed checkpoint covers, as JSON.
 *
 * @since 0.3.0
 * @category json
 */
export const uncoveredJson = (uncovered: IntegrityVerification.UncoveredEvents) => ({
  streamId: Token.quoteSafely(uncovered.streamId, 200),
  events: uncovered.events,
  firstRevision: String(uncovered.firstRevision),
  lastRevision: String(uncovered.lastRevision),
  ...(uncovered.firstPosition === undefined ? {} : { firstPosition: String(uncovered.firstPosition) }),
  ...(uncovered.lastPosition === undefined ? {} : { lastPosition: String(uncovered.lastPosition) })
})

/**
 * A checkpoint and where it is, as a text line (what an auditor notes for the next audit).
 *
 * @since 0.3.0
 * @category text
 */
export const checkpointLine = ({ checkpoint, position }: IntegrityVerification.LocatedCheckpoint): string =>
  `  ${Token.quoteSafely(checkpoint.streamId, 200)}  revision ${checkpoint.revision}  digest ${checkpoint.digest}  signed ${checkpoint.createdAt}  position ${position}`

/**
 * A checkpoint and where it is, as JSON.
 *
 * @since 0.3.0
 * @category json
 */
export const checkpointJson = ({ checkpoint, position }: IntegrityVerification.LocatedCheckpoint) => ({
  ...checkpoint,
  streamId: Token.quoteSafely(checkpoint.streamId, 200),
  position: String(position)
})

/**
 * Pretty JSON text.
 *
 * @since 0.1.0
 * @category json
 */
export const json = (value: unknown): string => JSON.stringify(value, null, 2)
