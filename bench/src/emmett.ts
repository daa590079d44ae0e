/**
 * The peer: the same directory decider run by Emmett's `CommandHandler` on Emmett's in-memory event store
 * (`@event-driven-io/emmett`, a dev dependency of this package only). Emmett events are `{ type, data }`; the
 * data is the library's encoded event, so all three implementations store the same JSON.
 *
 * This module is the only place that touches Emmett's types.
 */
import { CommandHandler, type Event, getInMemoryEventStore } from "@event-driven-io/emmett"
import type { CreatedJson, DeletedJson, EventJson, TokenIssuedJson, TokenRevokedJson } from "./history.js"
import { type PlainDirectory, emptyDirectory, evolve } from "./plain.js"

export type DirectoryEvent =
  | Event<"ServiceAccountCreated", CreatedJson>
  | Event<"TokenIssued", TokenIssuedJson>
  | Event<"TokenRevoked", TokenRevokedJson>
  | Event<"ServiceAccountDeleted", DeletedJson>

/** The Emmett event for an encoded event (a switch, so each member keeps its own type). */
export const toEmmett = (event: EventJson): DirectoryEvent => {
  switch (event._tag) {
    case "ServiceAccountCreated":
      return { type: event._tag, data: event }
    case "TokenIssued":
      return { type: event._tag, data: event }
    case "TokenRevoked":
      return { type: event._tag, data: event }
    case "ServiceAccountDeleted":
      return { type: event._tag, data: event }
  }
}

export type EmmettStore = ReturnType<typeof getInMemoryEventStore>

export const makeStore = (): EmmettStore => getInMemoryEventStore()

/** Appends events without a concurrency check (for building a history). */
export const appendHistory = async (
  store: EmmettStore,
  streamId: string,
  events: ReadonlyArray<EventJson>
): Promise<void> => {
  if (events.length > 0) await store.appendToStream(streamId, events.map(toEmmett))
}

/** Emmett's command handler: it reads the whole stream and folds it for every command. */
export const handle = CommandHandler<PlainDirectory, DirectoryEvent>({
  evolve: (state, event) => evolve(state, event.data),
  initialState: emptyDirectory
})

/** The number of events in a stream. */
export const streamLength = async (store: EmmettStore, streamId: string): Promise<number> =>
  (await store.readStream(streamId)).events.length
