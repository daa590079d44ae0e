/**
 * Writes to a grpc-js call with back-pressure: when grpc-js's buffer is full, later messages wait, in order, for
 * `drain` (or for the call to close), so a slow reader slows the server down instead of making it buffer without
 * bound.
 *
 * Calls live for as long as a client stays connected, so nothing here grows with the number of writes or waits:
 * however many writes are waiting, the call carries at most one `drain` listener (the writer's own queue holds the
 * rest), and whoever waits for the call to close is registered in a set it leaves when its wait ends, never as a
 * reaction on a promise that stays pending for the call's whole life.
 *
 * @internal
 */
import type { Grpc } from "./generated.js"

/** What the writer needs of a grpc-js server-streaming or duplex call. */
export interface ResponseSink<T> {
  write(message: T): boolean
  end(): void
  emit(event: "error", error: Grpc.ServiceError): boolean
  on(event: "cancelled" | "close" | "drain", listener: () => void): unknown
  off(event: "drain", listener: () => void): unknown
}

/** A message waiting for the buffer to drain, or someone waiting for room to write. */
type Waiting<T> =
  | { readonly kind: "message"; readonly message: T; readonly done: (open: boolean) => void }
  | { readonly kind: "room"; readonly done: (open: boolean) => void }

export class ResponseWriter<T> {
  private closed = false
  private blocked = false
  private readonly waiting: Array<Waiting<T>> = []
  private readonly closeListeners = new Set<() => void>()
  private readonly onDrain = (): void => this.flush()

  constructor(private readonly call: ResponseSink<T>) {
    call.on("cancelled", () => this.markClosed())
    call.on("close", () => this.markClosed())
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** True while grpc-js's buffer is full: messages written now wait in order until it drains. */
  get isBlocked(): boolean {
    return this.blocked
  }

  /**
   * Calls `listener` once when the call is cancelled, ended or failed (at once if it already is). The returned
   * function unregisters it: a wait that ends another way must call it, or the listener stays for the call's life.
   */
  onClose(listener: () => void): () => void {
    if (this.closed) {
      listener()
      return () => {}
    }
    this.closeListeners.add(listener)
    return () => {
      this.closeListeners.delete(listener)
    }
  }

  /**
   * Writes one message after every message written before it. Resolves `true` once the call can take more, `false`
   * if it closed first (a message still waiting then is not sent).
   */
  write(message: T): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    if (this.blocked) return new Promise((done) => this.waiting.push({ kind: "message", message, done }))
    if (this.call.write(message)) return Promise.resolve(true)
    this.block()
    return this.whenWritable()
  }

  /** Resolves `true` once the buffer has room (at once if it has), `false` if the call closed first. */
  whenWritable(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false)
    if (!this.blocked) return Promise.resolve(true)
    return new Promise((done) => this.waiting.push({ kind: "room", done }))
  }

  /** Completes the call with OK after every message written, including those still waiting for room. */
  end(): void {
    if (this.closed) return
    // The call is ending: what waits goes to grpc-js's buffer now, which the client drains before it sees the end.
    for (const entry of this.waiting) if (entry.kind === "message") this.call.write(entry.message)
    this.markClosed(true)
    this.call.end()
  }

  /** Completes the call with an error status; messages still waiting for room are not sent. */
  fail(error: Grpc.ServiceError): void {
    if (this.closed) return
    this.markClosed()
    this.call.emit("error", error)
  }

  private block(): void {
    this.blocked = true
    this.call.on("drain", this.onDrain)
  }

  private flush(): void {
    this.call.off("drain", this.onDrain)
    this.blocked = false
    while (!this.closed) {
      const next = this.waiting.shift()
      if (next === undefined) return
      if (next.kind === "message" && !this.call.write(next.message)) {
        // Full again: whoever wrote this message waits for the next drain, and so does everything behind it.
        this.waiting.unshift({ kind: "room", done: next.done })
        this.block()
        return
      }
      next.done(true)
    }
  }

  private markClosed(sent = false): void {
    if (this.closed) return
    this.closed = true
    if (this.blocked) this.call.off("drain", this.onDrain)
    this.blocked = false
    // Messages the ending call still sent resolve `true`; a wait for room resolves `false`: there is none now.
    for (const entry of this.waiting.splice(0)) entry.done(sent && entry.kind === "message")
    const listeners = [...this.closeListeners]
    this.closeListeners.clear()
    for (const listener of listeners) listener()
  }
}
