/**
 * What a package's modules do when they are loaded, for checking its `sideEffects` field.
 *
 * `"sideEffects": false` lets a bundler leave out a module none of whose exports the program uses. A module that
 * only declares things (functions, classes, constants — a cache made empty at load and filled by the functions
 * that use it is such a constant) loses nothing by being left out: nobody can reach its cache either. A module that
 * runs a statement at load (a call, an assignment, a loop) may do something another module relies on, so it must
 * be named in `sideEffects`.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import ts from "typescript"

/** A statement a module runs at load besides its declarations. */
export interface LoadTimeStatement {
  /** The module, relative to the package's folder. */
  readonly file: string
  readonly line: number
  readonly text: string
}

const declarationKinds: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.ImportDeclaration,
  ts.SyntaxKind.ImportEqualsDeclaration,
  ts.SyntaxKind.ExportDeclaration,
  ts.SyntaxKind.FunctionDeclaration,
  ts.SyntaxKind.InterfaceDeclaration,
  ts.SyntaxKind.TypeAliasDeclaration,
  ts.SyntaxKind.ModuleDeclaration,
  ts.SyntaxKind.VariableStatement,
  ts.SyntaxKind.EmptyStatement
])

/** A class whose body runs code at load: a `static { … }` block. */
const hasStaticBlock = (statement: ts.Statement): boolean =>
  ts.isClassDeclaration(statement) && statement.members.some(ts.isClassStaticBlockDeclaration)

const sourceFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) return sourceFiles(path)
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") ? [path] : []
  })

/** Every statement any module under `packageDir/src` runs at load besides its declarations. */
export const loadTimeStatements = (packageDir: string): Array<LoadTimeStatement> =>
  sourceFiles(join(packageDir, "src")).flatMap((path) => {
    const source = ts.createSourceFile(path, readFileSync(path, "utf8"), ts.ScriptTarget.ES2022, true)
    return source.statements
      .filter((statement) =>
        ts.isClassDeclaration(statement) ? hasStaticBlock(statement) : !declarationKinds.has(statement.kind)
      )
      .map((statement) => ({
        file: relative(packageDir, path),
        line: source.getLineAndCharacterOfPosition(statement.getStart(source)).line + 1,
        text: statement.getText(source).split("\n")[0] ?? ""
      }))
  })

/**
 * The built file a module becomes, when it is an entry of its own (`src/bin.ts` → `./dist/bin.js`, or `.cjs` for an
 * entry built as CommonJS alone, as sa-audit's program `src/sa-audit.ts` is, when `dir`, the package, is given); a
 * module bundled into an entry or a shared chunk has no file of its own to name.
 */
export const builtEntryOf = (file: string, dir?: string): string => {
  const js = file.replace(/^src\//, "dist/").replace(/\.ts$/, ".js")
  const cjs = js.replace(/\.js$/, ".cjs")
  return `./${dir !== undefined && !existsSync(join(dir, js)) && existsSync(join(dir, cjs)) ? cjs : js}`
}
