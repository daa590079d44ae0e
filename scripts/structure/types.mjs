// @ts-check
// The shapes the structure check works with (JSDoc types only: this module has no code).

/**
 * @typedef {{
 *   readonly domain: {
 *     readonly package: string
 *     readonly layoutFinal: boolean
 *     readonly layers: ReadonlyArray<ReadonlyArray<string>>
 *     readonly siblingImports: ReadonlyArray<readonly [string, string]>
 *   }
 *   readonly packages: Readonly<Record<string, { readonly published?: boolean; readonly imports: ReadonlyArray<string> }>>
 *   readonly fileLength: FileLengthRule
 * }} Rules
 * @typedef {{
 *   readonly maxLines: number
 *   readonly directories: ReadonlyArray<string>
 *   readonly known: Readonly<Record<string, { readonly lines: number; readonly why: string }>>
 * }} FileLengthRule
 *   `maxLines`: the most lines a source file may have. `directories`: checked besides the workspace packages (from the
 *   workspace root). `known`: files over the limit today, by path from the root, each with its length when listed
 *   and why it is not split yet: reported if it grows, and once it is short enough (or gone), so that the list only
 *   shrinks.
 * @typedef {"cycle" | "layer" | "package-direction" | "domain-isolation" | "unresolved-import" | "file-length"} RuleName
 * @typedef {{
 *   readonly rule: RuleName
 *   readonly file: string
 *   readonly line: number
 *   readonly imports: string
 *   readonly message: string
 * }} Violation
 * @typedef {(rule: RuleName, file: string, line: number, imports: string, message: string) => void} Report
 *   Records a violation; `file` is an absolute path.
 */

export {}
