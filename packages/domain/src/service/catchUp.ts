/**
 * Read-your-writes across processes: waiting until this process's read models hold everything the store holds now.
 *
 * A command's events reach this process's read models at once, and other processes' through its subscription, a
 * moment later. A host that must see, in this process, a write that another process has finished (the page after a
 * revocation made through another instance, say) catches up first: one read of the position of the store's last
 * event, then a wait until the follower has handled it. Every write that returned before the call is then in the
 * read models. The position comes from the store, not from the caller, so nothing has to travel with the request and
 * nothing a caller sends can make a process wait for a position that will never come.
 *
 * @internal
 */
import { Effect, Option, Stream } from "effect"
import type { ReadError } from "../model/Errors.js"
import type { EventStoreShape } from "../store/EventStore.js"

/** The position of the store's last event, as a reader of the whole store sees it (`none`: the store is empty). */
export const lastPosition = (store: EventStoreShape): Effect.Effect<Option.Option<bigint>, ReadError> =>
  store.readAll({ from: "end", direction: "backwards", maxCount: 1 }).pipe(
    Stream.runHead,
    Effect.map(Option.map((event) => event.position)),
    // A last event the store cannot read still has a place: the follower records it when it meets it.
    Effect.catchIf(
      (error) => error._tag === "CorruptStoredEvent" && error.position !== undefined,
      (error) => Effect.succeed(Option.fromNullable(error._tag === "CorruptStoredEvent" ? error.position : undefined))
    )
  )

/** Reads the store's last position and waits until the follower has handled it (`reach`, the follower's). */
export const catchUp = (
  store: EventStoreShape,
  reach: (position: bigint) => Effect.Effect<void>
): Effect.Effect<void, ReadError> =>
  Effect.flatMap(lastPosition(store), (last) => (Option.isSome(last) ? reach(last.value) : Effect.void))
