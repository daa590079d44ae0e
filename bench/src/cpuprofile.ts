/**
 * Reads a V8 `.cpuprofile` (from `node --cpu-prof` or the inspector) and lists where the time went: self time
 * and inclusive time per function (name, file, line), as a share of all samples.
 */
import { readFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

interface CallFrame {
  readonly functionName: string
  readonly url: string
  readonly lineNumber: number
}

interface ProfileNode {
  readonly id: number
  readonly callFrame: CallFrame
  readonly children?: ReadonlyArray<number>
}

interface Profile {
  readonly nodes: ReadonlyArray<ProfileNode>
  readonly samples: ReadonlyArray<number>
  readonly timeDeltas: ReadonlyArray<number>
}

export interface FunctionCost {
  /** `name (file:line)`, the file relative to the workspace. */
  readonly key: string
  readonly selfPercent: number
  readonly totalPercent: number
  readonly selfMs: number
  readonly totalMs: number
}

export interface ProfileSummary {
  readonly totalMs: number
  readonly samples: number
  readonly functions: ReadonlyArray<FunctionCost>
  /** Self time per file (a module of a package, a file of ours, or a V8/Node category). */
  readonly files: ReadonlyArray<{ readonly file: string; readonly selfPercent: number; readonly selfMs: number }>
}

const shortUrl = (url: string): string => {
  const withoutScheme = url.replace(/^file:\/\//, "")
  const pnpm = withoutScheme.lastIndexOf("/node_modules/")
  if (pnpm >= 0) return withoutScheme.slice(pnpm + "/node_modules/".length)
  const workspace = /\/((?:packages|bench|examples)\/.*)$/.exec(withoutScheme)
  return workspace?.[1] ?? withoutScheme
}

const sourceLines = new Map<string, ReadonlyArray<string>>()

/** The start of the source line a function begins on, to tell anonymous functions apart. */
const lineText = (url: string, line: number): string => {
  if (!url.startsWith("file://")) return ""
  let lines = sourceLines.get(url)
  if (lines === undefined) {
    try {
      lines = readFileSync(fileURLToPath(url), "utf8").split("\n")
    } catch {
      lines = []
    }
    sourceLines.set(url, lines)
  }
  const text = (lines[line] ?? "").trim()
  return text.length > 60 ? `${text.slice(0, 57)}...` : text
}

const keyOf = (frame: CallFrame): string => {
  if (frame.url === "") return frame.functionName || "(anonymous)"
  const where = `${shortUrl(frame.url)}:${frame.lineNumber + 1}`
  if (frame.functionName !== "") return `${frame.functionName} (${where})`
  // Our own anonymous functions (Effect.gen bodies, callbacks) are named by the line they start on.
  const ours = !frame.url.includes("/node_modules/") && frame.url.startsWith("file://")
  const text = ours ? lineText(frame.url, frame.lineNumber) : ""
  return text === "" ? `(anonymous) (${where})` : `(anonymous: ${text}) (${where})`
}

const isProfile = (value: unknown): value is Profile =>
  typeof value === "object" &&
  value !== null &&
  "nodes" in value &&
  Array.isArray(value.nodes) &&
  "samples" in value &&
  Array.isArray(value.samples) &&
  "timeDeltas" in value &&
  Array.isArray(value.timeDeltas)

/** Summarises a profile already parsed. */
export const summarise = (profile: unknown): ProfileSummary => {
  if (!isProfile(profile)) throw new Error("not a V8 CPU profile")
  const byId = new Map<number, ProfileNode>()
  const parent = new Map<number, number>()
  for (const node of profile.nodes) {
    byId.set(node.id, node)
    for (const child of node.children ?? []) parent.set(child, node.id)
  }
  const self = new Map<string, number>()
  const total = new Map<string, number>()
  const files = new Map<string, number>()
  let totalMicros = 0
  profile.samples.forEach((id, i) => {
    const micros = profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0
    totalMicros += micros
    const node = byId.get(id)
    if (node === undefined) return
    const key = keyOf(node.callFrame)
    self.set(key, (self.get(key) ?? 0) + micros)
    const file = node.callFrame.url === "" ? keyOf(node.callFrame) : shortUrl(node.callFrame.url)
    files.set(file, (files.get(file) ?? 0) + micros)
    const seen = new Set<string>()
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = byId.get(at)?.callFrame
      if (frame === undefined) break
      const k = keyOf(frame)
      if (seen.has(k)) continue
      seen.add(k)
      total.set(k, (total.get(k) ?? 0) + micros)
    }
  })
  const functions = [...total.keys()].map((key) => {
    const selfMicros = self.get(key) ?? 0
    const totalMicrosOf = total.get(key) ?? 0
    return {
      key,
      selfPercent: (100 * selfMicros) / totalMicros,
      totalPercent: (100 * totalMicrosOf) / totalMicros,
      selfMs: selfMicros / 1000,
      totalMs: totalMicrosOf / 1000
    }
  })
  return {
    totalMs: totalMicros / 1000,
    samples: profile.samples.length,
    functions,
    files: [...files.entries()]
      .map(([file, micros]) => ({ file, selfPercent: (100 * micros) / totalMicros, selfMs: micros / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs)
  }
}

export const readProfile = (path: string): ProfileSummary => summarise(JSON.parse(readFileSync(path, "utf8")))

const pad = (text: string, width: number): string =>
  text.length >= width ? text : text + " ".repeat(width - text.length)

/** The top functions by self time, and the top of our own code (`packages/`) by inclusive time. */
export const formatSummary = (summary: ProfileSummary, top = 25): string => {
  const lines: Array<string> = [`${summary.samples} samples, ${summary.totalMs.toFixed(0)} ms`, "", "by self time:"]
  const bySelf = [...summary.functions].sort((a, b) => b.selfMs - a.selfMs).slice(0, top)
  for (const f of bySelf)
    lines.push(
      `  ${pad(`${f.selfPercent.toFixed(1)}%`, 7)} ${pad(`(total ${f.totalPercent.toFixed(1)}%)`, 15)} ${f.key}`
    )
  lines.push("", "self time by file:")
  for (const f of summary.files.slice(0, top)) lines.push(`  ${pad(`${f.selfPercent.toFixed(1)}%`, 7)} ${f.file}`)
  lines.push("", "our code (packages/, bench/) by inclusive time:")
  const ours = summary.functions
    .filter((f) => f.key.includes("packages/") || f.key.includes("bench/"))
    .sort((a, b) => b.totalMs - a.totalMs)
    .slice(0, top)
  for (const f of ours)
    lines.push(
      `  ${pad(`${f.totalPercent.toFixed(1)}%`, 7)} ${pad(`(self ${f.selfPercent.toFixed(1)}%)`, 14)} ${f.key}`
    )
  return lines.join("\n")
}
