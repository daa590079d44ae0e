/**
 * How the benchmark prints: lines to stdout, elapsed times, numbers, spreads and ratios, and Markdown tables.
 */
import type { Ratio, Spread } from "./stats.js"

export const log = (text: string): void => {
  process.stdout.write(`${text}\n`)
}

export const elapsed = (start: number): string => `${((performance.now() - start) / 1000).toFixed(1)} s`

export const formatNumber = (n: number): string => {
  if (!Number.isFinite(n)) return String(n)
  if (Number.isInteger(n) || Math.abs(n) >= 100) return Math.round(n).toLocaleString("en-US")
  return n.toPrecision(3)
}

export const formatSpread = (s: Spread): string =>
  `${formatNumber(s.median)} [${formatNumber(s.min)}–${formatNumber(s.max)}]`

export const formatRatio = (r: Ratio): string =>
  `${formatNumber(r.value)}× [${formatNumber(r.min)}–${formatNumber(r.max)}]${r.paired ? "" : "*"}`

/** A Markdown table with padded columns: readable in a terminal, pasteable into the docs. */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): string => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`
  return [line(header), `| ${widths.map((w) => "-".repeat(w)).join(" | ")} |`, ...rows.map(line)].join("\n")
}
