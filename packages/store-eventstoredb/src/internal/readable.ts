import type { Readable } from "node:stream"
import { Effect, Option, type Scope, Stream } from "effect"
import { Cursor, type Item } from "./cursor.js"

/** A readable of the client that can be stopped: a read (`cancel`) or a subscription (`unsubscribe`). */
export type Stoppable = Readable & ({ cancel(): Promise<void> } | { unsubscribe(): Promise<void> })

/** Stops a read or a subscription; the gRPC call may already be over (or may never have started), which is fine. */
export const stop = (source: Stoppable): Effect.Effect<void> =>
  Effect.promise(() => ("cancel" in source ? source.cancel() : source.unsubscribe()).catch(() => undefined))

/**
 * Opens a read or a subscription of the client, with a cursor over it. The cursor is attached in the same
 * synchronous step as the call is made, so no `error` event can come before its listener.
 */
export const open = <A>(make: () => Stoppable): Effect.Effect<Cursor<A>, unknown, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.try({
      try: () => {
        const source = make()
        return { source, cursor: new Cursor<A>(source) }
      },
      catch: (error) => error
    }),
    ({ source }) => stop(source)
  ).pipe(Effect.map(({ cursor }) => cursor))

/** A read of the client as a stream of its items; the call is cancelled when the stream ends, fails or is interrupted. */
export const fromReadable = <A>(make: () => Stoppable): Stream.Stream<Item<A>, unknown> =>
  Stream.fromPull(
    open<A>(make).pipe(
      Effect.map((cursor) => cursor.pull),
      Effect.catchAll((error) => Effect.succeed(Effect.fail(Option.some(error))))
    )
  )
