/**
 * The packages as a user gets them: every publishable package packed with `pnpm pack`, the tarballs linted
 * (publint, "are the types wrong"), then installed with npm into new projects outside the workspace, where the
 * README's embedding snippet runs and type-checks, the CLI installs alone without a test framework, and a project
 * on Effect 4 is refused at install.
 *
 * npm fetches what the tarballs depend on (Effect 3 among them) from the machine's registry, from its cache when it
 * can: with no registry to reach, the tests that need one are skipped, saying why.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs"
import { rm } from "node:fs/promises"
import { createRequire } from "node:module"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { publint } from "publint"
import { formatMessage } from "publint/utils"
import { embeddingSnippet, emit } from "./packaging/embedding.js"
import {
  describeFailure,
  npm,
  npmInstall,
  npmView,
  type Outcome,
  runCommand,
  scratchProject,
  unreachableRegistry
} from "./packaging/npm.js"
import {
  everyPackageBuilt,
  type Manifest,
  type Packed,
  packAll,
  packedManifest,
  publishablePackages,
  repositoryRoot
} from "./packaging/workspace.js"

const here = dirname(fileURLToPath(import.meta.url))
const consumer = join(here, "consumer")
const resolve = createRequire(import.meta.url).resolve
const tsc = resolve("typescript/bin/tsc")
const attw = join(dirname(resolve("@arethetypeswrong/cli/package.json")), "dist", "index.js")

const packages = publishablePackages()
const names = packages.map((p) => p.manifest.name)
const cliName = "@service-accounts/cli"
const built = everyPackageBuilt(packages)
/** The Effect versions the packages take (the domain's peer range; every package's is the same, packages.test.ts). */
const effectRange = packages.find((p) => p.manifest.name === "@service-accounts/domain")?.manifest.peerDependencies
  ?.effect
const scratch = mkdtempSync(join(tmpdir(), "sa-packaging-"))

/** Generous limits for a loaded two-core machine; the whole file takes about a minute even on a busy one. */
const slow = 300_000

afterAll(() => rm(scratch, { recursive: true, force: true }), slow)

/** An npm install that has finished: where, and what npm answered. */
interface Installed {
  readonly dir: string
  readonly outcome: Outcome
}

/**
 * How the README's snippet is type-checked: NodeNext (as an ES module and as CommonJS) and bundler resolution.
 * The declaration files themselves are checked in full (no skipLibCheck) by packages.test.ts, on the same built
 * files; here the snippet is checked against them as the published manifests resolve them.
 */
const typeCheckModes = [
  {
    label: "NodeNext, as ES module and as CommonJS",
    module: "NodeNext",
    resolution: "NodeNext",
    files: ["readme-embedding.mts", "readme-embedding.cts"]
  },
  { label: "bundler resolution", module: "Preserve", resolution: "Bundler", files: ["readme-embedding.ts"] }
] as const

type TypeCheckMode = (typeof typeCheckModes)[number]

/** `tsc` on the README's snippet and the consumer's type tests (test/consumer/types.*), in `dir`, under `mode`. */
const typeCheck = (dir: string, mode: TypeCheckMode): Promise<Outcome> => {
  for (const file of mode.files) writeFileSync(join(dir, file), embeddingSnippet())
  for (const file of ["types.mts", "types.cts"]) copyFileSync(join(consumer, file), join(dir, file))
  const config = `tsconfig.${mode.resolution.toLowerCase()}.json`
  writeFileSync(
    join(dir, config),
    JSON.stringify({
      compilerOptions: {
        target: "ES2022",
        module: mode.module,
        moduleResolution: mode.resolution,
        strict: true,
        noEmit: true,
        skipLibCheck: true,
        // The library runs on Node and its declarations name Node's types; the workspace's @types/node stands for
        // the consumer's own.
        typeRoots: [join(repositoryRoot, "node_modules", "@types")],
        types: ["node"]
      },
      files: [...mode.files, "types.mts", "types.cts"]
    })
  )
  return runCommand(process.execPath, [tsc, "-p", config], dir)
}

/**
 * Everything slow, started at once in `beforeAll` and awaited by the tests that read it, so that npm's waits on
 * the registry overlap with the linting and the type checks.
 */
interface Started {
  readonly packed: ReadonlyArray<Packed>
  readonly typesReports: ReadonlyMap<string, Promise<Outcome>>
  readonly host: Promise<Installed>
  readonly typeChecks: Promise<ReadonlyMap<string, Promise<Outcome>>>
  readonly cliAlone: Promise<Installed>
  readonly onEffect4: Promise<Installed>
}

const start = async (): Promise<Started> => {
  const packed = await packAll(packages, join(scratch, "tarballs"))
  const tarballs = packed.map((p) => p.tarball)
  const typesReports = new Map(
    packed.map((p) => [p.manifest.name, runCommand(process.execPath, [attw, p.tarball, "--format", "json"], scratch)])
  )
  // Without a registry (nor the packages in npm's cache) every install below would fail; each then stands for the
  // one request that said so, and the tests that need an install are skipped with its reason.
  const registry = await npmView(scratch, `effect@${effectRange}`)
  const installInto = (dir: string, args: ReadonlyArray<string>): Promise<Installed> =>
    unreachableRegistry(registry) === undefined
      ? npmInstall(dir, args).then((outcome) => ({ dir, outcome }))
      : Promise.resolve({ dir, outcome: registry })
  // Every tarball, and nothing else named: npm brings what they depend on, and their peers.
  const host = installInto(scratchProject(join(scratch, "host"), "host"), tarballs)
  const typeChecks = host.then(
    ({ dir, outcome }) =>
      new Map(outcome.code === 0 ? typeCheckModes.map((mode) => [mode.label, typeCheck(dir, mode)] as const) : [])
  )
  // The CLI's tarball is the only thing this project installs; the packages it depends on are not on the registry,
  // so npm is told where their tarballs are, as it would find them there once they are published.
  const cli = packed.filter((p) => p.manifest.name === cliName).map((p) => p.tarball)
  const overrides = Object.fromEntries(
    packed.filter((p) => p.manifest.name !== cliName).map((p) => [p.manifest.name, `file:${p.tarball}`])
  )
  const cliAlone = installInto(scratchProject(join(scratch, "cli-alone"), "cli-alone", { overrides }), cli)
  const onEffect4 = installInto(
    scratchProject(join(scratch, "on-effect-4"), "on-effect-4", { dependencies: { effect: "^4.0.0" } }),
    ["--dry-run", ...tarballs]
  )
  return { packed, typesReports, host, typeChecks, cliAlone, onEffect4 }
}

let started: Started | undefined

const running = (): Started => {
  if (started === undefined) throw new Error("the packages were not packed")
  return started
}

const packedNamed = (name: string): Packed => {
  const found = running().packed.find((p) => p.manifest.name === name)
  if (found === undefined) throw new Error(`${name} was not packed`)
  return found
}

/** The install `promise` stands for, once it succeeded; the test is skipped when npm had no registry to reach. */
const installed = async (
  promise: Promise<Installed>,
  what: string,
  skip: (note: string) => never
): Promise<Installed> => {
  const done = await promise
  const unreachable = unreachableRegistry(done.outcome)
  if (unreachable !== undefined) skip(`${unreachable}: cannot install the tarballs' dependencies`)
  if (done.outcome.code !== 0) throw new Error(describeFailure(what, done.outcome))
  return done
}

/** The JSON a script printed last (the library's own log lines may come before it). */
const lastJsonLine = (stdout: string): unknown => JSON.parse(stdout.trim().split("\n").at(-1) ?? "")

/** A package's `exports` with every `source` condition left out: what its published manifest must say. */
const withoutSourceCondition = (value: unknown): unknown =>
  typeof value !== "object" || value === null
    ? value
    : Object.fromEntries(
        Object.entries(value)
          .filter(([key]) => key !== "source")
          .map(([key, inner]) => [key, withoutSourceCondition(inner)])
      )

describe.skipIf(!built)("the packages as published", () => {
  beforeAll(async () => {
    started = await start()
  }, slow)

  describe.each(names)("%s, packed", (name) => {
    it("has a manifest without the source condition or workspace ranges, with the workspace's exports", async () => {
      const p = packedNamed(name)
      const manifest = await packedManifest(p.tarball)
      const text = JSON.stringify(manifest)
      expect(text).not.toMatch(/"source"\s*:/)
      expect(text).not.toContain("workspace:")
      expect(manifest.exports).toEqual(withoutSourceCondition(p.manifest.exports))
    })

    it("holds its build, its README and the MIT licence, and no sources or tests", () => {
      const p = packedNamed(name)
      expect(p.files).toContain("README.md")
      expect(p.files).toContain("LICENSE")
      expect(p.files.some((file) => file.startsWith("dist/"))).toBe(true)
      expect(p.files.filter((file) => !/^(dist\/|README\.md$|LICENSE$|package\.json$)/.test(file))).toEqual([])
    })

    it("passes publint, suggestions included", async () => {
      const { messages, pkg } = await publint({
        pack: { tarball: new Uint8Array(readFileSync(packedNamed(name).tarball)).buffer },
        level: "suggestion",
        strict: true
      })
      expect(messages.map((message) => formatMessage(message, pkg, { color: false }) ?? message.code)).toEqual([])
    })

    it("passes are-the-types-wrong for every entry point and resolution", async () => {
      const outcome = await running().typesReports.get(name)
      if (outcome === undefined) throw new Error(`${name} was not checked`)
      const report: { analysis?: { problems?: Array<unknown> } } = JSON.parse(outcome.stdout)
      expect(report.analysis?.problems ?? ["no analysis"]).toEqual([])
      expect(outcome.code).toBe(0)
    })
  })

  describe("installed with npm into a new project, naming nothing else", () => {
    it(
      "brings one copy of Effect 3, which every package shares",
      async ({ skip }) => {
        const { dir } = await installed(running().host, "npm install of every tarball", skip)
        const listed = await npm(dir, ["ls", "effect", "--all", "--parseable"])
        const copies = [...new Set(listed.stdout.split("\n").filter((line) => line.trim() !== ""))]
        expect(copies).toEqual([join(dir, "node_modules", "effect")])
        const effect: Manifest = JSON.parse(readFileSync(join(dir, "node_modules", "effect", "package.json"), "utf8"))
        expect(effect.version).toMatch(/^3\./)
      },
      slow
    )

    it.for(["esm", "cjs"] as const)(
      "runs the README's embedding snippet as %s",
      { timeout: slow },
      async (format, { skip }) => {
        const { dir } = await installed(running().host, "npm install of every tarball", skip)
        const extension = format === "esm" ? "mjs" : "cjs"
        writeFileSync(join(dir, `readme-embedding.${extension}`), emit(embeddingSnippet(), format))
        copyFileSync(join(consumer, `embedding-run.${extension}`), join(dir, `embedding-run.${extension}`))
        const outcome = await runCommand(process.execPath, [`embedding-run.${extension}`], dir)
        expect(outcome.stderr).toBe("")
        expect(lastJsonLine(outcome.stdout)).toEqual({ format, authenticated: true })
      }
    )

    it.for(typeCheckModes)(
      "type-checks the README's embedding snippet under $label",
      { timeout: slow },
      async (mode, { skip }) => {
        await installed(running().host, "npm install of every tarball", skip)
        const outcome = await (await running().typeChecks).get(mode.label)
        if (outcome === undefined) throw new Error(`${mode.label}: not type-checked`)
        expect(outcome.stdout).toBe("")
        expect(outcome.code).toBe(0)
      }
    )
  })

  describe("the CLI's tarball installed alone", () => {
    it(
      "brings no test framework (vitest, vite, esbuild, rollup)",
      async ({ skip }) => {
        const { dir } = await installed(running().cliAlone, "npm install of the CLI's tarball", skip)
        const listed = await npm(dir, ["ls", "vitest", "vite", "esbuild", "rollup", "--all", "--parseable"])
        expect(listed.stdout.trim()).toBe("")
      },
      slow
    )

    it(
      "answers `npx sa-audit --version`",
      async ({ skip }) => {
        const { dir } = await installed(running().cliAlone, "npm install of the CLI's tarball", skip)
        const outcome = await npm(dir, ["exec", "--no", "--", "sa-audit", "--version"])
        expect(outcome.code).toBe(0)
        expect(outcome.stdout.trim()).toBe(packedNamed(cliName).manifest.version)
      },
      slow
    )
  })

  it(
    "a project on Effect 4 gets npm's peer conflict (ERESOLVE) at install, not a crash at run time",
    async ({ skip }) => {
      // The refusal only means something once npm has read effect@4 from the registry: without one it refuses the
      // two ranges unread ("Found: effect@undefined").
      await installed(running().host, "npm install of every tarball", skip)
      const { outcome } = await running().onEffect4
      const unreachable = unreachableRegistry(outcome)
      if (unreachable !== undefined) skip(`${unreachable}: cannot resolve effect@4`)
      expect(effectRange).toMatch(/^\^3\./)
      expect(outcome.code).not.toBe(0)
      expect(outcome.stderr).toContain("npm error code ERESOLVE")
      expect(outcome.stderr).toMatch(/Found: effect@4\./)
      expect(outcome.stderr).toContain(`peer effect@"${effectRange}"`)
    },
    slow
  )
})
