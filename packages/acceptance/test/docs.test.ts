import { readdirSync, readFileSync } from "node:fs"
import { join, relative } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { root, type Snippet, typeCheck } from "./snippets.js"

const markdownFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith(".md")
        ? [join(dir, entry.name)]
        : []
  )

/** Every ```ts block of the README, the package READMEs and docs/, as its own module. */
const snippets = (): Array<Snippet> => {
  const files = [
    join(root, "README.md"),
    ...markdownFiles(join(root, "docs")),
    ...readdirSync(join(root, "packages")).map((p) => join(root, "packages", p, "README.md"))
  ]
  return files.flatMap((file) => {
    let text: string
    try {
      text = readFileSync(file, "utf8")
    } catch {
      return []
    }
    const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)]
    return blocks.map((match, i) => ({
      name: `${relative(root, file).replace(/[^A-Za-z0-9]+/g, "_")}_${i}.ts`,
      file: relative(root, file),
      // The block's first line is the one after the fence's.
      line: text.slice(0, match.index).split("\n").length + 1,
      indent: 0,
      code: match[1] ?? ""
    }))
  })
}

describe("documentation", () => {
  it("every TypeScript snippet in the README, the package READMEs and docs/ compiles", () => {
    const found = snippets()
    expect(found.length).toBeGreaterThan(0)
    const report = typeCheck("docs", found)
    if (report !== undefined) throw new Error(`documentation snippets do not compile:\n${report}`)
  })
})
