/**
 * What several acceptance tests set up alike: the service on a fresh in-memory store with seeded randomness, and the
 * counter of refused authentications.
 */
import {
  EventStore,
  type EventStoreShape,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import { layer as memoryStore } from "@service-accounts/store-memory"
import { Effect, Layer, Logger, LogLevel, ManagedRuntime, Metric } from "effect"

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

/**
 * A service with a runtime of its own on `store`, as a process would have. No staleness bound: a machine slow enough
 * to take seconds must not make it refuse every token meanwhile.
 */
export const serviceOn = (store: EventStoreShape) =>
  ManagedRuntime.make(
    ServiceAccounts.layerWith({ maxStaleness: "unbounded" }).pipe(
      Layer.provide(Layer.succeed(EventStore, store)),
      Layer.provide(Logger.minimumLogLevel(LogLevel.Error))
    )
  )

/**
 * Two processes' services: A on `store`, B on `seenByB` (the same store, as B's subscriptions see it). `body` runs
 * with both; both are disposed of afterwards, B first.
 */
export const twoProcesses = async <A>(
  store: EventStoreShape,
  seenByB: EventStoreShape,
  body: (a: ServiceAccountsShape, b: ServiceAccountsShape) => Promise<A>
): Promise<A> => {
  const first = serviceOn(store)
  const second = serviceOn(seenByB)
  try {
    return await body(await first.runPromise(ServiceAccounts), await second.runPromise(ServiceAccounts))
  } finally {
    await second.dispose()
    await first.dispose()
  }
}

/** Runs a service call with its logs below errors filtered (a runtime's logger only covers building its layers). */
export const quietly = <A, E>(effect: Effect.Effect<A, E>): Promise<A> =>
  Effect.runPromise(Logger.withMinimumLogLevel(effect, LogLevel.Error))
