/**
 * The child processes of the multi-process test, seen from the parent: spawned with tsx (the library from source),
 * spoken to over IPC, and waited on by what they report — never by the clock. A child that fails, or exits when it
 * should not, fails every wait at once.
 */
import { type ChildProcess, spawn } from "node:child_process"
import { createRequire } from "node:module"
import { fileURLToPath, pathToFileURL } from "node:url"
import { decodeFromChild, type FromChild, type ToChild } from "./protocol.js"

const CHILD = fileURLToPath(new URL("./child.ts", import.meta.url))
const TSX = pathToFileURL(createRequire(import.meta.url).resolve("tsx")).href

type Tagged<T extends FromChild["_tag"]> = Extract<FromChild, { readonly _tag: T }>

const tagged =
  <T extends FromChild["_tag"]>(tag: T) =>
  (message: FromChild): message is Tagged<T> =>
    message._tag === tag

export interface Child {
  readonly name: string
  /** Commands it has finished, as last reported. */
  readonly done: () => number
  readonly send: (message: ToChild) => void
  /** The next message of this kind (one already received and not yet taken, or the next to come). */
  readonly next: <T extends FromChild["_tag"]>(tag: T) => Promise<Tagged<T>>
  /** Resolves once the process has exited. */
  readonly exited: Promise<void>
  readonly kill: () => void
}

export interface Children {
  readonly all: ReadonlyArray<Child>
  /** Resolves once `check` holds for every child (checked at each message), rejects if any child fails. */
  readonly until: (check: (child: Child) => boolean) => Promise<void>
  /** Asks every child to exit and waits until they have. */
  readonly exit: () => Promise<void>
  /** Kills whatever is still running (after a failure). */
  readonly kill: () => Promise<void>
}

interface Waiter {
  readonly check: () => boolean
  readonly resolve: () => void
  readonly reject: (error: Error) => void
}

/** Starts `count` children on the server, each with its own seed, on the same organisations. */
export const spawnChildren = (
  count: number,
  settings: {
    readonly connectionString: string
    readonly organizations: ReadonlyArray<string>
    readonly seed: number
    /** The adapter each process runs on (default: the EventStoreDB adapter). */
    readonly adapter?: "eventstoredb" | "kurrentdb"
  }
): Children => {
  const waiters = new Set<Waiter>()
  let failure: Error | undefined
  let finishing = false
  const review = () => {
    for (const waiter of waiters) {
      if (failure !== undefined) {
        waiters.delete(waiter)
        waiter.reject(failure)
      } else if (waiter.check()) {
        waiters.delete(waiter)
        waiter.resolve()
      }
    }
  }
  const failed = (error: Error) => {
    failure ??= error
    review()
  }
  const wait = (check: () => boolean): Promise<void> =>
    new Promise((resolve, reject) => {
      if (failure !== undefined) return reject(failure)
      if (check()) return resolve()
      waiters.add({ check, resolve, reject })
    })

  const make = (index: number): Child => {
    const name = `process ${index + 1}`
    const process_: ChildProcess = spawn(process.execPath, ["--import", TSX, "--conditions=source", CHILD], {
      stdio: ["ignore", "inherit", "inherit", "ipc"],
      env: {
        ...process.env,
        SA_INSTANCE_CONNECTION: settings.connectionString,
        SA_INSTANCE_SEED: String(settings.seed + index),
        SA_INSTANCE_ORGS: settings.organizations.join(","),
        SA_INSTANCE_ADAPTER: settings.adapter ?? "eventstoredb"
      }
    })
    const received: Array<FromChild> = []
    let done = 0
    const exited = new Promise<void>((resolve) => process_.once("exit", () => resolve()))
    process_.on("message", (raw: unknown) => {
      const message = decodeFromChild(raw)
      if (message._tag === "Failed") return failed(new Error(`${name}: ${message.message}`))
      if (message._tag === "Progress") done = message.done
      else received.push(message)
      review()
    })
    process_.once("exit", (code, signal) => {
      if (!finishing) failed(new Error(`${name} exited (code ${String(code)}, signal ${String(signal)})`))
    })
    process_.once("error", failed)
    const next = <T extends FromChild["_tag"]>(tag: T): Promise<Tagged<T>> => {
      const take = (): Tagged<T> | undefined => {
        const message = received.find(tagged(tag))
        if (message !== undefined) received.splice(received.indexOf(message), 1)
        return message
      }
      let taken: Tagged<T> | undefined
      return wait(() => {
        taken ??= take()
        return taken !== undefined
      }).then(() => {
        if (taken === undefined) throw new Error(`${name}: no ${tag} message`)
        return taken
      })
    }
    return {
      name,
      done: () => done,
      send: (message) => {
        process_.send(message)
      },
      next,
      exited,
      kill: () => {
        if (process_.exitCode === null && process_.signalCode === null) process_.kill("SIGKILL")
      }
    }
  }

  const all = Array.from({ length: count }, (_, i) => make(i))
  return {
    all,
    until: (check) => wait(() => all.every(check)),
    exit: async () => {
      finishing = true
      for (const child of all) child.send({ _tag: "Exit" })
      await Promise.all(all.map((child) => child.exited))
    },
    kill: async () => {
      finishing = true
      for (const child of all) child.kill()
      await Promise.all(all.map((child) => child.exited))
    }
  }
}
