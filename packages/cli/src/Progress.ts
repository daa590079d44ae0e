/**
 * A progress bar on standard error, for long reads: drawn only when standard error is a terminal, at most ten
 * times a second, and erased when the work is done, so piped or captured output never sees it.
 *
 * @example
 * ```ts
 * import { Progress } from "@service-accounts/cli"
 *
 * Progress.render("replay", 0.5, 1234, 10) // "replay [█████░░░░░]  50% 1,234 events"
 *
 * // A bar for a long read: drawn on standard error only when it is a terminal, erased at the end.
 * const copyAll = (chunks: ReadonlyArray<string>) => {
 *   const total = chunks.reduce((sum, chunk) => sum + chunk.length, 0)
 *   const bar = Progress.make("copying", total)
 *   let done = 0
 *   for (const [i, chunk] of chunks.entries()) {
 *     done += chunk.length
 *     bar.update(done, i + 1)
 *   }
 *   bar.finish()
 * }
 * ```
 *
 * @since 0.1.0
 */

/**
 * @since 0.1.0
 * @category models
 */
export interface Progress {
  /** `done` out of the total (bytes of a file, positions of a store); `events` so far. */
  readonly update: (done: number, events: number) => void
  /** Erases the bar. */
  readonly finish: () => void
}

/**
 * The bar's text for a fraction (0–1) of the work and a count of events.
 *
 * @since 0.1.0
 * @category rendering
 */
export const render = (label: string, fraction: number | undefined, events: number, width = 30): string => {
  const count = `${events.toLocaleString("en-US")} events`
  if (fraction === undefined || !Number.isFinite(fraction)) return `${label} ${count}`
  const clamped = Math.min(1, Math.max(0, fraction))
  const filled = Math.round(clamped * width)
  const percent = `${Math.floor(clamped * 100)}%`.padStart(4)
  return `${label} [${"█".repeat(filled)}${"░".repeat(width - filled)}] ${percent} ${count}`
}

/**
 * A bar that draws nothing.
 *
 * @since 0.1.0
 * @category constructors
 */
export const silent: Progress = { update: () => undefined, finish: () => undefined }

/**
 * Where a bar is drawn: what it needs of a Node stream.
 *
 * @since 0.1.0
 * @category models
 */
export interface Terminal {
  readonly isTTY?: boolean
  readonly columns?: number
  readonly write: (text: string) => unknown
}

/**
 * A bar on `stream` (standard error by default) when it is a terminal, else `silent`.
 *
 * @since 0.1.0
 * @category constructors
 */
export const make = (label: string, total: number | undefined, stream: Terminal = process.stderr): Progress => {
  if (stream.isTTY !== true) return silent
  let last = 0
  let drawn = false
  return {
    update: (done, events) => {
      const now = Date.now()
      if (now - last < 100) return
      last = now
      drawn = true
      const columns = Math.max(40, stream.columns ?? 80)
      const width = Math.max(10, Math.min(30, columns - label.length - 32))
      const text = render(label, total === undefined || total <= 0 ? undefined : done / total, events, width)
      stream.write(`\r${text.slice(0, columns - 1)}\u001b[K`)
    },
    finish: () => {
      if (drawn) stream.write("\r\u001b[K")
      drawn = false
    }
  }
}
