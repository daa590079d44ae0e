/**
 * How `sa-audit` shows what it found: plain-text tables for people, JSON for programs. Neither ever holds a
 * token value: read models only know digests and four-character hints.
 *
 * @since 0.1.0
 */
import { type Actor, type AuditTrail, DirectoryView, type Integrity } from "@service-accounts/domain"
import type { Violation } from "@service-accounts/testing/Invariants"
import { DateTime, HashMap } from "effect"

type Directory = DirectoryView.OrganizationDirectory

const time = (value: DateTime.Utc): string => DateTime.formatIso(value)

const actorJson = (actor: Actor) => ({ userId: actor.userId, role: actor.role })

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
  [...HashMap.values(state)]
    .filter((directory) => only === undefined || directory.organizationId === only)
    .sort((a, b) => (a.organizationId < b.organizationId ? -1 : a.organizationId > b.organizationId ? 1 : 0))

/**
 * The directory view as JSON: every organisation with every account, deleted ones included.
 *
 * @since 0.1.0
 * @category json
 */
export const directoryJson = (directories: ReadonlyArray<Directory>) => ({
  organizations: directories.map((directory) => ({
    organizationId: directory.organizationId,
    accounts: DirectoryView.accounts(directory, { includeDeleted: true }).map(accountJson)
  }))
})

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
 * The directory view as text.
 *
 * @since 0.1.0
 * @category text
 */
export const directoryText = (directories: ReadonlyArray<Directory>): ReadonlyArray<string> => {
  if (directories.length === 0) return ["(no organisation)"]
  return directories.flatMap((directory) => {
    const all = DirectoryView.accounts(directory, { includeDeleted: true })
    const active = all.filter((account) => account.status === "active").length
    return [
      `Organisation ${directory.organizationId}: ${all.length} service account(s), ${active} active`,
      ...all.flatMap((account) => [
        `  ${account.name}  ${account.status}  ${account.serviceAccountId}  created ${time(account.createdAt)} by ${account.createdBy.userId}${
          account.deletedAt === undefined
            ? ""
            : `, deleted ${time(account.deletedAt)}${account.deletedBy === undefined ? "" : ` by ${account.deletedBy.userId}`}`
        }`,
        ...(account.description === undefined ? [] : [`    "${account.description}"`]),
        ...(account.tokens.length === 0
          ? ["    (no tokens)"]
          : account.tokens.map((token) => `    ${tokenLine(token)}`))
      ])
    ]
  })
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
  `#${entry.position}  ${time(entry.occurredAt)}  ${entry.organizationId}  ${entry.actor.userId} (${entry.actor.role})  ${entry.summary}  account ${entry.serviceAccountId}${entry.tokenId === undefined ? "" : `  token ${entry.tokenId}`}`

/**
 * A violation as a text line.
 *
 * @since 0.1.0
 * @category text
 */
export const violationLine = (violation: Violation): string =>
  `position ${violation.position} (${violation.streamId}@${violation.revision})  ${violation.invariant}  ${violation.message}`

/**
 * A violation as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const violationJson = (violation: Violation) => ({
  invariant: violation.invariant,
  streamId: violation.streamId,
  revision: String(violation.revision),
  position: String(violation.position),
  message: violation.message
})

/**
 * A tamper-evidence finding as a text line.
 *
 * @since 0.1.0
 * @category text
 */
export const findingLine = (finding: Integrity.Finding): string =>
  `${finding.position === undefined ? "" : `position ${finding.position} `}(${finding.streamId}@${finding.revision})  ${finding.kind}  ${finding.message}`

/**
 * A finding as JSON.
 *
 * @since 0.1.0
 * @category json
 */
export const findingJson = (finding: Integrity.Finding) => ({
  kind: finding.kind,
  streamId: finding.streamId,
  revision: String(finding.revision),
  ...(finding.position === undefined ? {} : { position: String(finding.position) }),
  message: finding.message
})

/**
 * Pretty JSON text.
 *
 * @since 0.1.0
 * @category json
 */
export const json = (value: unknown): string => JSON.stringify(value, null, 2)
