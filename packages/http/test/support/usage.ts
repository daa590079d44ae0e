/**
 * What the usage tests share: the answers' schemas, the UTC day of a time, a clock the test can move, waiting for a
 * condition (the usage view learns of a use only once its recorder has flushed it), and the uses a store holds.
 */
import { decodeUsage, type EventStoreShape, isUsageStream } from "@service-accounts/domain"
import { Clock, Effect, Either, Schema, Stream } from "effect"

export const DAY = 86_400_000

/** `YYYY-MM-DD` (UTC) of a time. */
export const dayOf = (millis: number): string => new Date(millis).toISOString().slice(0, 10)

const Counts = Schema.Struct({ requests: Schema.Number, units: Schema.Number })
const Day = Schema.Struct({ day: Schema.String, requests: Schema.Number, units: Schema.Number })
const TokenUsage = Schema.Struct({
  tokenId: Schema.String,
  name: Schema.String,
  status: Schema.String,
  lastUsedAt: Schema.optional(Schema.String),
  window: Counts,
  total: Counts,
  days: Schema.Array(Day)
})
export const Report = Schema.Struct({
  organizationId: Schema.String,
  since: Schema.String,
  window: Counts,
  total: Counts,
  days: Schema.Array(Day),
  accounts: Schema.Array(
    Schema.Struct({
      serviceAccountId: Schema.String,
      name: Schema.String,
      lastUsedAt: Schema.optional(Schema.String),
      window: Counts,
      total: Counts,
      days: Schema.Array(Day),
      tokens: Schema.Array(TokenUsage)
    })
  )
})
export const Unused = Schema.Struct({
  days: Schema.Number,
  tokens: Schema.Array(
    Schema.Struct({
      serviceAccountId: Schema.String,
      accountName: Schema.String,
      tokenId: Schema.String,
      name: Schema.String,
      issuedAt: Schema.String,
      lastUsedAt: Schema.optional(Schema.String)
    })
  )
})

/**
 * Asks `get` until `check` holds of its answer, and returns that answer. The limit only turns a hang into a failure:
 * on a busy machine a flush and the subscription after it may take seconds.
 */
export const eventually = async <A>(get: () => Promise<A>, check: (value: A) => boolean): Promise<A> => {
  let last: A | undefined
  for (let i = 0; i < 4000; i++) {
    last = await get()
    if (check(last)) return last
    await new Promise((resolve) => setTimeout(resolve, 10))
  }
  throw new Error(`the condition never held; the last answer was ${JSON.stringify(last)}`)
}

/** The real clock, moved by `shift` milliseconds (sleeping is the real clock's). */
export const movableClock = () => {
  const real = Clock.make()
  let offset = 0
  const millis = () => real.unsafeCurrentTimeMillis() + offset
  const clock: Clock.Clock = {
    [Clock.ClockTypeId]: Clock.ClockTypeId,
    unsafeCurrentTimeMillis: millis,
    currentTimeMillis: Effect.sync(millis),
    unsafeCurrentTimeNanos: () => BigInt(millis()) * 1_000_000n,
    currentTimeNanos: Effect.sync(() => BigInt(millis()) * 1_000_000n),
    sleep: (duration) => real.sleep(duration)
  }
  return {
    clock,
    /** Sets how far from the real time the clock is. */
    set: (millisFromNow: number) => {
      offset = millisFromNow
    }
  }
}

/** The requests the store's usage events hold, per token id. */
export const storedRequests = (store: EventStoreShape): Promise<Map<string, number>> =>
  Effect.runPromise(
    Stream.runFold(
      Stream.filter(store.readAll(), (event) => isUsageStream(event.streamId)),
      new Map<string, number>(),
      (sums, recorded) => {
        const decoded = decodeUsage(recorded)
        if (Either.isLeft(decoded)) throw new Error(decoded.left.message)
        for (const entry of decoded.right.event.entries) {
          sums.set(entry.tokenId, (sums.get(entry.tokenId) ?? 0) + entry.requests)
        }
        return sums
      }
    )
  )
