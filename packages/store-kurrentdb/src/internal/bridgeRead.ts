import type { ClientEvent, Pull } from "@service-accounts/eventstoredb-core"
import { Chunk, Effect, Option, type Scope } from "effect"

/** The most events one pull takes from the client. */
const CHUNK_SIZE = 128

/**
 * A read of `@kurrent/kurrentdb-client`, which goes through its native bridge and comes out as an async iterator of
 * events, as the port's reads pull it: up to a chunk of events a pull, in order. A failure after some events of a
 * pull is kept for the next pull, so those events go out first. The scope's end stops the iterator without waiting
 * for it: a `return` queued behind a pending `next` would otherwise hold the scope until the bridge answers.
 */
export const bridgeRead = <A extends ClientEvent>(
  make: () => AsyncIterator<A>
): Effect.Effect<Pull<ClientEvent>, unknown, Scope.Scope> =>
  Effect.acquireRelease(Effect.try({ try: make, catch: (error) => error }), (iterator) =>
    Effect.sync(() => {
      iterator.return?.(undefined).catch(() => undefined)
    })
  ).pipe(
    Effect.map((iterator) => {
      let ended = false
      let failure: { readonly error: unknown } | undefined
      const take = async (): Promise<Array<ClientEvent>> => {
        const events: Array<ClientEvent> = []
        try {
          while (events.length < CHUNK_SIZE) {
            const next = await iterator.next()
            if (next.done === true) {
              ended = true
              break
            }
            events.push(next.value)
          }
        } catch (error) {
          failure = { error }
        }
        return events
      }
      const pull: Pull<ClientEvent> = Effect.suspend(() => {
        if (ended) return Effect.fail(Option.none())
        if (failure !== undefined) return Effect.fail(Option.some(failure.error))
        return Effect.flatMap(
          Effect.promise(take),
          (events): Pull<ClientEvent> =>
            events.length > 0
              ? Effect.succeed(Chunk.unsafeFromArray(events))
              : failure !== undefined
                ? Effect.fail(Option.some(failure.error))
                : Effect.fail(Option.none())
        )
      })
      return pull
    })
  )
