/**
 * `sa-audit as-of`: the directory view as it stood at a time or a position — "which tokens of this account were
 * valid at T?".
 */
import { Command, Options } from "@effect/cli"
import { DirectoryView, type DomainEvent, ServiceAccountId } from "@service-accounts/domain"
import { Console, DateTime, Effect, Option, Schema, Stream } from "effect"
import { UsageError } from "../Errors.js"
import * as Render from "../Render.js"
import { foldDirectory, printLines } from "./replay.js"
import { domainEvents, FindingsReported, format, openSource, organization, sourceOptions } from "./shared.js"

const at = Options.text("at").pipe(
  Options.withPseudoName("<ISO time>"),
  Options.withSchema(
    Schema.DateTimeUtc.annotations({ message: () => "--at must be an ISO-8601 time, such as 2026-11-28T09:30:00Z" })
  ),
  Options.withDescription("The state after every event that occurred at or before this ISO-8601 time."),
  Options.optional
)

const Position = Schema.BigInt.annotations({ message: () => "--position must be a whole number" }).pipe(
  Schema.nonNegativeBigInt({ message: () => "--position must be 0 or more" })
)

const position = Options.text("position").pipe(
  Options.withPseudoName("<n>"),
  Options.withSchema(Position),
  Options.withDescription("The state after every event up to and including this position."),
  Options.optional
)

const account = Options.text("account").pipe(
  Options.withPseudoName("<service account id>"),
  Options.withSchema(
    ServiceAccountId.annotations({ message: () => "--account must be a service account id (a UUID)" })
  ),
  Options.withDescription("Show this service account and the tokens valid at that point."),
  Options.optional
)

type Point =
  | { readonly _tag: "At"; readonly at: DateTime.Utc }
  | { readonly _tag: "Position"; readonly position: bigint }

const describePoint = (point: Point) =>
  point._tag === "At" ? `at ${DateTime.formatIso(point.at)}` : `at position ${point.position}`

/** The events up to the point: by position (they come in position order), or by the time they occurred. */
const upTo = <E>(events: Stream.Stream<DomainEvent, E>, point: Point): Stream.Stream<DomainEvent, E> =>
  point._tag === "Position"
    ? Stream.takeWhile(events, (event) => event.position <= point.position)
    : Stream.filter(events, (event) => DateTime.lessThanOrEqualTo(event.event.occurredAt, point.at))

const findAccount = (state: DirectoryView.DirectoryViewState, id: ServiceAccountId) => {
  for (const directory of DirectoryView.organizations(state)) {
    const found = DirectoryView.account(directory, id)
    if (Option.isSome(found)) return { directory, account: found.value }
  }
  return undefined
}

const accountSummary = (point: Point, id: ServiceAccountId, state: DirectoryView.DirectoryViewState) => {
  const found = findAccount(state, id)
  if (found === undefined) {
    return {
      id,
      text: [`Service account ${id} did not exist ${describePoint(point)}: no token of it was valid.`],
      json: null
    }
  }
  const { account, directory } = found
  const valid = account.status === "active" ? account.tokens.filter((token) => token.status === "active") : []
  const text = [
    `Service account "${account.name}" (${account.serviceAccountId}) of ${directory.organizationId} was ${account.status} ${describePoint(point)}.`,
    valid.length === 0 ? "No token of it was valid." : `Tokens valid ${describePoint(point)}: ${valid.length}`,
    ...valid.map((token) => `  ${Render.tokenLine(token)}`)
  ]
  return { id, text, json: { account: Render.accountJson(account), validTokens: valid.map(Render.tokenJson) } }
}

/** The command. */
export const asOf = Command.make(
  "as-of",
  { ...sourceOptions, at, position, account, organization, format },
  (options) =>
    Effect.gen(function* () {
      const point: Point | undefined = Option.isSome(options.at)
        ? Option.isSome(options.position)
          ? undefined
          : { _tag: "At", at: options.at.value }
        : Option.isSome(options.position)
          ? { _tag: "Position", position: options.position.value }
          : undefined
      if (point === undefined)
        return yield* new UsageError({ reason: "give exactly one of --at <ISO time> and --position <n>" })
      const source = yield* openSource(options)
      let applied = 0
      let last: bigint | undefined
      const counted = Stream.tap(upTo(domainEvents(source, "replaying"), point), (event) =>
        Effect.sync(() => {
          applied++
          last = event.position
        })
      )
      const state = yield* foldDirectory(counted)
      const directories = Render.organizations(state, Option.getOrUndefined(options.organization))
      const summary = Option.map(options.account, (id) => accountSummary(point, id, state))
      const heading = `As of ${point._tag === "At" ? DateTime.formatIso(point.at) : `position ${point.position}`}: ${applied} event(s) applied${last === undefined ? "" : `, the last at position ${last}`}.`
      const asOfJson = {
        asOf: point._tag === "At" ? { at: DateTime.formatIso(point.at) } : { position: String(point.position) },
        eventsApplied: applied,
        ...(last === undefined ? {} : { lastPosition: String(last) })
      }
      if (Option.isSome(summary)) {
        yield* Console.log(
          options.format === "json"
            ? Render.json({ ...asOfJson, ...(summary.value.json ?? { account: null, validTokens: [] }) })
            : [heading, ...summary.value.text].join("\n")
        )
        // Not found is a finding, as for `token`: the answer is printed, and the exit code says it.
        if (summary.value.json === null) {
          return yield* new FindingsReported({
            summary: `service account ${summary.value.id} did not exist ${describePoint(point)}`
          })
        }
      } else if (options.format === "json") {
        yield* printLines(Render.directoryJsonLines(directories, asOfJson))
      } else {
        yield* Console.log(heading)
        yield* printLines(Render.directoryLines(directories))
      }
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Show the directory as it stood at a time (--at) or a position (--position); with --account, the tokens of that account valid then."
  )
)
