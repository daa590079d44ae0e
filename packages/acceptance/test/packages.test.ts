import { execFileSync } from "node:child_process"
import { existsSync, readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"
import { builtEntryOf, loadTimeStatements } from "./packaging/sideEffects.js"
import { publishablePackages, repositoryRoot } from "./packaging/workspace.js"

const here = dirname(fileURLToPath(import.meta.url))
const consumer = join(here, "consumer")
const built = ["domain", "store-memory", "testing"].every((name) =>
  existsSync(join(here, "..", "..", name, "dist", "index.cjs"))
)
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

// The built packages, as a user gets them: `pnpm test` builds before it tests.
describe.skipIf(!built)("the built packages", () => {
  it("import from plain Node as ESM", () => {
    const out = execFileSync(process.execPath, [join(consumer, "esm.mjs")], { encoding: "utf8" })
    expect(JSON.parse(out)).toEqual({ format: "esm", wellFormed: true, account: true })
  })

  it("require from plain Node as CommonJS", () => {
    const out = execFileSync(process.execPath, [join(consumer, "cjs.cjs")], { encoding: "utf8" })
    expect(JSON.parse(out)).toEqual({ format: "cjs", wellFormed: true, account: true })
  })

  it("come with types for both (tsc on an .mts and a .cts consumer, no source condition)", () => {
    execFileSync(process.execPath, [tsc, "-p", join(consumer, "tsconfig.json")], { encoding: "utf8" })
  })
})

// The manifests and files every publishable package is published from; published.test.ts packs and installs them.
describe("the publishable packages' manifests", () => {
  const packages = publishablePackages()
  const names = packages.map((p) => p.manifest.name)
  const named = (name: string) => {
    const found = packages.find((p) => p.manifest.name === name)
    if (found === undefined) throw new Error(`no package ${name}`)
    return found
  }
  const licence = readFileSync(join(repositoryRoot, "LICENSE"), "utf8")
  /** Libraries whose one copy the host and every package share (their tags and classes must be the same objects). */
  const shared = ["effect", "@effect/platform", "@effect/printer", "@effect/printer-ansi", "vitest", "@effect/vitest"]

  it("the repository's licence is MIT, the authors', 2026", () => {
    expect(licence).toMatch(/^MIT License\n\nCopyright \(c\) 2026 the service-accounts authors\n/)
  })

  it.each(names)("%s carries the repository's licence and says MIT", (name) => {
    const p = named(name)
    expect(p.manifest.license).toBe("MIT")
    expect(readFileSync(join(p.dir, "LICENSE"), "utf8")).toBe(licence)
  })

  it.each(names)("%s takes the libraries a host shares as peers, never as dependencies", (name) => {
    const { manifest } = named(name)
    const peers = manifest.peerDependencies ?? {}
    expect(peers.effect).toBe(named("@service-accounts/domain").manifest.peerDependencies?.effect)
    for (const library of shared) {
      expect(manifest.dependencies?.[library], `${library} in dependencies`).toBeUndefined()
      // Each peer is also a dev dependency, so that the workspace builds and tests against it.
      if (peers[library] !== undefined) expect(manifest.devDependencies?.[library], `${library} for dev`).toBeDefined()
    }
  })

  it("Effect 3 is the range every package takes, and the READMEs say so", () => {
    expect(named("@service-accounts/domain").manifest.peerDependencies?.effect).toMatch(/^\^3\.22\.\d+$/)
    const statement = "Effect 3 (`effect@^3.22`)"
    for (const dir of [repositoryRoot, ...packages.map((p) => p.dir)]) {
      expect(readFileSync(join(dir, "README.md"), "utf8"), `${dir}/README.md`).toContain(statement)
    }
    expect(readFileSync(join(repositoryRoot, "README.md"), "utf8")).toContain("ERESOLVE")
  })

  it("the EventStoreDB store takes the client as a peer: the host may pass its own client", () => {
    expect(named("@service-accounts/store-eventstoredb").manifest.peerDependencies?.["@eventstore/db-client"]).toMatch(
      /^\^6\./
    )
  })

  it("the KurrentDB store takes its client as a peer too, and the mapping both share as a dependency", () => {
    const kurrent = named("@service-accounts/store-kurrentdb").manifest
    expect(kurrent.peerDependencies?.["@kurrent/kurrentdb-client"]).toMatch(/^\^1\./)
    expect(kurrent.dependencies?.["@kurrent/kurrentdb-client"]).toBeUndefined()
    for (const store of ["@service-accounts/store-eventstoredb", "@service-accounts/store-kurrentdb"]) {
      expect(named(store).manifest.dependencies?.["@service-accounts/eventstoredb-core"]).toBe("workspace:^")
    }
  })

  it.each(names)("%s builds before it is packed", (name) => {
    expect(named(name).manifest.scripts?.prepack).toMatch(/\bbuild\b/)
  })

  it.each(names)("%s names in sideEffects exactly the modules that run statements when loaded", (name) => {
    const { dir, manifest } = named(name)
    const statements = loadTimeStatements(dir)
    const effectful = [...new Set(statements.map((s) => builtEntryOf(s.file, dir)))].sort()
    // Module-level caches (a Map made at load and filled by the functions that use it) are declarations: a module a
    // bundler leaves out because nothing uses its exports leaves out its cache with it, unread.
    expect(manifest.sideEffects === false ? [] : manifest.sideEffects, JSON.stringify(statements)).toEqual(effectful)
  })
})
