/**
 * Starts `HttpService.layer` (with the tests' login) on Node's HTTP server, on 127.0.0.1 and a port the system picks,
 * over a store the test can inspect; and a client that calls with the tests' login headers.
 */
import { createServer } from "node:http"
import * as NodeHttpServer from "@effect/platform-node/NodeHttpServer"
import {
  EventStore,
  type EventStoreShape,
  ServiceAccounts,
  type ServiceAccountsOptions
} from "@service-accounts/domain"
import { HttpService } from "@service-accounts/http"
import { make as makeMemoryStore } from "@service-accounts/store-memory"
import { type Clock, Effect, Layer, Logger, LogLevel } from "effect"
import * as Harness from "./harness.js"
import { type As, callers, headerLogin } from "./login.js"

export type { Answer, RunningServer } from "./harness.js"
export type CallOptions = Harness.CallOptions<As>

export interface ServerOptions {
  /** The store (a new in-memory store when not given). */
  readonly store?: EventStoreShape
  readonly service?: ServiceAccountsOptions
  /** `HttpService.layer`'s `recordUsage` (default: its default). */
  readonly recordUsage?: boolean
  /** The clock the server runs on (default: the real one). */
  readonly clock?: Clock.Clock
}

export const startServer = async (options: ServerOptions = {}): Promise<Harness.RunningServer> => {
  const store = options.store ?? (await Effect.runPromise(makeMemoryStore))
  const recordUsage = options.recordUsage === undefined ? {} : { recordUsage: options.recordUsage }
  const layer = HttpService.layer({ login: headerLogin, ...recordUsage }).pipe(
    Layer.provideMerge(ServiceAccounts.layerWith(options.service ?? {})),
    Layer.provide(Layer.succeed(EventStore, store)),
    Layer.provideMerge(NodeHttpServer.layer(createServer, { port: 0, host: "127.0.0.1" })),
    // Warnings and errors only: the library's routine lines would drown the test output.
    Layer.provide(Logger.minimumLogLevel(LogLevel.Warning)),
    Layer.provide(options.clock === undefined ? Layer.empty : Layer.setClock(options.clock))
  )
  return Harness.launch(layer, store)
}

/** Calls the server with the tests' login headers and keeps every answer. */
export const client = (url: string) => Harness.client<As>(url, callers)
