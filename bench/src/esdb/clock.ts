/**
 * Times that mean the same in every process of the machine: `process.hrtime.bigint()` reads the monotonic clock
 * (CLOCK_MONOTONIC on Linux), which all processes share, so a time taken in one process and a time taken in another
 * subtract to the delay between them. Sent between processes as decimal strings of nanoseconds.
 */
export const now = (): bigint => process.hrtime.bigint()

/** Milliseconds from `from` to `to` (nanosecond times). */
export const millisBetween = (from: bigint, to: bigint): number => Number(to - from) / 1e6
