/**
 * The quick-start story on EventStoreDB, then what it left in the store: the organisation's stream, event by event.
 */
import { EventStore, OrganizationId, ServiceAccounts, directoryStream } from "@service-accounts/domain"
import { story } from "@service-accounts/example-quickstart/src/story.js"
import { Chunk, Effect, Layer, Stream } from "effect"
import { StoreDescription, StoreLive } from "./Store.js"

/** The story and the stream it left, written line by line through `say`. */
export const program = (say: (line: string) => void) =>
  Effect.gen(function* () {
    const { description } = yield* StoreDescription
    say(`Events are kept in ${description}.\n`)
    yield* story(say)
    const store = yield* EventStore
    const streamId = directoryStream(OrganizationId.make("acme"))
    const events = Chunk.toReadonlyArray(yield* Stream.runCollect(store.readStream(streamId)))
    say(
      `\nThe stream ${streamId} now holds ${events.length} events (its category projection: $ce-serviceAccountDirectory):`
    )
    for (const event of events) {
      say(`   @${event.revision} (position ${event.position})  ${event.type}  id ${event.eventId}`)
    }
  }).pipe(Effect.provide(ServiceAccounts.layer.pipe(Layer.provideMerge(StoreLive))))
