/**
 * The `sa-audit` executable (`dist/bin.js`): it runs the bundled program (`dist/sa-audit.cjs`, built from `sa-audit.ts`)
 * with the V8 code cache the build made of it (`dist/sa-audit.cache`). Compiling the program's 2 MB of JavaScript
 * took about 70 ms of every run, a sixth of what reading a 100,000-event history costs; with the cache V8 takes the
 * compiled code as it was at the end of a run at build time.
 *
 * The cache is used only if it was made of this very program (its first 32 bytes are the SHA-256 of the program's
 * text) and V8 accepts it (same V8 version and flags); otherwise the program is compiled as usual. The build makes
 * it by running a command with `SA_AUDIT_WRITE_CODE_CACHE` naming the file to write when the run ends.
 */
import { createHash } from "node:crypto"
import { readFileSync, writeFileSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname } from "node:path"
import { fileURLToPath } from "node:url"
import { setFlagsFromString } from "node:v8"
import { Script } from "node:vm"

// An audit streams a long history through a small working set and makes much short-lived garbage; by default V8
// lets the heap grow to several times what is alive before it collects. Asking it to grow by at most 70% at a time
// keeps the peak memory nearer the live data (the read models of a replay, a few MB for a verification) without
// collecting so often that the collections cost much (30% cost replay and check about a tenth of their time); the
// benchmark (bench/src/audit.ts) measures both. Set before the program is compiled: V8 takes a code cache only
// under the flags it was made with.
setFlagsFromString("--heap-growing-percent=70")

const program = fileURLToPath(new URL("./sa-audit.cjs", import.meta.url))
const cachePath = fileURLToPath(new URL("./sa-audit.cache", import.meta.url))
const source = readFileSync(program, "utf8")
const digest = createHash("sha256").update(source).digest()

/** The code cache, if there is one made of this program. */
const cached = (): Buffer | undefined => {
  let cache: Buffer
  try {
    cache = readFileSync(cachePath)
  } catch {
    return undefined
  }
  return cache.length > digest.length && cache.subarray(0, digest.length).equals(digest)
    ? cache.subarray(digest.length)
    : undefined
}

// As Node wraps a CommonJS module: the program is one, and gets its own `require`, `module` and file names.
const script = new Script(`(function (exports, require, module, __filename, __dirname) { ${source}\n});`, {
  filename: program,
  cachedData: cached()
})

const writeTo = process.env.SA_AUDIT_WRITE_CODE_CACHE
if (writeTo !== undefined && writeTo !== "") {
  process.on("exit", () => writeFileSync(writeTo, Buffer.concat([digest, script.createCachedData()])))
}

const wrapper: unknown = script.runInThisContext()
if (typeof wrapper === "function") {
  const module = { exports: {} }
  wrapper.call(module.exports, module.exports, createRequire(program), module, program, dirname(program))
}
