/**
 * The public surface: every name the root exported in 0.2.0 (types and values, and the members of its namespaces,
 * listed in `fixtures/exports-0.2.0.json`) is still exported from the root, except those an ADR retired; and each
 * layer's subpath exports exactly its part of the root.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"
import ts from "typescript"
import { describe, expect, it } from "vitest"

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

/** Names a module exports (types and values), with `Namespace.member` for the members of namespace exports. */
const exportsOf = (file: string): ReadonlyArray<string> => {
  const program = ts.createProgram([file], {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    strict: true,
    skipLibCheck: true,
    noEmit: true
  })
  const checker = program.getTypeChecker()
  const source = program.getSourceFile(file)
  const module = source === undefined ? undefined : checker.getSymbolAtLocation(source)
  if (module === undefined) throw new Error(`${file} is not a module`)
  const names: Array<string> = []
  for (const symbol of checker.getExportsOfModule(module)) {
    names.push(symbol.getName())
    const target = symbol.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(symbol) : symbol
    if (target.flags & (ts.SymbolFlags.ValueModule | ts.SymbolFlags.NamespaceModule)) {
      for (const member of checker.getExportsOfModule(target)) names.push(`${symbol.getName()}.${member.getName()}`)
    }
  }
  return names.sort()
}

/** Names 0.2.0 exported that are gone, each with the decision that retired it. */
const retired: Record<string, string> = {
  "Directory.createWith": "ADR 0009: the decider takes its random bytes in the context; Directory.create is pure",
  "Directory.issueTokenWith":
    "ADR 0009: the decider takes its random bytes in the context; Directory.issueToken is pure"
}

const layers = ["model", "store", "readModels", "integrity", "history", "service"] as const

describe("the public surface", () => {
  const root = exportsOf(here("../src/index.ts"))

  it("the root still exports every name of 0.2.0 but those an ADR retired", () => {
    const before: ReadonlyArray<string> = JSON.parse(readFileSync(here("fixtures/exports-0.2.0.json"), "utf8"))
    const now = new Set(root)
    expect(before.filter((name) => !now.has(name) && !(name in retired))).toEqual([])
    expect(Object.keys(retired).filter((name) => now.has(name))).toEqual([])
  })

  it("the layers' subpaths together export exactly what the root does, each name from one layer", () => {
    const byLayer = layers.map((layer) => exportsOf(here(`../src/${layer}/index.ts`)))
    const all = byLayer.flat()
    expect(new Set(all).size).toBe(all.length)
    expect([...all].sort()).toEqual(root)
  })
}, 60_000)
