/**
 * Link events (`$>`, data `<revision>@<stream>`) and their resolution when a read asks for it.
 *
 * @internal
 */
import type { Store } from "./store.js"
import type { StoredEvent } from "./types.js"

const decoder = new TextDecoder()

export interface Resolved {
  /** The event to show: the link's target, the record itself, or nothing for a dangling link. */
  readonly event: StoredEvent | undefined
  /** The `$>` record the event was reached through. */
  readonly link: StoredEvent | undefined
}

export const resolve = (store: Store, record: StoredEvent, resolveLinks: boolean): Resolved => {
  if (!resolveLinks || record.type !== "$>") return { event: record, link: undefined }
  const text = decoder.decode(record.data)
  const at = text.indexOf("@")
  const revisionText = text.slice(0, at)
  if (at <= 0 || !/^\d+$/.test(revisionText)) return { event: undefined, link: record }
  const streamId = text.slice(at + 1)
  const revision = BigInt(revisionText)
  const view = store.view(streamId)
  const visible = view._tag === "Found" && revision >= view.first && revision <= view.last
  return { event: visible ? store.event(streamId, revision) : undefined, link: record }
}
