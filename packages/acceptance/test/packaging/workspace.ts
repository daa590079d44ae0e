/**
 * The workspace's publishable packages, their manifests, and `pnpm pack` of each, as a release would make them.
 */
import { execFile } from "node:child_process"
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { promisify } from "node:util"

const run = promisify(execFile)

/** The repository's root directory. */
export const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..", "..")

/** The fields of a `package.json` these tests read. */
export interface Manifest {
  readonly name: string
  readonly version: string
  readonly private?: boolean
  readonly license?: string
  readonly sideEffects?: boolean | ReadonlyArray<string>
  readonly files?: ReadonlyArray<string>
  readonly bin?: Readonly<Record<string, string>>
  readonly exports?: unknown
  readonly publishConfig?: { readonly exports?: unknown }
  readonly scripts?: Readonly<Record<string, string>>
  readonly dependencies?: Readonly<Record<string, string>>
  readonly peerDependencies?: Readonly<Record<string, string>>
  readonly devDependencies?: Readonly<Record<string, string>>
}

/** A workspace package that is published. */
export interface Publishable {
  /** Its folder. */
  readonly dir: string
  readonly manifest: Manifest
}

/** A publishable package packed: where its tarball is and what it holds. */
export interface Packed extends Publishable {
  readonly tarball: string
  readonly files: ReadonlyArray<string>
}

export const readManifest = (dir: string): Manifest => JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))

/** The folders `pnpm-workspace.yaml` names (`packages/*`, `examples/*`, `bench`). */
const workspaceFolders = (): Array<string> => {
  const globs = [...readFileSync(join(repositoryRoot, "pnpm-workspace.yaml"), "utf8").matchAll(/^\s+-\s+"([^"]+)"/gm)]
  return globs.flatMap(([, glob = ""]) => {
    if (!glob.endsWith("/*")) return [join(repositoryRoot, glob)]
    const parent = join(repositoryRoot, glob.slice(0, -2))
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name))
  })
}

/** Every workspace package not marked private, by name. */
export const publishablePackages = (): Array<Publishable> =>
  workspaceFolders()
    .filter((dir) => existsSync(join(dir, "package.json")))
    .map((dir) => ({ dir, manifest: readManifest(dir) }))
    .filter((p) => p.manifest.private !== true)
    .sort((a, b) => a.manifest.name.localeCompare(b.manifest.name))

/** Whether every publishable package has been built (`pnpm test` builds before it tests). */
export const everyPackageBuilt = (packages: ReadonlyArray<Publishable>): boolean =>
  packages.every((p) => existsSync(join(p.dir, "dist")))

/**
 * `pnpm pack` of each package into `destination`. Its `prepack` (a build) is not run: `pnpm test` has built
 * everything, and rebuilding here would rewrite `dist` under the other tests that are reading it.
 */
export const packAll = (packages: ReadonlyArray<Publishable>, destination: string): Promise<Array<Packed>> => {
  mkdirSync(destination, { recursive: true })
  return Promise.all(
    packages.map(async (p): Promise<Packed> => {
      const { stdout } = await run(
        "pnpm",
        ["pack", "--json", "--config.ignore-scripts=true", "--pack-destination", destination],
        { cwd: p.dir, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 }
      )
      const report: { filename: string; files: Array<{ path: string }> } = JSON.parse(stdout)
      return { ...p, tarball: report.filename, files: report.files.map((f) => f.path) }
    })
  )
}

/** The `package.json` a tarball holds (what the registry and every installer read). */
export const packedManifest = async (tarball: string): Promise<Manifest> => {
  const { stdout } = await run("tar", ["-xzOf", tarball, "package/package.json"], {
    encoding: "utf8",
    maxBuffer: 16 * 1024 * 1024
  })
  return JSON.parse(stdout)
}

/** A file a tarball holds, as text. */
export const packedText = async (tarball: string, path: string): Promise<string> =>
  (await run("tar", ["-xzOf", tarball, `package/${path}`], { encoding: "utf8", maxBuffer: 64 * 1024 * 1024 })).stdout
