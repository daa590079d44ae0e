import { Chunk, Effect, Option, type Scope, Stream } from "effect"
import type { OpenRead, Pull, Stoppable } from "./client.js"
import { Cursor, type Item } from "./cursor.js"
import type { Writes } from "./writes.js"

/** Stops a read or a subscription; the gRPC call may already be over (or may never have started), which is fine. */
export const stop = (source: Stoppable): Effect.Effect<void> =>
  Effect.promise(() => ("cancel" in source ? source.cancel() : source.unsubscribe()).catch(() => undefined))

/**
 * Opens a read or a subscription of a client, with a cursor over it. The cursor is attached in the same
 * synchronous step as the call is made, so no `error` event can come before its listener. A subscription passes
 * its store's `Writes`, to give way to the store's own appends.
 */
export const open = <A>(make: () => Stoppable, writes?: Writes): Effect.Effect<Cursor<A>, unknown, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const source = make()
        return { source, cursor: new Cursor<A>(source, writes) }
      },
      catch: (error) => error
    }),
    ({ source }) => stop(source)
  ).pipe(Effect.map(({ cursor }) => cursor))

/**
 * A read of a client that is a Node readable (no "caught up" in a read), as the port's reads pull it.
 *
 * @since 0.1.0
 * @category reads
 */
export const readableRead = <A>(make: () => Stoppable): Effect.Effect<Pull<A>, unknown, Scope.Scope> =>
  Effect.map(open<A>(make), (cursor) =>
    Effect.map(cursor.pull, (chunk) =>
      Chunk.filterMap(chunk, (item: Item<A>) => (item._tag === "Item" ? Option.some(item.item) : Option.none()))
    )
  )

/** A read as a stream of the client's events; the call is cancelled when the stream ends, fails or is interrupted. */
export const fromRead = <A>(read: Effect.Effect<Pull<A>, unknown, Scope.Scope>): Stream.Stream<A, unknown> =>
  Stream.fromPull(read.pipe(Effect.catchAll((error) => Effect.succeed(Effect.fail(Option.some(error))))))

export type { OpenRead, Stoppable }
