import { Effect, type Either } from "effect"

/**
 * Everything the process prints while `effect` runs (console calls and writes to standard output and error), with
 * the effect's result.
 */
export const printed = <A, E, R>(
  effect: Effect.Effect<A, E, R>
): Effect.Effect<{ readonly result: Either.Either<A, E>; readonly lines: ReadonlyArray<string> }, never, R> =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const lines: Array<string> = []
      const methods = ["log", "info", "warn", "error", "debug", "trace"] as const
      const consoles = methods.map((name) => [name, console[name]] as const)
      for (const name of methods) {
        console[name] = (...args: Array<unknown>) => void lines.push(args.map(String).join(" "))
      }
      const out = process.stdout.write
      const err = process.stderr.write
      const capture = (chunk: unknown) => {
        lines.push(String(chunk))
        return true
      }
      process.stdout.write = capture as typeof process.stdout.write
      process.stderr.write = capture as typeof process.stderr.write
      return {
        lines,
        restore: () => {
          for (const [name, method] of consoles) console[name] = method
          process.stdout.write = out
          process.stderr.write = err
        }
      }
    }),
    ({ lines }) => Effect.map(Effect.either(effect), (result) => ({ result, lines })),
    ({ restore }) => Effect.sync(restore)
  )
