/**
 * `sa-audit verify`: tamper evidence — every directory's digest chain, and with `--public-key` every signed
 * checkpoint (forged ones, a key that is not the signer's, and a history rewritten or truncated behind one), how far
 * the signed checkpoints cover the history, and (`--require-signed`, `--expect-checkpoint`) what must be signed.
 */
import { Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { IntegrityCheckpoints, IntegrityVerification } from "@service-accounts/domain"
import { Console, Effect, Either, Option, ParseResult, Schema, Stream } from "effect"
import { FileProblem, UsageError } from "../Errors.js"
import * as Render from "../Render.js"
import type { SourceError } from "../Source.js"
import { FindingsReported, format, NOTHING, openSource, sourceOptions } from "./shared.js"

const publicKey = Options.file("public-key").pipe(
  Options.withPseudoName("<public key .pem>"),
  Options.withDescription(
    "The Ed25519 public key (PEM) that checkpoints are signed for. Without it, checkpoints are not checked."
  ),
  Options.optional
)

const requireSigned = Options.boolean("require-signed").pipe(
  Options.withDescription(
    "Events that no signed checkpoint covers, and a history without one, are findings (needs --public-key)."
  )
)

const Checkpoint = Schema.Union(
  Schema.Struct({ position: Schema.BigIntFromSelf }),
  Schema.Struct({ digest: Schema.String })
)

const Expected = Schema.transformOrFail(Schema.String, Checkpoint, {
  strict: true,
  decode: (text, _, ast) =>
    /^(0|[1-9][0-9]{0,19})$/.test(text)
      ? ParseResult.succeed({ position: BigInt(text) })
      : /^[0-9a-f]{64}$/.test(text)
        ? ParseResult.succeed({ digest: text })
        : ParseResult.fail(new ParseResult.Type(ast, text)),
  encode: (value, _, ast) => ParseResult.fail(new ParseResult.Forbidden(ast, value))
})

const expectCheckpoint = Options.text("expect-checkpoint").pipe(
  Options.withPseudoName("<position or digest>"),
  Options.withDescription(
    "A checkpoint noted at the last audit (its position or digest): a history that no longer holds it is a finding. Repeat it for each directory (needs --public-key)."
  ),
  Options.repeated,
  Options.withSchema(
    Schema.mutable(Schema.Array(Expected)).annotations({
      message: () => ({
        message:
          "--expect-checkpoint must be a checkpoint's position (digits) or its digest (64 hex digits), as verify printed them",
        override: true
      })
    })
  )
)

const readPublicKey = (path: string) =>
  Effect.gen(function* () {
    const fs = yield* FileSystem.FileSystem
    const text = yield* Effect.mapError(
      fs.readFileString(path),
      (error) =>
        new FileProblem({
          path,
          reason: error._tag === "SystemError" && error.reason === "NotFound" ? "no such file" : error.message
        })
    )
    return yield* Either.mapLeft(
      IntegrityCheckpoints.verificationKey(text),
      (error) =>
        new UsageError({
          reason: error.privateKey
            ? `--public-key ${path}: ${error.reason}`
            : `--public-key ${path} is not an Ed25519 public key in PEM format`
        })
    )
  })

const summaryLines = (report: IntegrityVerification.VerificationReport, keyGiven: boolean): Array<string> => {
  const lines: Array<string> = []
  const keyMismatch = report.findings.some((finding) => finding.kind === "key-mismatch")
  const tampering = report.totalFindings - (keyMismatch ? 1 : 0)
  lines.push(
    `Verified ${report.events} event(s): ${report.directories} directory chain(s), ${report.checkpoints} signed checkpoint(s).`
  )
  if (!keyGiven && report.uncheckedCheckpoints > 0) {
    lines.push(`${report.uncheckedCheckpoints} checkpoint(s) not checked: give --public-key to check them.`)
  }
  if (keyGiven && report.checkpoints === 0) {
    lines.push("No signed checkpoint: a removed tail or a rewritten history cannot be detected.")
  }
  if (report.uncoveredEvents > 0) {
    lines.push(
      `${report.uncoveredEvents} event(s) not covered by any signed checkpoint${keyGiven ? "" : " (without --public-key, none is)"}:`,
      ...report.uncovered.map(Render.uncoveredLine)
    )
  } else if (report.directories > 0) {
    lines.push("Every event is covered by a signed checkpoint.")
  }
  if (keyMismatch) {
    lines.push(
      "WRONG KEY? The public key does not match the signer of any checkpoint: check that it is the key the checkpoints are signed with; if it is, every checkpoint was replaced."
    )
  }
  if (tampering > 0) lines.push(`TAMPERING: ${tampering} finding(s).`)
  else if (!keyMismatch) lines.push("No tampering found.")
  if (report.latest.length > 0) {
    lines.push(
      "Latest checkpoints (note them: a later audit passes --expect-checkpoint <position> to require them again):",
      ...report.latest.map(Render.checkpointLine)
    )
  }
  return lines
}

/** The command. */
export const verify = Command.make(
  "verify",
  { ...sourceOptions, publicKey, requireSigned, expectCheckpoint, format },
  (options) =>
    Effect.gen(function* () {
      const expected: ReadonlyArray<IntegrityVerification.ExpectedCheckpoint> = options.expectCheckpoint
      if (Option.isNone(options.publicKey) && (options.requireSigned || expected.length > 0)) {
        return yield* new UsageError({
          reason:
            "--require-signed and --expect-checkpoint need --public-key: only a valid signature vouches for a checkpoint"
        })
      }
      const key = Option.isSome(options.publicKey) ? yield* readPublicKey(options.publicKey.value) : undefined
      const source = yield* openSource(options)
      // Tamper evidence judges the stored bytes, so events are not required to decode: an edit that breaks an
      // event's schema is reported as an edit, not as unreadable input.
      // Verified in the step that read each chunk: no event is held by the stream.
      const read: IntegrityVerification.HistoryReader<SourceError, never> = (onChunk) =>
        Stream.runDrain(
          source.mapChunks({ label: "verifying" }, (events) => {
            onChunk(events)
            return NOTHING
          })
        )
      const report = yield* IntegrityVerification.verifyHistoryWith(read, {
        publicKey: key,
        requireSigned: options.requireSigned,
        expectCheckpoints: expected
      })
      if (options.format === "json") {
        yield* Console.log(
          Render.json({
            events: report.events,
            directories: report.directories,
            checkpoints: report.checkpoints,
            uncheckedCheckpoints: report.uncheckedCheckpoints,
            passes: report.passes,
            totalFindings: report.totalFindings,
            findings: report.findings.map(Render.findingJson),
            uncoveredEvents: report.uncoveredEvents,
            uncovered: report.uncovered.map(Render.uncoveredJson),
            latestCheckpoints: report.latest.map(Render.checkpointJson)
          })
        )
      } else {
        const lines = report.findings.map(Render.findingLine)
        if (report.totalFindings > report.findings.length) {
          lines.push(`…and ${report.totalFindings - report.findings.length} more finding(s)`)
        }
        yield* Console.log([...lines, ...summaryLines(report, key !== undefined)].join("\n"))
      }
      if (report.totalFindings > 0) {
        const onlyTheKey = report.totalFindings === 1 && report.findings[0]?.kind === "key-mismatch"
        return yield* new FindingsReported({
          summary: onlyTheKey
            ? "the public key does not match the signer of any checkpoint"
            : `${report.totalFindings} tamper-evidence finding(s)`
        })
      }
    }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Verify tamper evidence: digest chains, and with --public-key the signed checkpoints and what they cover; exit 1 with each finding if any."
  )
)
