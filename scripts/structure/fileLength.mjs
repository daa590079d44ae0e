// @ts-check
// The length rule of the structure check: a file does one thing, and no source file of the workspace — a package's
// src, test, scripts or public files, an example, the bench, the root scripts — has more than `maxLines` lines.
// Exempt: fixtures (`test/fixtures/**`), generated files (a first-lines comment saying so), build output and
// installed packages (dist, coverage, node_modules, dot-directories). Lockfiles and data are not source files.
import { readFileSync } from "node:fs"
import { join, relative, sep } from "node:path"
import { isDirectory, sourceFiles } from "./workspace.mjs"

/**
 * @typedef {import("./types.mjs").FileLengthRule} FileLengthRule
 * @typedef {import("./types.mjs").Report} Report
 */

const skippedDirectories = new Set(["node_modules", "dist", "coverage", "test-output"])

/** @param {string} name @param {string} path */
const skip = (name, path) =>
  skippedDirectories.has(name) || name.startsWith(".") || (name === "fixtures" && path.split(sep).at(-2) === "test")

/** Lines as `wc -l` counts them, and one more for a last line without its newline. @param {string} text */
const lineCount = (text) => {
  if (text === "") return 0
  const newlines = text.split("\n").length - 1
  return text.endsWith("\n") ? newlines : newlines + 1
}

/**
 * A file that says it is generated, the usual way: a comment of its first five lines starting with `@generated`.
 * @param {string} text
 */
const isGenerated = (text) => text.split("\n", 5).some((line) => /^\s*(?:\/\/|\/\*+|\*)\s*@generated\b/.test(line))

/**
 * Reports each source file over the limit, and each known long file that grew, was split or is gone; returns how
 * many files it measured.
 * @param {string} root
 * @param {ReadonlyArray<{ readonly dir: string }>} packages
 * @param {FileLengthRule} rule
 * @param {Report} report
 */
export const checkFileLengths = (root, packages, rule, report) => {
  const directories = [...packages.map((pkg) => pkg.dir), ...rule.directories.map((dir) => join(root, dir))]
  const files = [...new Set(directories.filter(isDirectory).flatMap((dir) => sourceFiles(dir, skip)))]
  const path = (/** @type {string} */ file) => relative(root, file).split(sep).join("/")
  /** @type {Map<string, number>} */
  const lengths = new Map()
  for (const file of files) {
    const text = readFileSync(file, "utf8")
    if (isGenerated(text)) continue
    const lines = lineCount(text)
    lengths.set(path(file), lines)
    if (lines <= rule.maxLines) continue
    const known = rule.known[path(file)]
    if (known === undefined) {
      report("file-length", file, 0, "", `${lines} lines, over ${rule.maxLines}: split it where it does two things`)
    } else if (lines > known.lines) {
      report(
        "file-length",
        file,
        0,
        "",
        `${lines} lines, over ${rule.maxLines}, and longer than the ${known.lines} it is known to have: split it, do not grow it`
      )
    }
  }
  for (const [known, { lines: listed }] of Object.entries(rule.known)) {
    const lines = lengths.get(known)
    if (lines === undefined || lines <= rule.maxLines) {
      const now = lines === undefined ? "no such source file" : `${lines} lines now`
      report(
        "file-length",
        join(root, known),
        0,
        "",
        `listed as a known long file (${listed} lines) but ${now}: take it off the rules' fileLength.known`
      )
    }
  }
  return lengths.size
}
