/**
 * The public modules of the workspace's published packages and the `@example`s of their JSDoc (issue 14, point 6).
 *
 * A public module is a source file a user reaches through a package's `exports`: an entry point's `source` file,
 * and every file reached from one through `export * from` / `export * as` — and through an index (a file that only
 * re-exports) also through `export { … } from`. An index is passed through, not counted: it has nothing of its own
 * to show. A module's named re-export of another file's members (`export { x } from "../fast/x.js"`) leaves that
 * file private; the re-exporting module documents what it picks.
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs"
import { dirname, join, relative, resolve } from "node:path"
import ts from "typescript"

/** A public module: its package's name and its file, relative to the workspace's root. */
export interface PublicModule {
  readonly packageName: string
  readonly file: string
}

/** What keeps a package's public modules from being found (an entry point without a source file, …). */
export interface EntryProblem {
  readonly packageName: string
  readonly message: string
}

const isFile = (path: string): boolean => existsSync(path) && statSync(path).isFile()

/** The file a relative specifier names, as the workspace writes them (`./x.js` for `./x.ts`, a folder's index). */
const resolveRelative = (from: string, specifier: string): string | undefined => {
  const base = resolve(dirname(from), specifier)
  const candidates = [
    base.replace(/\.js$/, ".ts"),
    base.replace(/\.js$/, ".tsx"),
    base.replace(/\.mjs$/, ".mts"),
    base.replace(/\.cjs$/, ".cts"),
    base,
    `${base}.ts`,
    join(base, "index.ts")
  ]
  return candidates.find(isFile)
}

/** The `source` file of each of `exports`' entries (conditions may nest), or `undefined` for an entry without one. */
const sourceOf = (entry: unknown): string | undefined => {
  if (typeof entry !== "object" || entry === null) return undefined
  const source: unknown = Reflect.get(entry, "source")
  if (typeof source === "string") return source
  for (const value of Object.values(entry)) {
    const nested = sourceOf(value)
    if (nested !== undefined) return nested
  }
  return undefined
}

const parse = (file: string): ts.SourceFile =>
  ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true, ts.ScriptKind.TS)

/** The relative specifiers a file re-exports through, and whether the file does nothing but re-export. */
const reExports = (file: string): { readonly isIndex: boolean; readonly followed: ReadonlyArray<string> } => {
  const statements = parse(file).statements
  const isIndex =
    statements.length > 0 &&
    statements.every((statement) => ts.isExportDeclaration(statement) && statement.moduleSpecifier !== undefined)
  const followed = statements.flatMap((statement) => {
    if (!ts.isExportDeclaration(statement) || statement.moduleSpecifier === undefined) return []
    if (!ts.isStringLiteral(statement.moduleSpecifier) || !statement.moduleSpecifier.text.startsWith(".")) return []
    const whole = statement.exportClause === undefined || ts.isNamespaceExport(statement.exportClause)
    return whole || isIndex ? [statement.moduleSpecifier.text] : []
  })
  return { isIndex, followed }
}

/** The workspace's published packages (`packages/*` not marked private): their folders and manifests. */
const publishedPackages = (workspace: string) =>
  readdirSync(join(workspace, "packages"), { withFileTypes: true }).flatMap((entry) => {
    const manifestPath = join(workspace, "packages", entry.name, "package.json")
    if (!entry.isDirectory() || !isFile(manifestPath)) return []
    const manifest: { name?: string; private?: boolean; exports?: unknown } = JSON.parse(
      readFileSync(manifestPath, "utf8")
    )
    return manifest.private === true || manifest.name === undefined
      ? []
      : [{ dir: join(workspace, "packages", entry.name), name: manifest.name, exports: manifest.exports }]
  })

/** Every public module of every published package of the workspace at `workspace`, and what stopped the search. */
export const publicModules = (
  workspace: string
): { readonly modules: ReadonlyArray<PublicModule>; readonly problems: ReadonlyArray<EntryProblem> } => {
  const modules: Array<PublicModule> = []
  const problems: Array<EntryProblem> = []
  for (const pkg of publishedPackages(workspace)) {
    const entries =
      typeof pkg.exports === "string"
        ? [[".", { source: pkg.exports }] as const]
        : typeof pkg.exports === "object" && pkg.exports !== null
          ? Object.entries(pkg.exports).filter(([key]) => key !== "./package.json")
          : []
    if (entries.length === 0) problems.push({ packageName: pkg.name, message: "its package.json has no `exports`" })
    const seen = new Set<string>()
    const queue: Array<string> = []
    for (const [key, entry] of entries) {
      const source = sourceOf(entry)
      const file = source === undefined ? undefined : resolve(pkg.dir, source)
      if (file === undefined || !isFile(file)) {
        problems.push({ packageName: pkg.name, message: `the entry point "${key}" has no \`source\` file` })
      } else queue.push(file)
    }
    for (let file = queue.shift(); file !== undefined; file = queue.shift()) {
      if (seen.has(file)) continue
      seen.add(file)
      const { isIndex, followed } = reExports(file)
      if (!isIndex) modules.push({ packageName: pkg.name, file: relative(workspace, file) })
      for (const specifier of followed) {
        const target = resolveRelative(file, specifier)
        if (target === undefined) {
          problems.push({
            packageName: pkg.name,
            message: `${relative(workspace, file)} re-exports "${specifier}", not found`
          })
        } else queue.push(target)
      }
    }
  }
  return { modules: modules.sort((a, b) => a.file.localeCompare(b.file)), problems }
}

/** One `@example` of a module: its code, and the module's line (1-based) holding the code's first line. */
export interface Example {
  readonly line: number
  readonly indent: number
  readonly code: string
}

/** The `@example`s of a module's JSDoc comments, and what is wrong with any that holds no code. */
export interface Examples {
  readonly examples: ReadonlyArray<Example>
  readonly problems: ReadonlyArray<string>
}

/** Every comment of a source file that starts with `/**`, once each, with the line (0-based) it starts on. */
const jsDocComments = (source: ts.SourceFile): ReadonlyArray<{ readonly text: string; readonly line: number }> => {
  const text = source.text
  const starts = new Set<number>()
  const found: Array<{ text: string; line: number }> = []
  const visit = (node: ts.Node): void => {
    for (const range of ts.getLeadingCommentRanges(text, node.pos) ?? []) {
      const comment = text.slice(range.pos, range.end)
      if (starts.has(range.pos) || !comment.startsWith("/**") || comment === "/**/") continue
      starts.add(range.pos)
      found.push({ text: comment, line: source.getLineAndCharacterOfPosition(range.pos).line })
    }
    ts.forEachChild(node, visit)
  }
  visit(source)
  visit(source.endOfFileToken)
  return found.sort((a, b) => a.line - b.line)
}

const fence = /^```\s*(\S*)\s*$/

/**
 * The code of one `@example`'s lines (the tag's own line excluded: what follows the tag there is a caption). Code is
 * either in ```ts (or ```typescript) fences — each fence one example, anything outside the fences prose — or bare:
 * then all the lines are the code (the Effect style).
 */
const codeOf = (
  lines: ReadonlyArray<{ readonly text: string; readonly line: number; readonly indent: number }>
): { readonly examples: ReadonlyArray<Example>; readonly problem?: string } => {
  const fenced = lines.some((entry) => fence.test(entry.text.trim()))
  if (!fenced) {
    const first = lines.findIndex((entry) => entry.text.trim() !== "")
    const last = lines.findLastIndex((entry) => entry.text.trim() !== "")
    const start = lines[first]
    if (start === undefined) return { examples: [], problem: "holds no code" }
    const code = lines.slice(first, last + 1).map((entry) => entry.text)
    return { examples: [{ line: start.line, indent: start.indent, code: code.join("\n") }] }
  }
  const examples: Array<Example> = []
  let open: { readonly language: string; readonly from: number } | undefined
  for (const [i, entry] of lines.entries()) {
    const marker = fence.exec(entry.text.trim())
    if (marker === null) continue
    if (open === undefined) {
      open = { language: marker[1] ?? "", from: i + 1 }
      continue
    }
    const start = lines[open.from]
    if ((open.language === "ts" || open.language === "typescript") && start !== undefined && i > open.from) {
      const code = lines.slice(open.from, i).map((line) => line.text)
      examples.push({ line: start.line, indent: start.indent, code: code.join("\n") })
    }
    open = undefined
  }
  if (open !== undefined) return { examples, problem: "has a code fence that is never closed" }
  return examples.length === 0 ? { examples, problem: "has no ```ts code fence with code in it" } : { examples }
}

/** The `@example`s of every JSDoc comment of the module `file`. */
export const examplesOf = (file: string): Examples => {
  const examples: Array<Example> = []
  const problems: Array<string> = []
  for (const comment of jsDocComments(parse(file))) {
    // The comment's lines without the `/**`, `*/` and each line's leading ` * `, with their place in the file.
    const lines = comment.text
      .replace(/^\/\*\*/, "")
      .replace(/\*\/$/, "")
      .split("\n")
      .map((raw, i) => {
        const margin = /^\s*\* ?/.exec(raw)?.[0] ?? ""
        return { text: raw.slice(margin.length), line: comment.line + i + 1, indent: margin.length }
      })
    // Each tag runs to the next line starting with a tag outside a code fence.
    let inFence = false
    const tags: Array<{ readonly tag: string; readonly at: number; readonly body: Array<(typeof lines)[number]> }> = []
    for (const entry of lines) {
      const trimmed = entry.text.trim()
      const tag = inFence ? null : /^@(\w+)/.exec(trimmed)
      if (tag !== null) tags.push({ tag: tag[1] ?? "", at: entry.line, body: [] })
      else tags.at(-1)?.body.push(entry)
      if (fence.test(trimmed)) inFence = !inFence
    }
    for (const tag of tags.filter((t) => t.tag === "example")) {
      const found = codeOf(tag.body)
      examples.push(...found.examples)
      if (found.problem !== undefined) problems.push(`the @example on line ${tag.at} ${found.problem}`)
    }
  }
  return { examples, problems }
}
