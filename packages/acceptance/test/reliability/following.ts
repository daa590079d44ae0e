/**
 * What the tests of following the store share: services in runtimes of their own (as separate processes would
 * have), waiting for an answer to change, and a TCP proxy that can cut one service off the store.
 */
import * as net from "node:net"
import {
  type CallerInput,
  type IssuedToken,
  SecureRandom,
  ServiceAccounts,
  type ServiceAccountsOptions,
  type ServiceAccountsShape
} from "@service-accounts/domain"
import type { EventStore, ReadError } from "@service-accounts/domain"
import { administrator } from "@service-accounts/testing"
import { Effect, Exit, Layer, Logger, LogLevel, ManagedRuntime, type Redacted } from "effect"

/** A service in a runtime of its own, over the store `store` gives it. */
export const serviceRuntime = <E>(
  store: Layer.Layer<EventStore, E>,
  options: ServiceAccountsOptions,
  seed: string
): ManagedRuntime.ManagedRuntime<ServiceAccounts, E | ReadError> =>
  ManagedRuntime.make(
    ServiceAccounts.layerWith(options).pipe(
      Layer.provide(store),
      Layer.provide(SecureRandom.layerSeeded(seed)),
      // Routine outcomes (accounts created, tokens issued) would drown what these tests are about.
      Layer.provide(Logger.minimumLogLevel(LogLevel.Warning))
    )
  )

/** Whether a token authenticates through a service, right now. */
export const accepts = (
  runtime: ManagedRuntime.ManagedRuntime<ServiceAccounts, unknown>,
  value: Redacted.Redacted<string>
): Promise<boolean> =>
  runtime.runPromiseExit(Effect.flatMap(ServiceAccounts, (service) => service.authenticate(value))).then(Exit.isSuccess)

/**
 * Waits until `check` answers true, asking again every 20 ms. The limit only turns a behaviour that never comes into
 * a failure instead of a hang: no outcome depends on how long anything takes.
 */
export const until = async (what: string, check: () => Promise<boolean>, limitMillis = 60_000): Promise<void> => {
  const deadline = Date.now() + limitMillis
  for (;;) {
    if (await check()) return
    if (Date.now() > deadline) throw new Error(`gave up waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

/** An organisation with an account and two tokens. */
export interface OrganisationWithTokens {
  readonly caller: CallerInput
  readonly account: { readonly serviceAccountId: string }
  readonly first: IssuedToken
  readonly second: IssuedToken
}

/** An organisation with an account and two tokens, made through `service`. */
export const organisationWithTokens = (
  service: ServiceAccountsShape,
  organizationId: string
): Effect.Effect<OrganisationWithTokens, unknown> =>
  Effect.gen(function* () {
    const caller: CallerInput = administrator(organizationId)
    const account = yield* service.create(caller, { name: "automation" })
    const first = yield* service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: "first" })
    const second = yield* service.issueToken(caller, { serviceAccountId: account.serviceAccountId, name: "second" })
    return { caller, account, first, second }
  })

/** A TCP proxy to `port` on the loopback; `cut` drops every connection and refuses new ones until `heal`. */
export interface Proxy {
  readonly port: number
  readonly cut: () => void
  readonly heal: () => void
  readonly close: () => Promise<void>
}

export const startProxy = async (port: number): Promise<Proxy> => {
  let open = true
  const sockets = new Set<net.Socket>()
  const track = (socket: net.Socket) => {
    sockets.add(socket)
    socket.on("close", () => sockets.delete(socket))
    socket.on("error", () => socket.destroy())
  }
  const server = net.createServer((downstream) => {
    track(downstream)
    if (!open) {
      downstream.destroy()
      return
    }
    const upstream = net.connect(port, "127.0.0.1")
    track(upstream)
    downstream.pipe(upstream)
    upstream.pipe(downstream)
    downstream.on("close", () => upstream.destroy())
    upstream.on("close", () => downstream.destroy())
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  const address = server.address()
  if (address === null || typeof address === "string") throw new Error("the proxy has no port")
  const cut = () => {
    open = false
    for (const socket of sockets) socket.destroy()
  }
  return {
    port: address.port,
    cut,
    heal: () => {
      open = true
    },
    close: () => {
      cut()
      return new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}
