import { describe, expect, it, vi } from "@effect/vitest"
import { Progress } from "../src/index.js"

describe("Progress", () => {
  it("renders a bar with the share done and the events so far", () => {
    expect(Progress.render("verifying", 0.5, 12345, 10)).toBe("verifying [█████░░░░░]  50% 12,345 events")
    expect(Progress.render("verifying", 1.7, 3, 4)).toBe("verifying [████] 100% 3 events")
    expect(Progress.render("replaying", undefined, 3)).toBe("replaying 3 events")
  })

  it("draws nothing when the stream is not a terminal", () => {
    const written: Array<string> = []
    const bar = Progress.make("reading", 100, { isTTY: false, write: (text) => written.push(text) })
    bar.update(50, 10)
    bar.finish()
    expect(written).toEqual([])
  })

  it("draws on a terminal, at most every 100 ms, and erases itself when done", () => {
    // The clock is the test's: a busy machine could otherwise put 100 ms between two lines of the test.
    vi.useFakeTimers({ toFake: ["Date"], now: new Date("2026-01-01T00:00:00Z") })
    try {
      const written: Array<string> = []
      const bar = Progress.make("reading", 100, { isTTY: true, columns: 80, write: (text) => written.push(text) })
      bar.update(50, 10)
      vi.advanceTimersByTime(99)
      bar.update(60, 12)
      expect(written).toEqual([`\r${Progress.render("reading", 0.5, 10)}\u001b[K`])
      vi.advanceTimersByTime(1)
      bar.update(70, 14)
      expect(written).toHaveLength(2)
      expect(written[1]).toBe(`\r${Progress.render("reading", 0.7, 14)}\u001b[K`)
      bar.finish()
      expect(written[2]).toBe("\r\u001b[K")
    } finally {
      vi.useRealTimers()
    }
  })
})
