/**
 * Events for the raw client's side of the comparisons: JSON data and metadata of a given size in bytes, the size
 * of an event the library wrote (measured from the store in the same run), so both sides move the same bytes.
 */
/** The sizes of a stored event: its data and its metadata as JSON text, in UTF-8 bytes. */
export interface EventSize {
  readonly data: number
  readonly metadata: number
}

/** A JSON object of about `bytes` bytes: `{"n":…,"pad":"xxx…"}`. */
const padded = (n: number, bytes: number): { readonly n: number; readonly pad: string } => {
  const bare = JSON.stringify({ n, pad: "" }).length
  return { n, pad: "x".repeat(Math.max(0, bytes - bare)) }
}

/**
 * The raw side's event number `n`, whose data and metadata have the sizes given: what a client's `jsonEvent` takes
 * (each client has its own, and a process loads only one client).
 */
export const rawEvent = (n: number, size: EventSize) => ({
  type: "RawBenchEvent",
  data: padded(n, size.data),
  metadata: padded(n, size.metadata)
})

/** The size of a recorded event as the client reads it back. */
export const sizeOf = (data: unknown, metadata: unknown): EventSize => ({
  data: Buffer.byteLength(JSON.stringify(data)),
  metadata: Buffer.byteLength(JSON.stringify(metadata ?? {}))
})
