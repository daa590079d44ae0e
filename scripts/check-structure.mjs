// @ts-check
// The structure check (issue 14, point 2): every import of every workspace package's `src/**`, value or type,
// against the rules below. `node scripts/check-structure.mjs` prints one line per violation and exits 1, or prints
// a one-line summary and exits 0. `--layout-final` checks as if `rules.domain.layoutFinal` were on; `--root <dir>`
// checks another workspace than this one.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, extname, join, relative, resolve, sep } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import ts from "typescript"

/**
 * @typedef {{
 *   readonly domain: {
 *     readonly package: string
 *     readonly layoutFinal: boolean
 *     readonly layers: ReadonlyArray<ReadonlyArray<string>>
 *     readonly siblingImports: ReadonlyArray<readonly [string, string]>
 *   }
 *   readonly packages: Readonly<Record<string, { readonly published?: boolean; readonly imports: ReadonlyArray<string> }>>
 * }} Rules
 * @typedef {"cycle" | "layer" | "package-direction" | "domain-isolation" | "unresolved-import"} RuleName
 * @typedef {{
 *   readonly rule: RuleName
 *   readonly file: string
 *   readonly line: number
 *   readonly imports: string
 *   readonly message: string
 * }} Violation
 */

/** The house rules (docs/architecture.md, issue 14). Adjust them here when the layout changes. */
export const rules = /** @satisfies {Rules} */ ({
  domain: {
    package: "@service-accounts/domain",
    // On since issue 14's move of packages/domain/src into the layer folders. Off, packages/domain would be checked for
    // its isolation only: not its layer order, not its own import cycles, and not for files outside the layer folders.
    layoutFinal: true,
    // Lowest first. A file under packages/domain/src/<folder>/ may import its own folder and the folders of
    // earlier tiers; only the root index.ts may import anything, and no layer imports it.
    layers: [["fast"], ["model"], ["store"], ["readModels", "integrity", "history"], ["service"]],
    // Folders of one tier import each other only as listed here: [importer, imported].
    siblingImports: []
  },
  // The workspace packages a package's src may import: a package name (any of its subpaths) or one exact subpath.
  // `published: true` adds every workspace package that is not private. Tests (test/**) are not checked.
  packages: {
    "@service-accounts/domain": { imports: [] },
    "@service-accounts/testing": { imports: ["@service-accounts/domain"] },
    "@service-accounts/store-memory": { imports: ["@service-accounts/domain"] },
    "@service-accounts/store-eventstoredb": { imports: ["@service-accounts/domain"] },
    "@service-accounts/eventstoredb-test-server": { imports: [] },
    "@service-accounts/cli": {
      imports: ["@service-accounts/domain", "@service-accounts/store-memory", "@service-accounts/store-eventstoredb"]
    },
    "@service-accounts/bench": { published: true, imports: [] },
    "@service-accounts/example-quickstart": { published: true, imports: [] },
    "@service-accounts/example-http-service": { published: true, imports: [] },
    // Tells the quick start's story again, on EventStoreDB. The quick start is private: not in the house plan's list.
    "@service-accounts/example-eventstoredb": { published: true, imports: ["@service-accounts/example-quickstart"] }
  }
})

const sourceExtensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]
/** @type {Readonly<Record<string, ReadonlyArray<string>>>} */
const compiledTo = { ".js": [".ts", ".tsx"], ".jsx": [".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] }

/** @param {string} path */
const isFile = (path) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** @param {string} path */
const isDirectory = (path) => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Control characters of quoted input are shown escaped. @param {string} text */
const printable = (text) =>
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
  text.replace(/[\u0000-\u001f\u007f-\u009f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`)

/**
 * The workspace's package directories, from the `packages:` list of pnpm-workspace.yaml (`dir/*` globs or paths).
 * @param {string} root
 */
const workspaceDirectories = (root) => {
  const lines = readFileSync(join(root, "pnpm-workspace.yaml"), "utf8").split("\n")
  const start = lines.findIndex((line) => /^packages:\s*$/.test(line))
  if (start < 0) throw new Error("pnpm-workspace.yaml has no `packages:` list")
  /** @type {Array<string>} */
  const patterns = []
  for (const line of lines.slice(start + 1)) {
    const item = /^\s+-\s+["']?([^"'#]+?)["']?\s*$/.exec(line)
    if (item?.[1] !== undefined) patterns.push(item[1])
    else if (/^\S/.test(line)) break
  }
  return patterns.flatMap((pattern) => {
    if (/[*!?{[]/.test(pattern.replace(/\/\*$/, ""))) {
      throw new Error(`pnpm-workspace.yaml: the check reads only "dir/*" and plain paths, not ${printable(pattern)}`)
    }
    if (!pattern.endsWith("/*")) return [join(root, pattern)]
    const parent = join(root, pattern.slice(0, -2))
    if (!isDirectory(parent)) return []
    return readdirSync(parent, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => join(parent, entry.name))
  })
}

/** @param {string} dir @returns {Array<string>} */
const sourceFiles = (dir) =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return entry.name === "node_modules" ? [] : sourceFiles(path)
    return sourceExtensions.includes(extname(entry.name)) ? [path] : []
  })

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
 * Every violation of `rules` in the workspace at `root`, sorted by rule, file and line.
 * @param {string} root
 * @param {Rules} rules
 * @returns {Array<Violation>}
 */
export const checkStructure = (root, rules) => checkWorkspace(root, rules).violations

/** @param {string} root @param {Rules} rules */
const checkWorkspace = (root, rules) => {
  const shown = (/** @type {string} */ path) => relative(root, path).split(sep).join("/")
  const packages = workspaceDirectories(root)
    .filter((dir) => isFile(join(dir, "package.json")))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
      const src = join(dir, "src")
      return {
        name: String(manifest.name),
        published: manifest.private !== true,
        dir,
        src,
        files: isDirectory(src) ? sourceFiles(src).sort() : []
      }
    })
  const byName = new Map(packages.map((pkg) => [pkg.name, pkg]))
  /** @type {Array<Violation>} */
  const violations = []
  /** @param {RuleName} rule @param {string} file @param {number} line @param {string} imports @param {string} message */
  const report = (rule, file, line, imports, message) =>
    violations.push({ rule, file: shown(file), line, imports: printable(imports), message: printable(message) })
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
  const order = ["cycle", "layer", "package-direction", "domain-isolation", "unresolved-import"]
  violations.sort(
    (a, b) =>
      order.indexOf(a.rule) - order.indexOf(b.rule) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.imports.localeCompare(b.imports)
  )
  const fileCount = packages.reduce((sum, pkg) => sum + pkg.files.length, 0)
  return { violations, fileCount, packageCount: packages.length, importCount }
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

/** @param {Violation} violation */
export const formatViolation = ({ rule, file, line, imports, message }) =>
  `${line > 0 ? `${file}:${line}` : file}${imports === "" ? "" : ` → ${imports}`}  [${rule}] ${message}`

const usage = "usage: node scripts/check-structure.mjs [--layout-final] [--root <workspace directory>]"

const main = () => {
  const args = process.argv.slice(2)
  let root = resolve(dirname(fileURLToPath(import.meta.url)), "..")
  let layoutFinal = /** @type {boolean} */ (rules.domain.layoutFinal)
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]
    const next = args[i + 1]
    if (arg === "--layout-final") layoutFinal = true
    else if (arg === "--root" && next !== undefined) {
      root = resolve(next)
      i++
    } else {
      console.error(`unknown argument ${printable(arg ?? "")}; ${usage}`)
      process.exit(2)
    }
  }
  const { violations, fileCount, packageCount, importCount } = checkWorkspace(root, {
    ...rules,
    domain: { ...rules.domain, layoutFinal }
  })
  for (const violation of violations) console.log(formatViolation(violation))
  if (violations.length > 0) {
    console.log(`structure: ${violations.length} violation${violations.length === 1 ? "" : "s"}`)
    process.exit(1)
  }
  const scope = layoutFinal ? "" : " (domain layout not final: packages/domain's layers and cycles not checked)"
  console.log(
    `structure: ${importCount} imports of ${fileCount} files in ${packageCount} packages, no violation${scope}`
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
