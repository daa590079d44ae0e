import { execFileSync } from "node:child_process"
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join, relative } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const here = dirname(fileURLToPath(import.meta.url))
const root = join(here, "..", "..", "..")
const out = join(here, "..", ".snippets")
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

const markdownFiles = (dir: string): Array<string> =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? markdownFiles(join(dir, entry.name))
      : entry.name.endsWith(".md")
        ? [join(dir, entry.name)]
        : []
  )

/** Every ```ts block of the README, the package READMEs and docs/, as its own module. */
const snippets = (): Array<{ readonly file: string; readonly name: string; readonly code: string }> => {
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
      file: relative(root, file),
      name: `${relative(root, file).replace(/[^A-Za-z0-9]+/g, "_")}_${i}.ts`,
      code: match[1] ?? ""
    }))
  })
}

describe("documentation", () => {
  it("every TypeScript snippet in the README, the package READMEs and docs/ compiles", () => {
    const found = snippets()
    expect(found.length).toBeGreaterThan(0)
    rmSync(out, { recursive: true, force: true })
    mkdirSync(out, { recursive: true })
    for (const snippet of found) writeFileSync(join(out, snippet.name), `${snippet.code}\nexport {}\n`)
    writeFileSync(
      join(out, "tsconfig.json"),
      JSON.stringify({
        extends: "../../../tsconfig.base.json",
        compilerOptions: { noEmit: true, noUnusedLocals: false },
        include: ["*.ts"]
      })
    )
    try {
      execFileSync(process.execPath, [tsc, "-p", join(out, "tsconfig.json")], { encoding: "utf8" })
    } catch (error) {
      const stdout = (error as { stdout?: string }).stdout ?? String(error)
      const names = Object.fromEntries(found.map((s) => [s.name, s.file]))
      throw new Error(`documentation snippets do not compile:\n${stdout.replace(/(\S+\.ts)/g, (m) => names[m] ?? m)}`)
    }
  })
})
