/**
 * `sa-audit check`: the invariants I1–I9 over the whole history, each violation with its position.
 */
import { Command } from "@effect/cli"
import { isDirectoryStream, makeInvariantChecker, Upcasting } from "@service-accounts/domain"
import { Console, Effect, Either, Stream } from "effect"
import * as Content from "../Content.js"
import * as Render from "../Render.js"
import { FindingsReported, format, NOTHING, openSource, sourceOptions } from "./shared.js"

/** The command. */
export const check = Command.make("check", { ...sourceOptions, format }, (options) =>
  Effect.gen(function* () {
    const source = yield* openSource(options)
    const checker = makeInvariantChecker()
    // The content check decodes each event once; the checker takes it as decoded (upcast to today's schemas).
    const content = Content.checker()
    let events = 0
    const directories = new Set<string>()
    // Checked in the step that read each chunk: no event is held by the stream.
    const checked = source.mapChunks({ check: content.check, label: "checking" }, (chunk) => {
      for (const event of chunk) {
        if (!isDirectoryStream(event.streamId)) continue
        events++
        directories.add(event.streamId)
        const decoded = content.decoded(event)
        checker.next(
          Either.getOrElse(Upcasting.upcast(event), () => event),
          Either.isRight(decoded) ? decoded.right : undefined
        )
      }
      return NOTHING
    })
    yield* Stream.runDrain(checked)
    const violations = checker.finish()
    if (options.format === "json") {
      yield* Console.log(
        Render.json({ events, directories: directories.size, violations: violations.map(Render.violationJson) })
      )
    } else {
      for (const violation of violations) yield* Console.log(Render.violationLine(violation))
      yield* Console.log(
        violations.length === 0
          ? `Checked ${events} event(s) of ${directories.size} organisation(s): no violation of invariants I1–I9.`
          : `${violations.length} violation(s) in ${events} event(s) of ${directories.size} organisation(s).`
      )
    }
    if (violations.length > 0) {
      return yield* new FindingsReported({ summary: `${violations.length} invariant violation(s)` })
    }
  }).pipe(Effect.scoped)
).pipe(Command.withDescription("Check the invariants I1–I9 over the whole history; exit 1 with each violation if any."))
