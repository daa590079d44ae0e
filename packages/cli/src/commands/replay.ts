/**
 * `sa-audit replay`: folds the whole history into the directory view, or prints the audit trail as it streams by.
 */
import { Command, Options } from "@effect/cli"
import { AuditTrail, applyEvents, DirectoryView, type DomainEvent } from "@service-accounts/domain"
import { Console, Effect, Option, Stream } from "effect"
import * as JsonText from "../JsonText.js"
import * as Render from "../Render.js"
import type { OpenedSource } from "../Source.js"
import { format, mapDomainChunks, openSource, organization, sourceOptions } from "./shared.js"

const view = Options.choice("view", ["directory", "audit"]).pipe(
  Options.withDescription("What to replay: the directory view (default) or the audit trail."),
  Options.withDefault("directory")
)

/** Prints lines as they are made, a thousand to a write: a large directory is never one string in memory. */
export const printLines = (lines: Iterable<string>): Effect.Effect<void> =>
  Effect.suspend(() => {
    const iterator = lines[Symbol.iterator]()
    // The next thousand lines, made synchronously (a step of a stream per line would cost more than the line).
    const batch = (): string | undefined => {
      const taken: Array<string> = []
      for (let next = iterator.next(); next.done !== true; next = iterator.next()) {
        taken.push(next.value)
        if (taken.length === 1000) break
      }
      return taken.length === 0 ? undefined : taken.join("\n")
    }
    const loop: Effect.Effect<void> = Effect.suspend(() => {
      const text = batch()
      return text === undefined ? Effect.void : Effect.zipRight(Console.log(text), loop)
    })
    return loop
  })

/** Folds a stream of domain events into the directory view, a chunk at a time (no state per event). */
export const foldDirectory = <E>(
  events: Stream.Stream<DomainEvent, E>
): Effect.Effect<DirectoryView.DirectoryViewState, E> =>
  Effect.suspend(() => {
    let state = DirectoryView.projection.initialState
    return Stream.runForEachChunk(events, (chunk) =>
      Effect.sync(() => {
        state = applyEvents(DirectoryView.projection, state, chunk)
      })
    ).pipe(Effect.map(() => state))
  })

const replayDirectory = (source: OpenedSource, options: { format: string; organization: Option.Option<string> }) =>
  Effect.gen(function* () {
    // Folded in the step that read each chunk: no event is held by the stream.
    let state = DirectoryView.projection.initialState
    yield* Stream.runDrain(
      mapDomainChunks(source, "replaying", (events) => {
        state = applyEvents(DirectoryView.projection, state, events)
        return []
      })
    )
    const directories = Render.organizations(state, Option.getOrUndefined(options.organization))
    yield* printLines(
      options.format === "json" ? Render.directoryJsonLines(directories) : Render.directoryLines(directories)
    )
  })

const replayAudit = (source: OpenedSource, options: { format: string; organization: Option.Option<string> }) =>
  Effect.gen(function* () {
    const only = Option.getOrUndefined(options.organization)
    const json = options.format === "json"
    let first = true
    let count = 0
    if (json) yield* Console.log("[")
    // Each chunk's lines made in the step that read it, and printed as one write: one write per event would cost
    // more than the event.
    const texts = mapDomainChunks(source, "replaying", (events) => {
      const lines: Array<string> = []
      for (const event of events) {
        if (only !== undefined && event.event.organizationId !== only) continue
        const entry = AuditTrail.entry(event)
        lines.push(json ? `${first ? "" : ","}${JsonText.auditEntry(entry)}` : Render.auditLine(entry))
        first = false
        count++
      }
      return lines.length === 0 ? [] : [lines.join("\n")]
    })
    yield* Stream.runForEach(texts, (text) => Console.log(text))
    if (json) yield* Console.log("]")
    else if (count === 0) yield* Console.log("(no events)")
  })

/** The command. */
export const replay = Command.make("replay", { ...sourceOptions, view, format, organization }, (options) =>
  Effect.scoped(
    Effect.flatMap(openSource(options), (source) =>
      options.view === "directory" ? replayDirectory(source, options) : replayAudit(source, options)
    )
  )
).pipe(Command.withDescription("Replay the history: print the directory view or the audit trail."))
