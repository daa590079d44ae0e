/**
 * The README's embedding snippet, as a user copies it: the TypeScript itself (to type-check) and the JavaScript
 * TypeScript emits from it as an ES module and as a CommonJS module (to run).
 */
import { readFileSync } from "node:fs"
import { join } from "node:path"
import ts from "typescript"
import { repositoryRoot } from "./workspace.js"

/** The heading of the README section whose ```ts block is the embedding snippet. */
export const embeddingHeading = "## Embedding it"

/** The first ```ts block after the README's embedding heading. */
export const embeddingSnippet = (): string => {
  const readme = readFileSync(join(repositoryRoot, "README.md"), "utf8")
  const at = readme.indexOf(`\n${embeddingHeading}\n`)
  if (at < 0) throw new Error(`README.md has no "${embeddingHeading}" section`)
  const block = /```ts\n([\s\S]*?)```/.exec(readme.slice(at))
  if (block?.[1] === undefined) throw new Error(`README.md's "${embeddingHeading}" section has no ts block`)
  return block[1]
}

/** The snippet as JavaScript in the given module format. */
export const emit = (source: string, format: "esm" | "cjs"): string =>
  ts.transpileModule(source, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: format === "esm" ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      verbatimModuleSyntax: false
    },
    reportDiagnostics: false
  }).outputText
