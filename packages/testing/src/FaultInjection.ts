/**
 * Fault injection for any `EventStore`: a wrapper that, seeded and at configurable rates, makes appends fail
 * before they commit (nothing written), fail after they commit (written, but the reply is "lost": the outcome is
 * unknown to the caller), delays replies, fails reads and drops subscriptions part-way. It counts every fault it
 * injects, by kind, so a test can print what its run survived.
 *
 * Each kind of decision draws from its own seeded generator, so the faults met by appends depend only on the
 * seed and the number of appends — not on how a subscription or a read happened to interleave with them. A
 * single-fibre run is therefore reproducible from its seed.
 *
 * Delays sleep on the Effect `Clock`: run such tests under real time (`it.live`) with small delays, or drive a
 * `TestClock`.
 *
 * @example
 * ```ts
 * import { EventStore } from "@service-accounts/domain"
 * import { layer as memoryStore } from "@service-accounts/store-memory"
 * import { FaultInjector, layerWithFaults } from "@service-accounts/testing"
 * import { Effect } from "effect"
 *
 * // 10% of appends fail: half before the write, half after it (the reply is lost).
 * const faulty = layerWithFaults({ seed: 42, rates: { beforeCommit: 0.05, afterCommit: 0.05 } })(memoryStore)
 *
 * const program = Effect.gen(function* () {
 *   const store = yield* EventStore
 *   const injector = yield* FaultInjector
 *   // … run commands against `store` …
 *   return yield* injector.counts
 * }).pipe(Effect.provide(faulty))
 * ```
 *
 * @since 0.1.0
 */
import {
  EventStore,
  type EventStoreShape,
  EventStoreUnavailable,
  type RecordedEvent,
  type ReadError,
  type SubscriptionMessage
} from "@service-accounts/domain"
import { Context, Duration, Effect, Layer, Stream } from "effect"

/**
 * What happens to one append: nothing, a failure before anything is written, or a failure after the write
 * committed (the reply is lost).
 *
 * @since 0.1.0
 * @category models
 */
export type AppendFault = "none" | "beforeCommit" | "afterCommit"

/**
 * The share (0–1) of operations that meet each fault.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultRates {
  /** Appends that fail with a retryable `EventStoreUnavailable` before anything is written. */
  readonly beforeCommit?: number
  /** Appends that are written, then fail with a retryable `EventStoreUnavailable` marked `unknownOutcome`. */
  readonly afterCommit?: number
  /** Replies (appends, reads, subscription messages) delayed by `minDelay`–`maxDelay`. */
  readonly delay?: number
  /** Reads (`readStream`, `readAll`) that fail with a retryable `EventStoreUnavailable` before delivering anything. */
  readonly readFailure?: number
  /** Subscription messages at which the subscription fails with a retryable `EventStoreUnavailable` instead. */
  readonly subscriptionDrop?: number
}

/**
 * @since 0.1.0
 * @category models
 */
export interface FaultOptions {
  /** The same seed, rates and sequence of operations give the same faults. */
  readonly seed: number | string
  readonly rates: FaultRates
  /** The shortest injected delay. Default 0. */
  readonly minDelay?: Duration.DurationInput
  /** The longest injected delay. Default 2 ms. */
  readonly maxDelay?: Duration.DurationInput
}

/**
 * What the wrapper saw and injected so far.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultCounts {
  readonly appends: number
  /** Appends the store refused with `ConcurrencyConflict` (not a fault: another writer came first). */
  readonly conflicts: number
  readonly beforeCommit: number
  readonly afterCommit: number
  readonly reads: number
  readonly readFailures: number
  readonly subscriptions: number
  readonly subscriptionMessages: number
  readonly subscriptionDrops: number
  readonly delays: number
}

/**
 * Faults to inject next, whatever the rates say: they are used up in order, before any random draw.
 *
 * @since 0.1.0
 * @category models
 */
export interface ForcedFaults {
  /** The outcomes of the next appends, in order. */
  readonly appends?: ReadonlyArray<AppendFault>
  /** Fail the next this-many reads. */
  readonly readFailures?: number
  /** Drop a subscription at each of the next this-many subscription messages. */
  readonly subscriptionDrops?: number
}

/**
 * A fault injector: wraps stores, counts what it injected, and can be paused or told what to inject next.
 *
 * @since 0.1.0
 * @category models
 */
export interface FaultInjectorShape {
  /** Wraps a store. Every store wrapped by one injector shares its generators, switch and counts. */
  readonly wrap: (store: EventStoreShape) => EventStoreShape
  readonly counts: Effect.Effect<FaultCounts>
  /** Switches random faults on or off (forced faults still apply). On at first. */
  readonly setEnabled: (enabled: boolean) => Effect.Effect<void>
  /** Queues faults to inject next. */
  readonly force: (faults: ForcedFaults) => Effect.Effect<void>
  /** Drops the forced faults not used yet. */
  readonly clearForced: Effect.Effect<void>
}

/**
 * The injector behind a store built with `layerWithFaults`, for reading its counts or steering it.
 *
 * @since 0.1.0
 * @category tags
 */
export class FaultInjector extends Context.Tag("@service-accounts/testing/FaultInjector")<
  FaultInjector,
  FaultInjectorShape
>() {}

/** FNV-1a over the text: a 32-bit seed for one generator. */
const hash32 = (text: string): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return h >>> 0
}

/** mulberry32: small, fast, good enough to decide faults; never for secrets. */
const generator = (seed: string): (() => number) => {
  let state = hash32(seed)
  return () => {
    state = (state + 0x6d2b79f5) | 0
    let t = state
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

const unavailable = (operation: string, reason: string, unknownOutcome = false) =>
  new EventStoreUnavailable({
    operation,
    reason: `injected fault: ${reason}`,
    retryable: true,
    ...(unknownOutcome ? { unknownOutcome: true } : {})
  })

const rate = (value: number | undefined): number => Math.min(1, Math.max(0, value ?? 0))

/**
 * Creates a fault injector.
 *
 * @since 0.1.0
 * @category constructors
 */
export const makeFaultInjector = (options: FaultOptions): FaultInjectorShape => {
  const seed = String(options.seed)
  const appendDraw = generator(`${seed}:append`)
  const readDraw = generator(`${seed}:read`)
  const subscriptionDraw = generator(`${seed}:subscription`)
  const delayDraw = generator(`${seed}:delay`)
  const beforeCommit = rate(options.rates.beforeCommit)
  const afterCommit = rate(options.rates.afterCommit)
  const delayRate = rate(options.rates.delay)
  const readFailure = rate(options.rates.readFailure)
  const subscriptionDrop = rate(options.rates.subscriptionDrop)
  const minDelay = Duration.toMillis(options.minDelay ?? 0)
  const maxDelay = Math.max(minDelay, Duration.toMillis(options.maxDelay ?? 2))

  let enabled = true
  const forcedAppends: Array<AppendFault> = []
  let forcedReadFailures = 0
  let forcedDrops = 0
  const counts = {
    appends: 0,
    conflicts: 0,
    beforeCommit: 0,
    afterCommit: 0,
    reads: 0,
    readFailures: 0,
    subscriptions: 0,
    subscriptionMessages: 0,
    subscriptionDrops: 0,
    delays: 0
  }

  const nextAppendFault = (): AppendFault => {
    const forced = forcedAppends.shift()
    if (forced !== undefined) return forced
    // Draw even when disabled, so pausing does not shift the faults that follow.
    const u = appendDraw()
    if (!enabled) return "none"
    return u < beforeCommit ? "beforeCommit" : u < beforeCommit + afterCommit ? "afterCommit" : "none"
  }

  const nextReadFails = (): boolean => {
    if (forcedReadFailures > 0) {
      forcedReadFailures--
      return true
    }
    const u = readDraw()
    return enabled && u < readFailure
  }

  const nextDrop = (): boolean => {
    if (forcedDrops > 0) {
      forcedDrops--
      return true
    }
    const u = subscriptionDraw()
    return enabled && u < subscriptionDrop
  }

  /** Sleeps for a drawn delay, or not at all. */
  const maybeDelay: Effect.Effect<void> = Effect.suspend(() => {
    const u = delayDraw()
    const length = delayDraw()
    if (!enabled || u >= delayRate) return Effect.void
    counts.delays++
    return Effect.sleep(Duration.millis(minDelay + length * (maxDelay - minDelay)))
  })

  const faultyRead = (operation: string, read: () => Stream.Stream<RecordedEvent, ReadError>) =>
    Stream.suspend(() => {
      counts.reads++
      if (nextReadFails()) {
        counts.readFailures++
        return Stream.fail(unavailable(operation, "the read failed before delivering anything"))
      }
      return Stream.concat(Stream.drain(Stream.fromEffect(maybeDelay)), read())
    })

  const faultySubscription = (
    subscribe: () => Stream.Stream<SubscriptionMessage, ReadError>
  ): Stream.Stream<SubscriptionMessage, ReadError> =>
    Stream.suspend(() => {
      counts.subscriptions++
      return Stream.mapEffect(subscribe(), (message) =>
        Effect.suspend(() => {
          counts.subscriptionMessages++
          if (nextDrop()) {
            counts.subscriptionDrops++
            return Effect.fail(unavailable("subscribe", "the subscription was dropped"))
          }
          return Effect.as(maybeDelay, message)
        })
      )
    })

  const countConflicts = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
    Effect.tapError(effect, (error) =>
      Effect.sync(() => {
        if (typeof error === "object" && error !== null && "_tag" in error && error._tag === "ConcurrencyConflict") {
          counts.conflicts++
        }
      })
    )

  const wrap = (store: EventStoreShape): EventStoreShape => ({
    append: (streamId, events, expected) =>
      Effect.suspend(() => {
        counts.appends++
        switch (nextAppendFault()) {
          case "beforeCommit":
            counts.beforeCommit++
            return Effect.zipRight(
              maybeDelay,
              Effect.fail(unavailable("append", "the connection failed before the write was sent"))
            )
          case "afterCommit":
            return Effect.flatMap(countConflicts(store.append(streamId, events, expected)), () => {
              counts.afterCommit++
              return Effect.zipRight(
                maybeDelay,
                Effect.fail(unavailable("append", "the write was committed but its reply was lost", true))
              )
            })
          case "none":
            return Effect.zipLeft(countConflicts(store.append(streamId, events, expected)), maybeDelay)
        }
      }),
    readStream: (streamId, readOptions) => faultyRead("readStream", () => store.readStream(streamId, readOptions)),
    readAll: (readOptions) => faultyRead("readAll", () => store.readAll(readOptions)),
    subscribeToStream: (streamId, subscribeOptions) =>
      faultySubscription(() => store.subscribeToStream(streamId, subscribeOptions)),
    subscribeToAll: (subscribeOptions) => faultySubscription(() => store.subscribeToAll(subscribeOptions)),
    tombstone: (streamId, expected) => Effect.zipLeft(store.tombstone(streamId, expected), maybeDelay)
  })

  return {
    wrap,
    counts: Effect.sync(() => ({ ...counts })),
    setEnabled: (value) =>
      Effect.sync(() => {
        enabled = value
      }),
    force: (faults) =>
      Effect.sync(() => {
        forcedAppends.push(...(faults.appends ?? []))
        forcedReadFailures += faults.readFailures ?? 0
        forcedDrops += faults.subscriptionDrops ?? 0
      }),
    clearForced: Effect.sync(() => {
      forcedAppends.length = 0
      forcedReadFailures = 0
      forcedDrops = 0
    })
  }
}

/**
 * Wraps a store with faults: `withFaults(options)(store)`. Use `makeFaultInjector` instead to read the counts.
 *
 * @since 0.1.0
 * @category combinators
 */
export const withFaults =
  (options: FaultOptions) =>
  (store: EventStoreShape): EventStoreShape =>
    makeFaultInjector(options).wrap(store)

/**
 * Wraps the `EventStore` a layer provides with faults, and provides the `FaultInjector` too.
 *
 * @since 0.1.0
 * @category layers
 */
export const layerWithFaults =
  (options: FaultOptions) =>
  <E, R>(store: Layer.Layer<EventStore, E, R>): Layer.Layer<EventStore | FaultInjector, E, R> =>
    Layer.effectContext(
      Effect.gen(function* () {
        const inner = yield* EventStore
        const injector = makeFaultInjector(options)
        return Context.make(EventStore, injector.wrap(inner)).pipe(Context.add(FaultInjector, injector))
      })
    ).pipe(Layer.provide(store))

/**
 * The faults injected so far, as one line for a test's report.
 *
 * @since 0.1.0
 * @category utils
 */
export const formatFaultCounts = (counts: FaultCounts): string =>
  [
    `appends ${counts.appends}`,
    `conflicts ${counts.conflicts}`,
    `failed before commit ${counts.beforeCommit}`,
    `failed after commit ${counts.afterCommit}`,
    `reads ${counts.reads}`,
    `failed reads ${counts.readFailures}`,
    `subscriptions ${counts.subscriptions}`,
    `subscription messages ${counts.subscriptionMessages}`,
    `dropped subscriptions ${counts.subscriptionDrops}`,
    `delayed replies ${counts.delays}`
  ].join(", ")
