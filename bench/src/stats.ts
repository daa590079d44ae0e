/** Summary statistics of repeated measurements. */
export interface Spread {
  readonly median: number
  readonly min: number
  readonly max: number
  /** First and third quartiles (linear interpolation). */
  readonly q1: number
  readonly q3: number
  readonly runs: ReadonlyArray<number>
}

const quantile = (sorted: ReadonlyArray<number>, q: number): number => {
  if (sorted.length === 0) return Number.NaN
  const at = (sorted.length - 1) * q
  const low = Math.floor(at)
  const high = Math.ceil(at)
  const a = sorted[low] ?? Number.NaN
  const b = sorted[high] ?? Number.NaN
  return a + (b - a) * (at - low)
}

/** The q-quantile of some values (0.5: the median, 0.99: the 99th percentile), by linear interpolation. */
export const percentile = (values: ReadonlyArray<number>, q: number): number =>
  quantile(
    [...values].sort((a, b) => a - b),
    q
  )

export const spread = (runs: ReadonlyArray<number>): Spread => {
  const sorted = [...runs].sort((a, b) => a - b)
  return {
    median: quantile(sorted, 0.5),
    min: sorted[0] ?? Number.NaN,
    max: sorted[sorted.length - 1] ?? Number.NaN,
    q1: quantile(sorted, 0.25),
    q3: quantile(sorted, 0.75),
    runs
  }
}

/** A ratio of two measured quantities: of the medians, with the range of the per-run ratios. */
export interface Ratio {
  readonly value: number
  readonly min: number
  readonly max: number
  /** Whether the per-run ratios pair runs measured side by side (same process, same round). */
  readonly paired: boolean
}

/**
 * `a / b`. Runs measured in the same rounds are paired (round i of `a` over round i of `b`); otherwise the range is
 * the widest the two spreads allow.
 */
export const ratio = (a: Spread, b: Spread, paired: boolean): Ratio => {
  const value = a.median / b.median
  if (paired && a.runs.length === b.runs.length) {
    const each = a.runs.map((x, i) => x / (b.runs[i] ?? Number.NaN))
    return { value, min: Math.min(...each), max: Math.max(...each), paired: true }
  }
  return { value, min: a.min / b.max, max: a.max / b.min, paired: false }
}
