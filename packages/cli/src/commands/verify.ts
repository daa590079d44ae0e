/**
 * `sa-audit verify`: tamper evidence — every directory's digest chain, and with `--public-key` every signed
 * checkpoint (forged ones, and a history rewritten or truncated behind one).
 */
import { createPublicKey, type KeyObject } from "node:crypto"
import { Command, Options } from "@effect/cli"
import * as FileSystem from "@effect/platform/FileSystem"
import { IntegrityVerification } from "@service-accounts/domain"
import { Console, Effect, Option } from "effect"
import { FileProblem, UsageError } from "../Errors.js"
import * as Render from "../Render.js"
import { FindingsReported, format, openSource, sourceOptions } from "./shared.js"

const publicKey = Options.file("public-key").pipe(
  Options.withDescription(
    "The Ed25519 public key (PEM) that checkpoints are signed for. Without it, checkpoints are not checked."
  ),
  Options.optional
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
    return yield* Effect.try({
      try: (): KeyObject => {
        const key = createPublicKey(text)
        if (key.asymmetricKeyType !== "ed25519") throw new Error("not Ed25519")
        return key
      },
      catch: () => new UsageError({ reason: `${path} is not an Ed25519 public key in PEM format` })
    })
  })

/** The command. */
export const verify = Command.make("verify", { ...sourceOptions, publicKey, format }, (options) =>
  Effect.gen(function* () {
    const key = Option.isSome(options.publicKey) ? yield* readPublicKey(options.publicKey.value) : undefined
    const source = yield* openSource(options)
    // Tamper evidence judges the stored bytes, so events are not required to decode: an edit that breaks an
    // event's schema is reported as an edit, not as unreadable input.
    const report = yield* IntegrityVerification.verifyHistory(source.events({ label: "verifying" }), {
      publicKey: key
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
          latestCheckpoints: report.latestCheckpoints
        })
      )
    } else {
      const lines: Array<string> = []
      for (const finding of report.findings) lines.push(Render.findingLine(finding))
      if (report.totalFindings > report.findings.length) {
        lines.push(`…and ${report.totalFindings - report.findings.length} more finding(s)`)
      }
      lines.push(
        `Verified ${report.events} event(s): ${report.directories} directory chain(s), ${report.checkpoints} signed checkpoint(s).`
      )
      if (key === undefined && report.uncheckedCheckpoints > 0) {
        lines.push(`${report.uncheckedCheckpoints} checkpoint(s) not checked: give --public-key to check them.`)
      }
      if (key !== undefined && report.checkpoints === 0) {
        lines.push("No signed checkpoint: a removed tail or a rewritten history cannot be detected.")
      }
      lines.push(report.totalFindings === 0 ? "No tampering found." : `TAMPERING: ${report.totalFindings} finding(s).`)
      if (report.latestCheckpoints.length > 0) {
        lines.push("Latest checkpoints (note them: a later audit must find them again):")
        for (const checkpoint of report.latestCheckpoints) {
          lines.push(
            `  ${checkpoint.streamId}  revision ${checkpoint.revision}  digest ${checkpoint.digest}  signed ${checkpoint.createdAt}`
          )
        }
      }
      yield* Console.log(lines.join("\n"))
    }
    if (report.totalFindings > 0) {
      return yield* new FindingsReported({ summary: `${report.totalFindings} tamper-evidence finding(s)` })
    }
  }).pipe(Effect.scoped)
).pipe(
  Command.withDescription(
    "Verify tamper evidence: digest chains, and with --public-key the signed checkpoints; exit 1 with each finding if any."
  )
)
