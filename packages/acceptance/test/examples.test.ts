import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { examplesOf, type PublicModule, publicModules } from "./publicModules.js"
import { root, type Snippet, typeCheck } from "./snippets.js"

/** Each `@example` of each module as a snippet, named after its module. */
const snippetsOf = (workspace: string, modules: ReadonlyArray<PublicModule>): Array<Snippet> =>
  modules.flatMap((module) => {
    const { examples } = examplesOf(join(workspace, module.file))
    return examples.map((example, i) => ({
      name: `${module.file.replace(/\.ts$/, "").replace(/[^A-Za-z0-9]+/g, "_")}_${i + 1}.ts`,
      file: module.file,
      line: example.line,
      indent: example.indent,
      label: `@example ${i + 1}`,
      code: example.code
    }))
  })

/** One line per public module without an `@example`, and per `@example` that holds no code. */
const missingExamples = (workspace: string, modules: ReadonlyArray<PublicModule>): Array<string> =>
  modules.flatMap((module) => {
    const { examples, problems } = examplesOf(join(workspace, module.file))
    return [
      ...(examples.length === 0 ? [`${module.file} (${module.packageName}) has no @example`] : []),
      ...problems.map((problem) => `${module.file}: ${problem}`)
    ]
  })

describe("JSDoc examples", () => {
  const found = publicModules(root)

  it("the public modules are found from every published package's exports", () => {
    expect(found.problems).toEqual([])
    const packages = new Set(found.modules.map((module) => module.packageName))
    for (const name of [
      "@service-accounts/domain",
      "@service-accounts/store-memory",
      "@service-accounts/store-eventstoredb",
      "@service-accounts/store-kurrentdb",
      "@service-accounts/eventstoredb-core",
      "@service-accounts/testing",
      "@service-accounts/eventstoredb-test-server",
      "@service-accounts/cli",
      "@service-accounts/http"
    ]) {
      expect(packages).toContain(name)
    }
    const files = found.modules.map((module) => module.file)
    expect(files).toContain("packages/domain/src/model/Ids.ts")
    expect(files).toContain("packages/domain/src/integrity/Invariants.ts")
    expect(files.filter((file) => file.startsWith("packages/domain/src/fast/"))).toEqual([])
    expect(files.filter((file) => file.endsWith("/index.ts"))).toEqual([])
  })

  it("every public module has an @example", () => {
    const missing = missingExamples(root, found.modules)
    if (missing.length > 0)
      throw new Error(`public modules without an @example (or with one that holds no code):\n${missing.join("\n")}`)
  })

  it("every @example of a public module compiles", () => {
    const snippets = snippetsOf(root, found.modules)
    expect(snippets.length).toBeGreaterThan(0)
    const report = typeCheck("examples", snippets)
    if (report !== undefined) throw new Error(`@examples that do not compile:\n${report}`)
  })
})

describe("finding public modules and their examples", () => {
  const scratch = mkdtempSync(join(tmpdir(), "examples-"))
  afterAll(() => rmSync(scratch, { recursive: true, force: true }))
  const source = (entry: string) => ({ source: entry, import: { types: entry.replace(/\.ts$/, ".d.ts") } })
  const files: Readonly<Record<string, string>> = {
    "packages/lib/package.json": JSON.stringify({
      name: "@fixture/lib",
      exports: { ".": source("./src/index.ts"), "./extra": source("./src/Extra.ts"), "./package.json": "./x" }
    }),
    "packages/lib/src/index.ts": '/** The root. */\nexport * from "./a/index.js"\nexport * as B from "./B.js"\n',
    "packages/lib/src/a/index.ts": 'export { c } from "../C.js"\nexport * from "../A.js"\n',
    "packages/lib/src/A.ts": [
      "/**",
      " * A, with a fenced example.",
      " *",
      " * @example Adding one",
      " * ```ts",
      ' * import { a } from "@fixture/lib"',
      " * const two: number = a + 1",
      " * ```",
      " *",
      " * @since 0.1.0",
      " */",
      'export { hidden } from "./internal/hidden.js"',
      "export const a = 1"
    ].join("\n"),
    "packages/lib/src/B.ts": [
      "/** B. */",
      "/**",
      " * The bare (Effect) style, on a declaration.",
      " *",
      " * @example",
      ' * import { B } from "@fixture/lib"',
      " * const n: number = B.b",
      " *",
      " * @since 0.1.0",
      " */",
      "export const b = 2"
    ].join("\n"),
    "packages/lib/src/C.ts": "/**\n * C, without an example.\n *\n * @since 0.1.0\n */\nexport const c = 3\n",
    "packages/lib/src/Extra.ts": "/**\n * @example\n * ```sh\n * pnpm extra\n * ```\n */\nexport const extra = 4\n",
    "packages/lib/src/Unexported.ts": "/** Not reached from any entry point. */\nexport const u = 5\n",
    "packages/lib/src/internal/hidden.ts": "export const hidden = 6\n",
    "packages/private/package.json": JSON.stringify({
      name: "@fixture/private",
      private: true,
      exports: { ".": source("./src/index.ts") }
    }),
    "packages/private/src/index.ts": "export const p = 7\n"
  }
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(scratch, path)), { recursive: true })
    writeFileSync(join(scratch, path), text)
  }
  const found = publicModules(scratch)

  it("follows `export *`, `export * as` and an index's `export { … } from`, not a module's named re-exports", () => {
    expect(found.problems).toEqual([])
    expect(found.modules.map((module) => module.file)).toEqual([
      "packages/lib/src/A.ts",
      "packages/lib/src/B.ts",
      "packages/lib/src/C.ts",
      "packages/lib/src/Extra.ts"
    ])
  })

  it("takes a fenced example's code and a bare example's lines, with their place in the module", () => {
    expect(examplesOf(join(scratch, "packages/lib/src/A.ts")).examples).toEqual([
      { line: 6, indent: 3, code: 'import { a } from "@fixture/lib"\nconst two: number = a + 1' }
    ])
    expect(examplesOf(join(scratch, "packages/lib/src/B.ts")).examples).toEqual([
      { line: 6, indent: 3, code: 'import { B } from "@fixture/lib"\nconst n: number = B.b' }
    ])
  })

  it("names the modules without an example, and an example without TypeScript", () => {
    expect(missingExamples(scratch, found.modules)).toEqual([
      "packages/lib/src/C.ts (@fixture/lib) has no @example",
      "packages/lib/src/Extra.ts (@fixture/lib) has no @example",
      "packages/lib/src/Extra.ts: the @example on line 2 has no ```ts code fence with code in it"
    ])
  })

  it("names the module, line and column of an example that does not compile", () => {
    const broken: Snippet = {
      name: "fixture_Broken_1.ts",
      file: "packages/lib/src/Broken.ts",
      line: 6,
      indent: 3,
      label: "@example 1",
      code: 'const fine = 1\nconst count: number = "three"'
    }
    const report = typeCheck("examples-fixture", [broken])
    expect(report).toContain("packages/lib/src/Broken.ts:7:10 (@example 1)")
    expect(report).toContain("TS2322")
  })
})
