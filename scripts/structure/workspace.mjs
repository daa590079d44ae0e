// @ts-check
// The workspace as the structure check reads it: its packages (from pnpm-workspace.yaml) and their source files.
import { readdirSync, readFileSync, statSync } from "node:fs"
import { extname, join } from "node:path"

export const sourceExtensions = [".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs"]

/** @param {string} path */
export const isFile = (path) => {
  try {
    return statSync(path).isFile()
  } catch {
    return false
  }
}

/** @param {string} path */
export const isDirectory = (path) => {
  try {
    return statSync(path).isDirectory()
  } catch {
    return false
  }
}

/** Control characters of quoted input are shown escaped. @param {string} text */
export const printable = (text) =>
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

/**
 * Every source file under `dir`, in name order, except in the directories `skip` says no to (node_modules always).
 * @param {string} dir
 * @param {(name: string, path: string) => boolean} [skip]
 * @returns {Array<string>}
 */
export const sourceFiles = (dir, skip = () => false) =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const path = join(dir, entry.name)
      if (entry.isDirectory())
        return entry.name === "node_modules" || skip(entry.name, path) ? [] : sourceFiles(path, skip)
      return sourceExtensions.includes(extname(entry.name)) ? [path] : []
    })
    .sort()

/**
 * @typedef {{
 *   readonly name: string
 *   readonly published: boolean
 *   readonly dir: string
 *   readonly src: string
 *   readonly files: ReadonlyArray<string>
 * }} WorkspacePackage a package with a package.json, and the source files of its `src/`
 */

/** @param {string} root @returns {Array<WorkspacePackage>} */
export const workspacePackages = (root) =>
  workspaceDirectories(root)
    .filter((dir) => isFile(join(dir, "package.json")))
    .map((dir) => {
      const manifest = JSON.parse(readFileSync(join(dir, "package.json"), "utf8"))
      const src = join(dir, "src")
      return {
        name: String(manifest.name),
        published: manifest.private !== true,
        dir,
        src,
        files: isDirectory(src) ? sourceFiles(src) : []
      }
    })
