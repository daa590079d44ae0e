/**
 * Type-checking code that lives in documentation (the markdown snippets, the JSDoc `@example`s): each piece is
 * written as its own module under `packages/acceptance/.snippets/<set>/`, where package names resolve as they do for
 * a user of the workspace's packages, and `tsc` checks them all with the repository's settings.
 */
import { execFileSync } from "node:child_process"
import { mkdirSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"

/** The repository's root. */
export const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")

const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

/** A piece of TypeScript taken from a document, and where it came from. */
export interface Snippet {
  /** The module's file name in the snippet directory, unique within a set. */
  readonly name: string
  /** The document, relative to the repository's root. */
  readonly file: string
  /** The document's line (1-based) that holds the snippet's first line. */
  readonly line: number
  /** How many characters each snippet line lost when it was taken out of the document (a JSDoc's ` * `). */
  readonly indent: number
  /** Set when a document holds several snippets in one place, e.g. "@example 2". */
  readonly label?: string
  readonly code: string
}

/** Where a snippet's (line, column) is in its document, as `file:line:column (label)`. */
const origin = (snippet: Snippet, line: number, column: number): string =>
  `${snippet.file}:${snippet.line + line - 1}:${column + snippet.indent}${snippet.label === undefined ? "" : ` (${snippet.label})`}`

/** `tsc`'s report with every snippet's position written as its place in its document. */
const locate = (report: string, snippets: ReadonlyArray<Snippet>): string => {
  const byName = new Map(snippets.map((snippet) => [snippet.name, snippet]))
  return report.replace(/(^|\s)([\w.-]+\.ts)\((\d+),(\d+)\)/gm, (found, before: string, name: string, l, c) => {
    const snippet = byName.get(name)
    return snippet === undefined ? found : `${before}${origin(snippet, Number(l), Number(c))}`
  })
}

/**
 * Writes `snippets` to `packages/acceptance/.snippets/<set>/` (emptied first) and type-checks them with `tsc`, on the
 * repository's `tsconfig.base.json` with `noUnusedLocals` off (a snippet often declares what it only shows). Returns
 * `tsc`'s report with each snippet's position given as its place in its document, or `undefined` when all compile.
 */
export const typeCheck = (set: string, snippets: ReadonlyArray<Snippet>): string | undefined => {
  const dir = join(root, "packages", "acceptance", ".snippets", set)
  rmSync(dir, { recursive: true, force: true })
  mkdirSync(dir, { recursive: true })
  for (const snippet of snippets) writeFileSync(join(dir, snippet.name), `${snippet.code}\nexport {}\n`)
  writeFileSync(
    join(dir, "tsconfig.json"),
    JSON.stringify({
      extends: relative(dir, join(root, "tsconfig.base.json")),
      compilerOptions: { noEmit: true, noUnusedLocals: false },
      include: ["*.ts"]
    })
  )
  try {
    execFileSync(process.execPath, [tsc, "-p", "tsconfig.json", "--pretty", "false"], { cwd: dir, encoding: "utf8" })
    return undefined
  } catch (error) {
    const stdout = (error as { stdout?: string }).stdout
    return locate(stdout === undefined || stdout === "" ? String(error) : stdout, snippets)
  }
}
