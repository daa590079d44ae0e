/**
 * `sa-audit usage`: requests and units per UTC day, per organisation, service account and token, with each token's
 * last use — the domain's usage view folded from the history's `UsageRecorded` events, named through its directory
 * view, both folded in one pass.
 */
import { Command, Options } from "@effect/cli"
import {
  applyEvents,
  DirectoryView,
  type DomainEvent,
  isDirectoryStream,
  isUsageStream,
  type RecordedEvent,
  ServiceAccountId,
  type StoredUsage,
  TokenId,
  UsageView
} from "@service-accounts/domain"
import { Console, Effect, Either, Option, Schema, Stream } from "effect"
import * as Content from "../Content.js"
import { UnreadableEvent, UsageError } from "../Errors.js"
import type { OpenedSource } from "../Source.js"
import * as UsageRender from "../UsageRender.js"
import * as UsageReport from "../UsageReport.js"
import { printLines } from "./replay.js"
import { FindingsReported, format, openSource, organization, sourceOptions } from "./shared.js"

/** A real calendar day: the pattern, and a date that reads back as itself (no 2026-02-30). */
const isUtcDay = (text: string): boolean => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return false
  const millis = Date.parse(`${text}T00:00:00.000Z`)
  return !Number.isNaN(millis) && new Date(millis).toISOString().slice(0, 10) === text
}

const day = (flag: string, description: string) =>
  Options.text(flag).pipe(
    Options.withPseudoName("<YYYY-MM-DD>"),
    Options.withSchema(
      Schema.String.pipe(
        Schema.filter(isUtcDay, {
          message: () => `--${flag} must be a UTC day, YYYY-MM-DD, such as 2026-03-01`
        })
      )
    ),
    Options.withDescription(description),
    Options.optional
  )

const since = day("since", "The first UTC day reported (inclusive). Default: the first day the history holds.")
const until = day("until", "The last UTC day reported (inclusive). Default: the last day the history holds.")

const account = Options.text("account").pipe(
  Options.withPseudoName("<service account id>"),
  Options.withSchema(
    ServiceAccountId.annotations({ message: () => "--account must be a service account id (a UUID)" })
  ),
  Options.withDescription("Only this service account: its tokens and its total."),
  Options.optional
)

const token = Options.text("token").pipe(
  Options.withPseudoName("<token id>"),
  Options.withSchema(TokenId.annotations({ message: () => "--token must be a token id (a UUID)" })),
  Options.withDescription("Only this token."),
  Options.optional
)

const unreadable = (event: RecordedEvent, reason: string) =>
  new UnreadableEvent({ streamId: event.streamId, revision: event.revision, position: event.position, reason })

/** The directory view and the usage view of the history, folded a chunk at a time in one pass. */
const foldViews = (source: OpenedSource) =>
  Effect.suspend(() => {
    // The content check decodes each directory and usage event once (a usage event that does not decode fails the
    // read, naming its line, or its stream, revision and position); the folds take them as decoded.
    const checker = Content.checker(undefined, { usage: true })
    let directory = DirectoryView.projection.initialState
    const usageProjection = UsageView.projectionKeeping(UsageReport.KEEP_EVERY_DAY)
    let usage = usageProjection.initialState
    return Stream.runForEachChunk(source.events({ check: checker.check, label: "summing usage" }), (chunk) =>
      Effect.suspend(() => {
        const directoryEvents: Array<DomainEvent> = []
        const usageEvents: Array<StoredUsage> = []
        for (const event of chunk) {
          if (isDirectoryStream(event.streamId)) {
            const decoded = checker.decoded(event)
            if (Either.isLeft(decoded)) return Effect.fail(unreadable(event, decoded.left.reason))
            directoryEvents.push(decoded.right)
          } else if (isUsageStream(event.streamId)) {
            const decoded = checker.usage(event)
            if (Either.isLeft(decoded)) return Effect.fail(unreadable(event, decoded.left.reason))
            usageEvents.push(decoded.right)
          }
        }
        if (directoryEvents.length > 0) directory = applyEvents(DirectoryView.projection, directory, directoryEvents)
        if (usageEvents.length > 0) usage = applyEvents(usageProjection, usage, usageEvents)
        return Effect.void
      })
    ).pipe(Effect.map(() => ({ directory, usage })))
  })

/** What was selected and not found, in words. */
const notFound = (selection: UsageReport.Selection): string => {
  const what =
    selection.tokenId !== undefined ? `token ${selection.tokenId}` : `service account ${selection.serviceAccountId}`
  return `${what} does not appear in the history${selection.organizationId === undefined ? "" : ` of organisation ${selection.organizationId}`}`
}

/** The command. */
export const usage = Command.make(
  "usage",
  { ...sourceOptions, account, token, organization, since, until, format },
  (options) =>
    Effect.gen(function* () {
      if (Option.isSome(options.account) && Option.isSome(options.token)) {
        return yield* new UsageError({ reason: "give at most one of --account and --token" })
      }
      const window: UsageReport.Window = {
        since: Option.getOrUndefined(options.since),
        until: Option.getOrUndefined(options.until)
      }
      if (window.since !== undefined && window.until !== undefined && window.since > window.until) {
        return yield* new UsageError({ reason: `--since ${window.since} is after --until ${window.until}` })
      }
      const selection: UsageReport.Selection = {
        organizationId: Option.getOrUndefined(options.organization),
        serviceAccountId: Option.getOrUndefined(options.account),
        tokenId: Option.getOrUndefined(options.token)
      }
      const source = yield* openSource(options)
      const views = yield* foldViews(source)
      const report = UsageReport.make(views.directory, views.usage, selection, window)
      const json = options.format === "json"
      if (report.found) {
        return yield* printLines(json ? UsageRender.jsonLines(report) : UsageRender.lines(report))
      }
      // Not found is a finding, as for `token` and `as-of --account`: the answer is printed, and the exit code says it.
      yield* json ? printLines(UsageRender.jsonLines(report)) : Console.log(`${capitalised(notFound(selection))}.`)
      return yield* new FindingsReported({ summary: notFound(selection) })
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Report usage: requests and units per UTC day, per organisation, service account (--account) or token (--token), from --since to --until, with each token's last use."
  )
)

const capitalised = (text: string): string => `${text.charAt(0).toUpperCase()}${text.slice(1)}`
