// @ts-check
// The import rules of the structure check: every import of every workspace package's `src/**`, value or type — no
// import cycle among a package's files, a package imports only the workspace packages its rule lists, and the
// domain's layer folders import only downwards.
import { readFileSync } from "node:fs"
import { dirname, extname, join, relative, resolve, sep } from "node:path"
import ts from "typescript"
import { isFile, sourceExtensions } from "./workspace.mjs"

/**
 * @typedef {import("./types.mjs").Report} Report
 * @typedef {import("./types.mjs").RuleName} RuleName
 * @typedef {import("./types.mjs").Rules} Rules
 * @typedef {import("./workspace.mjs").WorkspacePackage} WorkspacePackage
 */

/** @type {Readonly<Record<string, ReadonlyArray<string>>>} */
const compiledTo = { ".js": [".ts", ".tsx"], ".jsx": [".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] }

/**
 * Every module specifier a file names: import (type or value), export … from, import x = require(…), dynamic
 * import(), require(…) and import("…") types. A specifier that is not a string literal cannot be checked.
 * @param {string} file
 * @returns {Array<{ readonly specifier: string; readonly line: number }>}
 */
const importsOf = (file) => {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true)
  /** @type {Array<{ readonly specifier: string; readonly line: number }>} */
  const found = []
  /** @param {ts.Node | undefined} node */
  const add = (node) => {
    if (node !== undefined && ts.isStringLiteralLike(node)) {
      found.push({ specifier: node.text, line: source.getLineAndCharacterOfPosition(node.getStart()).line + 1 })
    }
  }
  /** @param {ts.Node} node */
  const visit = (node) => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) add(node.moduleSpecifier)
    else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression)
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) add(node.argument.literal)
    else if (ts.isCallExpression(node)) {
      const callee = node.expression
      if (callee.kind === ts.SyntaxKind.ImportKeyword || (ts.isIdentifier(callee) && callee.text === "require")) {
        add(node.arguments[0])
      }
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  return found
}

/** The file a relative specifier names, as TypeScript's NodeNext resolution finds it. @param {string} target */
const resolveFile = (target) => {
  const extension = extname(target)
  const stem = target.slice(0, target.length - extension.length)
  const candidates = [
    target,
    ...(compiledTo[extension] ?? []).map((source) => stem + source),
    ...sourceExtensions.map((ext) => target + ext),
    ...sourceExtensions.map((ext) => join(target, `index${ext}`))
  ]
  return candidates.find(isFile)
}

/**
 * The shortest cycle through each file of every strongly connected part of the graph, each cycle once, starting
 * at its first file in name order.
 * @param {ReadonlyMap<string, ReadonlyMap<string, number>>} graph
 * @returns {Array<Array<string>>}
 */
const cyclesOf = (graph) => {
  /** @type {Map<string, Array<string>>} */
  const found = new Map()
  for (const start of [...graph.keys()].sort()) {
    // Breadth first from start's imports back to start: the shortest way round.
    /** @type {Map<string, string>} */
    const cameFrom = new Map()
    const queue = [...(graph.get(start)?.keys() ?? [])].sort()
    for (const next of queue) cameFrom.set(next, start)
    let closed = queue.includes(start)
    for (let i = 0; i < queue.length && !closed; i++) {
      const current = queue[i] ?? start
      for (const next of [...(graph.get(current)?.keys() ?? [])].sort()) {
        if (cameFrom.has(next)) continue
        cameFrom.set(next, current)
        if (next === start) closed = true
        queue.push(next)
      }
    }
    if (!closed) continue
    const path = [start]
    for (let at = cameFrom.get(start) ?? start; at !== start; at = cameFrom.get(at) ?? start) path.unshift(at)
    const first = path.indexOf([...path].sort()[0] ?? start)
    const cycle = [...path.slice(first), ...path.slice(0, first)]
    found.set(cycle.join("\n"), cycle)
  }
  return [...found.values()]
}

/**
 * Checks every import of every package's `src/**` against `rules`, and returns how many imports it read.
 * @param {ReadonlyArray<WorkspacePackage>} packages
 * @param {Rules} rules
 * @param {(path: string) => string} shown a path as violations show it
 * @param {Report} report
 */
export const checkImports = (packages, rules, shown, report) => {
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]))
  let importCount = 0
  for (const pkg of packages) {
    if (pkg.files.length === 0) continue
    const isDomain = pkg.name === rules.domain.package
    const direction = rules.packages[pkg.name]
    if (direction === undefined) {
      report("package-direction", pkg.src, 0, pkg.name, "this package has no rule: add it to the rules' packages")
    }
    /** @type {Map<string, Map<string, number>>} */
    const graph = new Map(pkg.files.map((file) => [file, new Map()]))
    for (const file of pkg.files) {
      for (const { specifier, line } of importsOf(file)) {
        importCount++
        if (specifier.startsWith(".")) {
          const target = resolveFile(resolve(dirname(file), specifier))
          if (target === undefined) {
            report("unresolved-import", file, line, specifier, "no file has this name")
          } else if (relative(pkg.dir, target).startsWith("..")) {
            const rule = isDomain ? "domain-isolation" : "package-direction"
            report(rule, file, line, shown(target), "a relative import reaches into another package")
          } else if (graph.has(target) && !graph.get(file)?.has(target)) {
            graph.get(file)?.set(target, line)
          }
          continue
        }
        const named = [...byName.keys()].find((name) => specifier === name || specifier.startsWith(`${name}/`))
        if (named === undefined) continue
        if (isDomain) {
          report("domain-isolation", file, line, specifier, "the domain imports no other workspace package")
        } else if (named === pkg.name) {
          report("package-direction", file, line, specifier, "a package imports its own files by relative path")
        } else if (direction !== undefined) {
          const allowed =
            direction.imports.includes(named) ||
            direction.imports.includes(specifier) ||
            (direction.published === true && byName.get(named)?.published === true)
          if (!allowed) report("package-direction", file, line, specifier, `${pkg.name} may not import it`)
        }
      }
    }
    if (isDomain && rules.domain.layoutFinal) checkLayers(pkg.src, graph, rules.domain, shown, report)
    if (!isDomain || rules.domain.layoutFinal) {
      for (const cycle of cyclesOf(graph)) {
        const [from = "", to = ""] = cycle
        const around = [...cycle, from].map((file) => shown(file).slice(shown(pkg.src).length + 1)).join(" → ")
        report("cycle", from, graph.get(from)?.get(to) ?? 0, shown(to), `import cycle: ${around}`)
      }
    }
  }
  return importCount
}

/**
 * The domain's layer order: a file imports its own folder and lower tiers; siblings only as listed.
 * @param {string} src
 * @param {ReadonlyMap<string, ReadonlyMap<string, number>>} graph
 * @param {Rules["domain"]} domain
 * @param {(path: string) => string} shown
 * @param {(rule: RuleName, file: string, line: number, imports: string, message: string) => void} report
 */
const checkLayers = (src, graph, domain, shown, report) => {
  const rootIndex = /^index\.[cm]?[jt]sx?$/
  /** @param {string} file @returns {string | undefined} the file's layer folder, "" for the root index */
  const folderOf = (file) => {
    const parts = relative(src, file).split(sep)
    if (parts.length === 1) return rootIndex.test(parts[0] ?? "") ? "" : undefined
    return domain.layers.some((tier) => tier.includes(parts[0] ?? "")) ? parts[0] : undefined
  }
  const tierOf = (/** @type {string} */ folder) => domain.layers.findIndex((tier) => tier.includes(folder))
  for (const [file, imports] of graph) {
    const from = folderOf(file)
    if (from === undefined) {
      const folders = domain.layers.flat().join("/, ")
      report("layer", file, 0, "", `outside the layer folders (${folders}/ and the root index.ts)`)
      continue
    }
    if (from === "") continue
    for (const [target, line] of imports) {
      const to = folderOf(target)
      if (to === undefined || to === from) continue
      if (to !== "" && tierOf(to) < tierOf(from)) continue
      if (to !== "" && domain.siblingImports.some(([a, b]) => a === from && b === to)) continue
      const below = domain.layers.slice(0, tierOf(from)).flat()
      const listed = domain.siblingImports.filter(([a]) => a === from).map(([, b]) => b)
      const allowed = [from, ...below, ...listed].map((folder) => `${folder}/`).join(", ")
      const what = to === "" ? "the root index.ts" : `${to}/`
      report("layer", file, line, shown(target), `${from}/ may import only ${allowed}, not ${what}`)
    }
  }
}
