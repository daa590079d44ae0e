/** Called around the timed part of a workload (the profiler hooks in here). */
export interface Probe {
  readonly start: () => Promise<void>
  readonly stop: () => Promise<void>
}

export const noProbe: Probe = { start: () => Promise.resolve(), stop: () => Promise.resolve() }
