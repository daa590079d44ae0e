/**
 * Starts the example on 127.0.0.1, on a port the system picks, over a store the test can inspect; and a client that
 * calls with the demo login's headers. The harness itself is the HTTP package's (`packages/http/test/support`).
 */
import { EventStore } from "@service-accounts/domain"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { Effect, Layer, Logger, LogLevel } from "effect"
import * as Harness from "../../../packages/http/test/support/harness.js"
import { ServerLive, type ServerOptions } from "../src/Server.js"

export type { Answer, RunningServer } from "../../../packages/http/test/support/harness.js"

/** Who calls: the demo login's headers. */
export type As = "admin" | "member" | "globexAdmin" | "teamAdmin" | "nobody"

export const callers: Record<As, Record<string, string>> = {
  admin: { "x-demo-org": "acme", "x-demo-user": "alice@acme.example.com", "x-demo-role": "administrator" },
  member: { "x-demo-org": "acme", "x-demo-user": "bob@acme.example.com", "x-demo-role": "member" },
  globexAdmin: { "x-demo-org": "globex", "x-demo-user": "gina@globex.example.com", "x-demo-role": "administrator" },
  teamAdmin: { "x-demo-org": "small-co", "x-demo-user": "carol@small-co.example.com", "x-demo-role": "administrator" },
  nobody: {}
}

export type CallOptions = Harness.CallOptions<As>

/**
 * The example over the given store layer. Without one it runs on an in-memory store, which `store` and `eventCount`
 * then look at; with one, they look at an unused in-memory store (inspect the given store yourself).
 */
export const startServer = async <E>(
  storeLayer?: Layer.Layer<EventStore, E>,
  options: ServerOptions = {}
): Promise<Harness.RunningServer> => {
  const store = await Effect.runPromise(makeMemoryStore)
  const layer = ServerLive(
    { port: 0, host: "127.0.0.1" },
    storeLayer ?? Layer.succeed(EventStore, store),
    options
  ).pipe(
    // Tests show warnings and errors only.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
  )
  return Harness.launch(layer, store)
}

/** Calls the example with the demo login's headers and keeps every answer. */
export const client = (url: string) => Harness.client<As>(url, callers)
