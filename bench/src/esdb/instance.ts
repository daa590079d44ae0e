/**
 * One role of the revocation-lag workload (`../workloads/revocation-lag.ts`) in a process of its own, driven by the
 * runner over IPC: `instance.ts <role> <params as JSON>`. It reports `Ready` (with the watcher's tokens), then
 * answers `Watch` (once armed; `Seen` follows with the time), `Write` (with the time the call started) and `Close`.
 * Times are nanoseconds of the shared monotonic clock, as decimal strings.
 */
import { Schema } from "effect"
import {
  libraryWatcher,
  libraryWriter,
  rawWatcher,
  rawWriter,
  type Watcher,
  type Writer
} from "../workloads/revocation-lag.js"
import { FromInstance, type InstanceParams, InstanceParamsSchema, ToInstance } from "./protocol.js"

const send = (message: typeof FromInstance.Encoded): void => {
  process.send?.(message)
}

const start = async (
  params: InstanceParams
): Promise<{ watcher?: Watcher; writer?: Writer; tokens?: typeof FromInstance.Type }> => {
  switch (params.role) {
    case "library-watcher": {
      const { watcher, tokens } = await libraryWatcher(params.connectionString, params.count)
      return { watcher, tokens: { _tag: "Ready", tokens } }
    }
    case "library-writer":
      return { writer: await libraryWriter(params.connectionString, params.tokens) }
    case "raw-watcher":
      return { watcher: await rawWatcher(params.connectionString, params.stream) }
    case "raw-writer":
      return { writer: rawWriter(params.connectionString, params.stream, params.size) }
  }
}

const main = async (): Promise<void> => {
  const params = Schema.decodeUnknownSync(InstanceParamsSchema)(JSON.parse(process.argv[2] ?? "{}"))
  const { watcher, writer, tokens } = await start(params)
  const encode = Schema.encodeSync(FromInstance)
  process.on("message", (raw: unknown) => {
    const message = Schema.decodeUnknownSync(ToInstance)(raw)
    const work = async () => {
      switch (message._tag) {
        case "Watch": {
          if (watcher === undefined) throw new Error("not a watcher")
          const { seen } = await watcher.watch(message.k)
          send(encode({ _tag: "Armed", id: message.id }))
          const at = await seen
          send(encode({ _tag: "Seen", k: message.k, at }))
          return
        }
        case "Write": {
          if (writer === undefined) throw new Error("not a writer")
          const at = await writer.write(message.k)
          send(encode({ _tag: "Wrote", id: message.id, at }))
          return
        }
        case "Close":
          await (watcher ?? writer)?.close()
          process.exit(0)
      }
    }
    work().catch((error: unknown) => {
      send(encode({ _tag: "Failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
      process.exit(1)
    })
  })
  process.on("disconnect", () => process.exit(1))
  send(encode(tokens ?? { _tag: "Ready" }))
}

main().catch((error: unknown) => {
  send({ _tag: "Failed", message: error instanceof Error ? (error.stack ?? error.message) : String(error) })
  process.exit(1)
})
