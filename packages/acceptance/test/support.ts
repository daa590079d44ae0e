/**
 * What several acceptance tests set up alike: the service on a fresh in-memory store with seeded randomness, and the
 * counter of refused authentications.
 */
import { SecureRandom, ServiceAccounts } from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Layer, Logger, LogLevel, Metric } from "effect"

/** The service and its store (both provided), on a fresh in-memory store, with randomness seeded by `seed`. */
export const servicesOnMemory = (seed: Parameters<typeof SecureRandom.layerSeeded>[0]) =>
  ServiceAccounts.layer.pipe(Layer.provideMerge(memoryStore), Layer.provide(SecureRandom.layerSeeded(seed)))

/** `servicesOnMemory`, with every log line (all levels, logfmt) pushed onto `lines`. */
export const servicesOnMemoryLogging = (seed: string, lines: Array<string>) =>
  servicesOnMemory(seed).pipe(
    Layer.provide(
      Logger.replace(
        Logger.defaultLogger,
        Logger.map(Logger.logfmtLogger, (line) => void lines.push(line))
      )
    ),
    Layer.provide(Logger.minimumLogLevel(LogLevel.All))
  )

/** The counter the service increments for each refusal, tagged by cause (same name and description: same metric). */
export const authenticationFailures = (cause: string): Metric.Metric.Counter<number> =>
  Metric.counter("service_accounts_authentication_failures", {
    description: "authentications refused, by cause"
  }).pipe(Metric.tagged("cause", cause))
