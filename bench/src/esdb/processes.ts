/**
 * The runner's side of the workloads over EventStoreDB: the test server in a process of its own (`server.ts`), and
 * the revocation-lag roles in processes of their own (`instance.ts`), each seen as the `Watcher` or `Writer` it
 * plays. Children run with this process's loader and conditions.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { fileURLToPath } from "node:url"
import { Schema } from "effect"
import type { LagTokens, Watcher, Writer } from "../workloads/revocation-lag.js"
import { FromInstance, type InstanceParams, ToInstance } from "./protocol.js"

const SERVER = fileURLToPath(new URL("./server.ts", import.meta.url))
const INSTANCE = fileURLToPath(new URL("./instance.ts", import.meta.url))

export interface ServerProcess {
  readonly connectionString: string
  /** Closes the server and waits for its process to end. */
  readonly stop: () => Promise<void>
}

const exitOf = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve()
    else child.once("exit", () => resolve())
  })

/** Starts the test server in a process of its own. */
export const startServer = (): Promise<ServerProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, SERVER], { stdio: ["pipe", "pipe", "inherit"] })
    let output = ""
    child.stdout.setEncoding("utf8")
    child.stdout.on("data", (chunk: string) => {
      output += chunk
      const line = output.split("\n").find((l) => l.startsWith("BENCH_SERVER "))
      if (line === undefined) return
      const { connectionString } = Schema.decodeUnknownSync(Schema.Struct({ connectionString: Schema.String }))(
        JSON.parse(line.slice("BENCH_SERVER ".length))
      )
      resolve({
        connectionString,
        stop: async () => {
          child.stdin.end()
          await exitOf(child)
        }
      })
    })
    child.once("error", reject)
    child.once("exit", (code) => reject(new Error(`the test server's process exited (code ${String(code)})`)))
  })

export interface InstanceProcess {
  readonly watcher: Watcher
  readonly writer: Writer
  /** The tokens a library watcher issued. */
  readonly tokens: LagTokens | undefined
}

/** Starts one role of the revocation-lag workload in a process of its own. */
export const startInstance = (params: InstanceParams): Promise<InstanceProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...process.execArgv, INSTANCE, JSON.stringify(params)], {
      stdio: ["ignore", "inherit", "inherit", "ipc"]
    })
    const replies = new Map<number, (at: bigint | undefined) => void>()
    const seen = new Map<number, (at: bigint) => void>()
    /** Whatever waits on this process, failed at once if the process fails. */
    const waiting = new Set<(error: Error) => void>()
    let failure: Error | undefined
    let nextId = 0
    const fail = (error: Error) => {
      failure ??= error
      reject(error)
      for (const rejectOne of waiting) rejectOne(error)
      waiting.clear()
    }
    /** A promise that also fails when the process does. */
    const guarded = <A>(make: (resolveIt: (a: A) => void) => void): Promise<A> =>
      new Promise<A>((resolveIt, rejectIt) => {
        if (failure !== undefined) return rejectIt(failure)
        waiting.add(rejectIt)
        make((a) => {
          waiting.delete(rejectIt)
          resolveIt(a)
        })
      })
    const encode = Schema.encodeSync(ToInstance)
    const request = (message: (id: number) => ToInstance): Promise<bigint | undefined> =>
      guarded<bigint | undefined>((resolveReply) => {
        const id = nextId++
        replies.set(id, resolveReply)
        child.send(encode(message(id)))
      })
    const close = async () => {
      if (child.connected) child.send(encode({ _tag: "Close" }))
      await exitOf(child)
    }
    child.on("message", (raw: unknown) => {
      const message = Schema.decodeUnknownSync(FromInstance)(raw)
      switch (message._tag) {
        case "Ready":
          return resolve({
            tokens: message.tokens,
            watcher: {
              watch: async (k) => {
                const arrived = guarded<bigint>((resolveSeen) => seen.set(k, resolveSeen))
                await request((id) => ({ _tag: "Watch", id, k }))
                return { seen: arrived }
              },
              close
            },
            writer: {
              write: async (k) => {
                const at = await request((id) => ({ _tag: "Write", id, k }))
                if (at === undefined) throw new Error("the writer gave no time")
                return at
              },
              close
            }
          })
        case "Armed":
          replies.get(message.id)?.(undefined)
          replies.delete(message.id)
          return
        case "Wrote":
          replies.get(message.id)?.(message.at)
          replies.delete(message.id)
          return
        case "Seen":
          seen.get(message.k)?.(message.at)
          seen.delete(message.k)
          return
        case "Failed":
          return fail(new Error(`${params.role}: ${message.message}`))
      }
    })
    child.once("error", fail)
    child.once("exit", (code) => {
      if (code !== 0) fail(new Error(`${params.role} exited (code ${String(code)})`))
    })
  })
