/**
 * CPU profiles of the timed part of a workload only, through the inspector (the same V8 profiler as
 * `node --cpu-prof`, which profiles the whole process, set-up included).
 */
import { writeFileSync } from "node:fs"
import { Session } from "node:inspector/promises"
import type { Probe } from "./probe.js"

/** A probe that profiles between `start` and `stop` and writes the profile to `path`. */
export const profilingProbe = (path: string, intervalMicros = 100): Probe => {
  const session = new Session()
  return {
    start: async () => {
      session.connect()
      await session.post("Profiler.enable")
      await session.post("Profiler.setSamplingInterval", { interval: intervalMicros })
      await session.post("Profiler.start")
    },
    stop: async () => {
      const { profile } = await session.post("Profiler.stop")
      writeFileSync(path, JSON.stringify(profile))
      session.disconnect()
    }
  }
}
