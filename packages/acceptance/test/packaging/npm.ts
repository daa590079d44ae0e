/**
 * npm in scratch projects outside the workspace, as a user runs it: the machine's npm configuration (its registry),
 * none of the workspace's, and a failure that comes from having no registry told apart from every other.
 */
import { execFile } from "node:child_process"
import { mkdirSync, writeFileSync } from "node:fs"
import { join } from "node:path"

/** What a command answered. */
export interface Outcome {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** npm settings passed through the environment that say how to reach the registry (and where npm's cache is). */
const registryAccess = /^npm_config_(.*registry|cafile|ca|cert|key|strict_ssl|proxy|https_proxy|noproxy|cache)$/i

/**
 * The environment without the variables pnpm and vitest set for the scripts they run: pnpm exports its whole
 * configuration as `npm_config_*` (the workspace's settings among it), which npm would take as its own. Only the
 * settings for reaching the registry are kept; npm reads the rest from the user's configuration files itself.
 */
export const userEnvironment = (): NodeJS.ProcessEnv =>
  Object.fromEntries(
    Object.entries(process.env).filter(
      ([key]) => registryAccess.test(key) || !/^(npm_|pnpm_|PNPM_|VITEST|NODE_OPTIONS$)/i.test(key)
    )
  )

/** Runs a command to its end, whatever its exit code (a refusal is an answer these tests read). */
export const runCommand = (command: string, args: ReadonlyArray<string>, cwd: string): Promise<Outcome> =>
  new Promise((resolve) => {
    execFile(
      command,
      [...args],
      { cwd, env: userEnvironment(), encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1
        resolve({ code, stdout, stderr: error !== null && stderr === "" ? error.message : stderr })
      }
    )
  })

// Quiet, and from the local cache where it already holds what is asked. A registry that does not answer is given a
// couple of quick retries per request, not npm's default of minutes of back-off, so that the tests learn it soon.
const npmFlags = [
  "--no-audit",
  "--no-fund",
  "--no-update-notifier",
  "--prefer-offline",
  "--fetch-retries=2",
  "--fetch-retry-mintimeout=1000",
  "--fetch-retry-maxtimeout=5000",
  "--fetch-timeout=60000"
]

/** `npm install …` in `dir`. */
export const npmInstall = (dir: string, args: ReadonlyArray<string>): Promise<Outcome> =>
  runCommand("npm", ["install", ...npmFlags, ...args], dir)

/**
 * Whether npm can get `spec`'s metadata (from its cache or its registry): asked once before installing, so that a
 * machine without a registry learns it from one request rather than from each of an install's hundred.
 */
export const npmView = (dir: string, spec: string): Promise<Outcome> =>
  runCommand("npm", ["view", ...npmFlags, spec, "version"], dir)

/** Other npm commands in `dir` (`ls`, `exec`, …). */
export const npm = (dir: string, args: ReadonlyArray<string>): Promise<Outcome> => runCommand("npm", [...args], dir)

const networkFailure =
  /npm error (code|errno) (ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|EHOSTUNREACH|ENETDOWN|ENOTCACHED)\b|npm error network /

/** Why an npm command could not reach a registry, when that is why it failed. */
export const unreachableRegistry = (outcome: Outcome): string | undefined => {
  if (outcome.code === 0) return undefined
  const match = networkFailure.exec(outcome.stderr)
  return match === null ? undefined : `npm could not reach its registry (${match[0].replace("npm error ", "")})`
}

/** A new project folder holding only `package.json` (a private project named `name`, with `fields`). */
export const scratchProject = (dir: string, name: string, fields: Readonly<Record<string, unknown>> = {}): string => {
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, "package.json"), `${JSON.stringify({ name, private: true, ...fields }, null, 2)}\n`)
  return dir
}

/** An npm failure as a readable message: the command's exit code and npm's own error lines. */
export const describeFailure = (what: string, outcome: Outcome): string =>
  `${what} exited ${outcome.code}:\n${outcome.stderr
    .split("\n")
    .filter((line) => !line.startsWith("npm warn"))
    .join("\n")}\n${outcome.stdout}`
