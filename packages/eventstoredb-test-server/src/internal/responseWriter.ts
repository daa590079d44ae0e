/**
 * Writes to a server-streaming call with back-pressure: when grpc-js's buffer is full, the next write
 * waits for `drain` (or for the call to close), so a slow reader slows the server down instead of
 * making it buffer without bound.
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

export class ResponseWriter<T> {
  private closed = false
  private readonly closedSignal: Promise<void>
  private signalClosed: () => void = () => {}

  constructor(private readonly call: ResponseSink<T>) {
    this.closedSignal = new Promise<void>((resolve) => {
      this.signalClosed = resolve
    })
    call.on("cancelled", () => this.markClosed())
    call.on("close", () => this.markClosed())
  }

  get isClosed(): boolean {
    return this.closed
  }

  /** Resolves once the call is cancelled, ended or failed. */
  get whenClosed(): Promise<void> {
    return this.closedSignal
  }

  /** Writes one message; resolves `false` if the call closed first. */
  async write(message: T): Promise<boolean> {
    if (this.closed) return false
    if (this.call.write(message)) return true
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off("drain", done)
        resolve()
      }
      this.call.on("drain", done)
      void this.closedSignal.then(done)
    })
    return !this.closed
  }

  /** Completes the call with OK after what was written. */
  end(): void {
    if (this.closed) return
    this.markClosed()
    this.call.end()
  }

  /** Completes the call with an error status after what was written. */
  fail(error: Grpc.ServiceError): void {
    if (this.closed) return
    this.markClosed()
    this.call.emit("error", error)
  }

  private markClosed(): void {
    if (this.closed) return
    this.closed = true
    this.signalClosed()
  }
}
