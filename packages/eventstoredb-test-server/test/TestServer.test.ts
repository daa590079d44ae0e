import { EventStoreDBClient, jsonEvent } from "@eventstore/db-client"
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer } from "effect"
import { scoped, start, TestServer, TestServerStartError } from "../src/index.js"
import { collect } from "./helpers.js"

const useClient = <A>(connectionString: string, f: (client: EventStoreDBClient) => Promise<A>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => EventStoreDBClient.connectionString(connectionString)),
    (client) => Effect.promise(() => f(client)),
    (client) => Effect.promise(() => client.dispose())
  )

describe("TestServer", () => {
  it.scoped("provides a connection string the real client can use", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      expect(server.connectionString).toBe(`esdb://127.0.0.1:${server.port}?tls=false`)
      const read = yield* useClient(server.connectionString, async (client) => {
        await client.appendToStream("effect", jsonEvent({ type: "Provided", data: {} }))
        return collect(client.readStream("effect"))
      })
      expect(read.map((e) => e.event?.type)).toEqual(["Provided"])
      expect(yield* server.callCount("Streams.BatchAppend")).toBe(1)
      expect(yield* server.dropSubscriptions()).toBe(0)
    }).pipe(Effect.provide(TestServer.layer()))
  )

  it.scoped("restarts with its data on the same port", () =>
    Effect.gen(function* () {
      const server = yield* TestServer
      yield* useClient(server.connectionString, (client) =>
        client.appendToStream("kept", jsonEvent({ type: "Written", data: {} }))
      )
      yield* server.restart
      // A new client, so no connection of the old listener is reused.
      const read = yield* useClient(server.connectionString, (client) => collect(client.readStream("kept")))
      expect(read.map((e) => e.event?.type)).toEqual(["Written"])
    }).pipe(Effect.provide(TestServer.layer()))
  )

  it.effect("closes the server when the layer's scope closes", () =>
    Effect.gen(function* () {
      const port = yield* Effect.scoped(
        Layer.build(TestServer.layer()).pipe(Effect.map((context) => Context.get(context, TestServer).port))
      )
      // The port is free again: a new server can take it.
      const again = yield* Effect.promise(() => start({ port }))
      yield* Effect.promise(() => again.close())
    })
  )

  it.effect("fails with TestServerStartError when the server cannot start", () =>
    Effect.gen(function* () {
      const taken = yield* Effect.promise(() => start())
      const exit = yield* Effect.exit(Effect.scoped(scoped({ port: taken.port })))
      yield* Effect.promise(() => taken.close())
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit))
        expect(exit.cause._tag === "Fail" && exit.cause.error).toBeInstanceOf(TestServerStartError)
    })
  )
})
