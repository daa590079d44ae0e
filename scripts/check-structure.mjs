// @ts-check
// The structure check (issue 14): every import of every workspace package's `src/**`, value or type, and the length of
// every workspace source file, against the rules below. `node scripts/check-structure.mjs` prints one line per
// violation and exits 1, or prints a one-line summary and exits 0. `--layout-final` checks as if
// `rules.domain.layoutFinal` were on; `--root <dir>` checks another workspace than this one. The rules are in
// `structure/`: imports.mjs (cycles, package direction, the domain's layers) and fileLength.mjs.
import { dirname, relative, resolve, sep } from "node:path"
import { fileURLToPath, pathToFileURL } from "node:url"
import { checkFileLengths } from "./structure/fileLength.mjs"
import { checkImports } from "./structure/imports.mjs"
import { printable, workspacePackages } from "./structure/workspace.mjs"

/**
 * @typedef {import("./structure/types.mjs").Rules} Rules
 * @typedef {import("./structure/types.mjs").RuleName} RuleName
 * @typedef {import("./structure/types.mjs").Violation} Violation
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
    // What the two EventStoreDB-protocol adapters share (ADR 0013): the port's mapping, client-agnostic.
    "@service-accounts/eventstoredb-core": { imports: ["@service-accounts/domain"] },
    "@service-accounts/store-eventstoredb": {
      imports: ["@service-accounts/domain", "@service-accounts/eventstoredb-core"]
    },
    "@service-accounts/store-kurrentdb": {
      imports: ["@service-accounts/domain", "@service-accounts/eventstoredb-core"]
    },
    // The HTTP API over the domain's service; the host chooses the store, so no adapter.
    "@service-accounts/http": { imports: ["@service-accounts/domain"] },
    "@service-accounts/eventstoredb-test-server": { imports: [] },
    "@service-accounts/cli": {
      imports: [
        "@service-accounts/domain",
        "@service-accounts/store-memory",
        "@service-accounts/store-eventstoredb",
        "@service-accounts/store-kurrentdb"
      ]
    },
    "@service-accounts/bench": { published: true, imports: [] },
    "@service-accounts/example-quickstart": { published: true, imports: [] },
    "@service-accounts/example-http-service": { published: true, imports: [] },
    // Tells the quick start's story again, on EventStoreDB. The quick start is private: not in the house plan's list.
    "@service-accounts/example-eventstoredb": { published: true, imports: ["@service-accounts/example-quickstart"] }
  },
  // No source file over ~400 lines (issue 14): a longer one usually does two things.
  fileLength: {
    maxLines: 400,
    // Checked besides every workspace package's files.
    directories: ["scripts"],
    // Files allowed over the limit for now, each with why; the check fails once one is short enough or gone.
    known: {}
  }
})

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
  const packages = workspacePackages(root)
  /** @type {Array<Violation>} */
  const violations = []
  /** @param {RuleName} rule @param {string} file @param {number} line @param {string} imports @param {string} message */
  const report = (rule, file, line, imports, message) =>
    violations.push({ rule, file: shown(file), line, imports: printable(imports), message: printable(message) })
  const importCount = checkImports(packages, rules, shown, report)
  const measuredCount = checkFileLengths(root, packages, rules.fileLength, report)
  const order = ["cycle", "layer", "package-direction", "domain-isolation", "unresolved-import", "file-length"]
  violations.sort(
    (a, b) =>
      order.indexOf(a.rule) - order.indexOf(b.rule) ||
      a.file.localeCompare(b.file) ||
      a.line - b.line ||
      a.imports.localeCompare(b.imports)
  )
  const fileCount = packages.reduce((sum, pkg) => sum + pkg.files.length, 0)
  return { violations, fileCount, packageCount: packages.length, importCount, measuredCount }
}

/** @param {Violation} violation */
export const formatViolation = ({ rule, file, line, imports, message }) =>
  `${line > 0 ? `${file}:${line}` : file}${imports === "" ? "" : ` → ${imports}`}  [${rule}] ${message}`

const usage = "usage: node scripts/check-structure.mjs [--layout-final] [--root <workspace directory>]"

const main = () => {
  const args = process.argv.slice(2)
  const here = resolve(dirname(fileURLToPath(import.meta.url)), "..")
  let root = here
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
  const { violations, fileCount, packageCount, importCount, measuredCount } = checkWorkspace(root, {
    ...rules,
    domain: { ...rules.domain, layoutFinal },
    // The known long files are this repository's: another workspace has none of them.
    fileLength: root === here ? rules.fileLength : { ...rules.fileLength, known: {} }
  })
  for (const violation of violations) console.log(formatViolation(violation))
  if (violations.length > 0) {
    console.log(`structure: ${violations.length} violation${violations.length === 1 ? "" : "s"}`)
    process.exit(1)
  }
  const scope = layoutFinal ? "" : " (domain layout not final: packages/domain's layers and cycles not checked)"
  const { maxLines, known } = rules.fileLength
  const knownCount = root === here ? Object.keys(known).length : 0
  const longer = knownCount === 0 ? "" : ` but ${knownCount} known (rules.fileLength.known)`
  console.log(
    `structure: ${importCount} imports of ${fileCount} files in ${packageCount} packages, no violation${scope}; ` +
      `${measuredCount} source files, none over ${maxLines} lines${longer}`
  )
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main()
