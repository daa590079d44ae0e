import { type ConfigProvider, Effect, Logger, LogLevel } from "effect"
import { program } from "../src/program.js"

/** The example's output, with the configuration given (the environment is not read unless it is passed). */
export const run = (configProvider: ConfigProvider.ConfigProvider) =>
  Effect.gen(function* () {
    const lines: Array<string> = []
    yield* program((line) => lines.push(line)).pipe(
      Effect.withConfigProvider(configProvider),
      Logger.withMinimumLogLevel(LogLevel.Warning)
    )
    return lines.join("\n")
  })
