/**
 * The appends a store has in flight, for its subscriptions to give way to.
 *
 * A process that writes receives each of its own events twice: in the append's reply, which applies it at once
 * (read-your-writes), and again from its subscription to `$all`, usually in the same network read as the reply.
 * Handling that second copy before the process's next request has left would put the subscription's whole pipeline
 * between the two, in every command. So while an append is in flight (or its reply is still being handled), a
 * subscription's cursor takes what the client delivered one turn of the event loop later (`setImmediate`), after
 * the pending requests are written; a process that is not writing — a reader waiting for another process's
 * revocation — handles deliveries at once. Nothing is delayed by more than that one turn, and nothing is skipped.
 *
 * @internal
 */
export class Writes {
  private inFlight = 0

  /** Whether an append has been sent and its promise has not settled yet. */
  get busy(): boolean {
    return this.inFlight > 0
  }

  /** Runs an append, counted as in flight until its promise settles. */
  track<A>(append: () => Promise<A>): Promise<A> {
    this.inFlight++
    let promise: Promise<A>
    try {
      promise = append()
    } catch (error) {
      this.inFlight--
      throw error
    }
    return promise.finally(() => {
      this.inFlight--
    })
  }
}
