import type { Readable } from "node:stream"
import { Chunk, Effect, Option } from "effect"
import type { Writes } from "./writes.js"

/** What a cursor hands out: the client's items, and the moment the server said the subscription caught up. */
export type Item<A> = { readonly _tag: "Item"; readonly item: A } | { readonly _tag: "CaughtUp" }

/** The most items one pull takes from the client's buffer. */
const CHUNK_SIZE = 128

/**
 * Pulls the items of one of the client's readable streams (a read or a catch-up subscription) on demand, so the
 * consumer's pace holds the gRPC call back: the stream stays paused and is read only when the consumer pulls, and
 * the client buffers no more than its high-water mark.
 *
 * The client announces "caught up" with an event, not an item, and may announce it while earlier items still wait
 * in its buffer; the cursor notes how many items came before it (those handed out plus those buffered at that
 * moment) and hands out `CaughtUp` exactly there.
 *
 * Given the store's `Writes`, a subscription's cursor takes what arrives while an append is in flight one turn of the
 * event loop later (see `Writes`); failures and the end are always taken at once.
 */
export class Cursor<A> {
  private received = 0
  private caughtUpAt: number | undefined = undefined
  private caughtUpDelivered = false
  private ended = false
  private failure: { readonly error: unknown } | undefined = undefined
  private wake: (() => void) | undefined = undefined
  /** Whether a deferred wake-up is already waiting for the next turn. */
  private deferred = false

  constructor(
    private readonly source: Readable,
    writes?: Writes
  ) {
    const notify = () => this.wake?.()
    const later = () => {
      this.deferred = false
      notify()
    }
    source.on(
      "readable",
      writes === undefined
        ? notify
        : () => {
            if (!writes.busy) return notify()
            if (this.deferred) return
            this.deferred = true
            setImmediate(later)
          }
    )
    source.on("end", () => {
      this.ended = true
      notify()
    })
    source.on("close", () => {
      this.ended = true
      notify()
    })
    // Kept for the life of the source: an `error` event without a listener would throw.
    source.on("error", (error: unknown) => {
      this.failure ??= { error }
      notify()
    })
    source.on("caughtUp", () => {
      this.caughtUpAt ??= this.received + source.readableLength
      notify()
    })
  }

  /**
   * Takes arrivals synchronously while the consumer waits (see `waitForItems`): given the items that arrived, it
   * returns those it left for the pull to hand out — from the first one it did not take, in order.
   */
  arrivals: ((items: Array<Item<A>>) => Array<Item<A>>) | undefined = undefined

  /** Items available now, up to the caught-up mark (empty when there are none). */
  private takeItems(): Array<Item<A>> {
    if (this.caughtUpAt !== undefined && !this.caughtUpDelivered && this.received >= this.caughtUpAt) {
      this.caughtUpDelivered = true
      return [{ _tag: "CaughtUp" }]
    }
    const items: Array<Item<A>> = []
    while (items.length < CHUNK_SIZE) {
      if (this.caughtUpAt !== undefined && !this.caughtUpDelivered && this.received >= this.caughtUpAt) break
      const item: A | null = this.source.read()
      if (item === null) break
      this.received++
      items.push({ _tag: "Item", item })
    }
    return items
  }

  /** Items available now, or the failure or end; `undefined` when there is nothing yet. */
  private take(
    items: Array<Item<A>> = this.takeItems()
  ): Effect.Effect<Chunk.Chunk<Item<A>>, Option.Option<unknown>> | undefined {
    if (items.length > 0) return Effect.succeed(Chunk.unsafeFromArray(items))
    if (this.failure !== undefined) return Effect.fail(Option.some(this.failure.error))
    if (this.ended) return Effect.fail(Option.none())
    return undefined
  }

  /**
   * The next items; fails with `Some(error)` when the source failed and with `None` when it ended. While it takes
   * items no wake-up is armed: reading can make the client process further messages synchronously (and announce
   * "caught up" or an error in the middle of it), and those are picked up by the same `take`, never by a nested one.
   */
  readonly pull: Effect.Effect<Chunk.Chunk<Item<A>>, Option.Option<unknown>> = Effect.suspend(
    () => this.take() ?? this.waitForItems
  )

  /**
   * Waits for the source to have items (or to end or fail), then takes them. Items that arrive while it waits go to
   * `arrivals` first, in the step that announces them, and the consumer is resumed only with what it leaves — or
   * not at all, when it takes everything.
   */
  private readonly waitForItems: Effect.Effect<Chunk.Chunk<Item<A>>, Option.Option<unknown>> = Effect.async(
    (resume) => {
      let done = false
      let waited = false
      const attempt = (): void => {
        if (done) return
        this.wake = undefined
        let items = this.takeItems()
        // Taking can bring a "caught up" mark within reach, so take again until something is left or nothing came.
        const arrivals = waited ? this.arrivals : undefined
        if (arrivals !== undefined) {
          while (items.length > 0) {
            const left = arrivals(items)
            if (left.length > 0) {
              items = left
              break
            }
            items = this.takeItems()
          }
        }
        const taken = this.take(items)
        if (taken === undefined) {
          waited = true
          this.wake = attempt
          return
        }
        done = true
        resume(taken)
      }
      attempt()
      return Effect.sync(() => {
        done = true
        this.wake = undefined
      })
    }
  )
}
