/**
 * A real server writes its own `$`-prefixed events before any client does, so `$all` is never empty
 * and reads "from start" see more than the user's events. These stand-ins have the same shape
 * (system streams, `$`-types, `$$` metadata); they are not a copy of any server version's records.
 *
 * @internal
 */
import { randomUUID } from "node:crypto"
import { jsonBytes, type Store } from "./store.js"
import { ExpectedRevision, type ProposedEvent } from "./types.js"

const systemEvent = (type: string, data: unknown): ProposedEvent => ({
  id: randomUUID(),
  type,
  isJson: true,
  data: jsonBytes(data),
  metadata: new Uint8Array()
})

export const writeSystemEvents = (store: Store): void => {
  store.append("$$$stats-127.0.0.1:2113", ExpectedRevision.any, [systemEvent("$metadata", { $maxAge: 86400 })])
  store.append("$$$scavenges", ExpectedRevision.any, [systemEvent("$metadata", { $maxAge: 2592000 })])
  store.append("$settings", ExpectedRevision.any, [
    systemEvent("$settings", {
      $userStreamAcl: { $r: "$all", $w: "$all", $d: "$all", $mr: "$all", $mw: "$all" },
      $systemStreamAcl: { $r: "$admins", $w: "$admins", $d: "$admins", $mr: "$admins", $mw: "$admins" }
    })
  ])
  store.append("$stats-127.0.0.1:2113", ExpectedRevision.any, [
    systemEvent("$statsCollected", { "proc-startTime": new Date().toISOString(), "es-queue-count": 0 })
  ])
}
