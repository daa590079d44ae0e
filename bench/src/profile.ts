/**
 * `pnpm --filter @service-accounts/bench profile [issueToken|replay|authenticate ...]`: CPU profiles of the
 * library's side of each workload (the timed part only, after a warm-up), written as `.cpuprofile` files (open
 * them in Chrome DevTools or speedscope) and summarised: top functions by self time, self time by file, and our
 * own functions by inclusive time.
 *
 * It runs WITHOUT `--conditions=source`, so the workspace packages load from their `dist` builds, whose function
 * names and line numbers are readable (tsx's on-the-fly output is one line per file). Build first: `pnpm build`.
 *
 * Options (environment): `PROFILE_OUT` (default `./profiles`), `PROFILE_HISTORIES` (default `0,100000`),
 * `PROFILE_COMMANDS` (3000), `PROFILE_EVENTS` (200000), `PROFILE_TOKENS` (100000), `PROFILE_CALLS` (300000).
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from "node:fs"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join, resolve } from "node:path"
import { formatSummary, readProfile } from "./cpuprofile.js"
import { profilingProbe } from "./profiler.js"
import * as Authenticate from "./workloads/authenticate.js"
import * as Commands from "./workloads/commands.js"
import { writeNdjson } from "./workloads/replay.js"
import { replayOurs } from "./workloads/replay-ours.js"

const env = process.env
const out = resolve(env.PROFILE_OUT ?? "profiles")
const histories = (env.PROFILE_HISTORIES ?? "0,100000").split(",").map(Number)
const commands = Number(env.PROFILE_COMMANDS ?? 3000)
const events = Number(env.PROFILE_EVENTS ?? 200_000)
const tokens = Number(env.PROFILE_TOKENS ?? 100_000)
const calls = Number(env.PROFILE_CALLS ?? 300_000)
const workloads = new Set(
  process.argv.slice(2).length > 0 ? process.argv.slice(2) : ["issueToken", "replay", "authenticate"]
)

/** Warns when a package's build is older than its sources: the profile would describe old code. */
const checkBuild = (name: string): void => {
  const dist = createRequire(import.meta.url).resolve(name)
  const src = join(dirname(dirname(dist)), "src")
  const newest = (dir: string): number => {
    let latest = 0
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs)
    }
    return latest
  }
  if (newest(src) > statSync(dist).mtimeMs) {
    console.warn(
      `WARNING: ${name}'s dist is older than its src; run \`pnpm build\` first or the profile shows old code`
    )
  }
}

const report = (title: string, file: string, rate: string): void => {
  console.log(`\n=== ${title}: ${rate} (profile ${file})\n`)
  console.log(formatSummary(readProfile(file), 30))
}

const main = async (): Promise<void> => {
  checkBuild("@service-accounts/domain")
  checkBuild("@service-accounts/store-memory")
  mkdirSync(out, { recursive: true })
  if (workloads.has("issueToken")) {
    for (const history of histories) {
      const subject = await Commands.oursSubject(Commands.benchHistory(history))
      // Effect's run loop needs a few thousand commands before its speed settles.
      await subject.run(3000, 0)
      const file = join(out, `issueToken-H${history}.cpuprofile`)
      const measured = await subject.run(commands, 1, profilingProbe(file))
      await subject.close()
      report(`issueToken, H = ${history}`, file, `${Math.round(measured.perSecond)} commands/s while profiled`)
    }
  }
  if (workloads.has("replay")) {
    const dir = mkdtempSync(join(tmpdir(), "sa-profile-"))
    try {
      const path = join(dir, "history.ndjson")
      writeNdjson(path, events)
      const file = join(out, "replay.cpuprofile")
      const probe = profilingProbe(file)
      await probe.start()
      const summary = await replayOurs(path)
      await probe.stop()
      report(
        `replay of ${summary.events} events`,
        file,
        `${Math.round(summary.eventsPerSecond)} events/s while profiled`
      )
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  if (workloads.has("authenticate")) {
    const subject = await Authenticate.oursSubject(Authenticate.authenticateFixture(tokens))
    await subject.run(20_000)
    const file = join(out, "authenticate.cpuprofile")
    const measured = await subject.run(calls, profilingProbe(file))
    await subject.close()
    report(`authenticate over ${tokens} tokens`, file, `${Math.round(measured.perSecond)} calls/s while profiled`)
  }
}

main().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
