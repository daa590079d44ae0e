/**
 * Server-side filters of `$all` subscriptions: on stream name or event type, by regex (when one is
 * given, as the server prefers it) or by prefixes, with checkpoints every `window × multiplier`
 * events examined.
 *
 * @internal
 */
import type { StreamsPb } from "./generated.js"
import type { StoredEvent } from "./types.js"

/** The server's default search window (`ReadBatchSize`) when the client asks for `count`. */
const DEFAULT_WINDOW = 32

export interface EventFilter {
  matches(event: StoredEvent): boolean
  /** Events examined between two checkpoints. */
  readonly checkpointInterval: number
}

export type FilterResult =
  | { readonly _tag: "None" }
  | { readonly _tag: "Filter"; readonly filter: EventFilter }
  | { readonly _tag: "Invalid"; readonly reason: string }

export const filterOf = (options: StreamsPb.ReadReq.Options): FilterResult => {
  const filter = options.getFilter()
  if (filter === undefined) return { _tag: "None" }
  const byStream = filter.getStreamIdentifier()
  const byType = filter.getEventType()
  const expression = byStream ?? byType
  if (expression === undefined)
    return { _tag: "Invalid", reason: "A filter needs a stream name or event type expression." }
  const field = byStream !== undefined ? (event: StoredEvent) => event.streamId : (event: StoredEvent) => event.type

  let test: (value: string) => boolean
  const regex = expression.getRegex()
  if (regex !== "") {
    let compiled: RegExp
    try {
      compiled = new RegExp(regex)
    } catch {
      return { _tag: "Invalid", reason: `Invalid filter regex: ${regex}` }
    }
    test = (value) => compiled.test(value)
  } else {
    const prefixes = expression.getPrefixList()
    test = (value) => prefixes.some((prefix) => value.startsWith(prefix))
  }

  const window = filter.hasMax() ? filter.getMax() : DEFAULT_WINDOW
  const multiplier = filter.getCheckpointintervalmultiplier()
  if (window <= 0 || multiplier <= 0) {
    return { _tag: "Invalid", reason: "The search window and checkpoint interval multiplier must be positive." }
  }
  return {
    _tag: "Filter",
    filter: { matches: (event) => test(field(event)), checkpointInterval: window * multiplier }
  }
}
