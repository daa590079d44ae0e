/**
 * Loads the client's generated protobuf modules with a namespace of their own.
 *
 * Generated protobuf modules register their message classes under one namespace on the global object
 * (`globalThis.proto.event_store.client…`, through `goog.exportSymbol`), and their methods look classes up there by
 * that path when they run. `@kurrent/kurrentdb-client` ships its own generated code for the same protocol, under the
 * same names and with more fields: in a process that loads both, whichever loaded last answers for both, and the
 * other's methods break on classes that are not theirs (the newer client's `BatchAppendReq.Options.setDeadline21100`
 * throws on the older client's class; this server's `ReadResp.CaughtUp` fails to serialise with the newer client's
 * methods). So this server evaluates its copy with a private namespace: the module's free `proto` and its
 * `goog.exportSymbol` both point at an object of its own, and the global one is never touched.
 *
 * @internal
 */
import { readFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, resolve } from "node:path"
import { compileFunction } from "node:vm"

interface Module {
  exports: unknown
}

/** What the generated code takes of `google-protobuf` (its exports, as `jspb` and as `goog`). */
interface Jspb {
  exportSymbol(name: string, value: unknown, root?: object): void
}

/**
 * A loader for the generated modules under `directory`: each is evaluated once, with `proto` and `exportSymbol`
 * bound to one private namespace; any other module (`google-protobuf`, its well-known types, `@grpc/grpc-js`) comes
 * from `require` as usual, so instances are shared with the client.
 */
export const isolatedLoader = (directory: string, require: NodeJS.Require): ((file: string) => unknown) => {
  const root: { proto: Record<string, unknown> } = { proto: {} }
  const jspb: Jspb = require("google-protobuf")
  const privateJspb: Jspb = Object.create(jspb, {
    exportSymbol: { value: (name: string, value: unknown) => jspb.exportSymbol(name, value, root) }
  })
  const cache = new Map<string, Module>()
  const load = (file: string): unknown => {
    const path = resolve(directory, file)
    const cached = cache.get(path)
    if (cached !== undefined) return cached.exports
    const module: Module = { exports: {} }
    cache.set(path, module)
    const own = createRequire(path)
    const localRequire = (specifier: string): unknown => {
      if (specifier === "google-protobuf") return privateJspb
      if (specifier.startsWith("./")) return load(resolve(dirname(path), specifier))
      return own(specifier)
    }
    const run = compileFunction(
      readFileSync(path, "utf8"),
      ["exports", "require", "module", "__filename", "__dirname", "proto"],
      { filename: path }
    )
    run(module.exports, localRequire, module, path, dirname(path), root.proto)
    return module.exports
  }
  return load
}
