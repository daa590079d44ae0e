import { execFileSync } from "node:child_process"
import { existsSync } from "node:fs"
import { createRequire } from "node:module"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { describe, expect, it } from "@effect/vitest"

const here = dirname(fileURLToPath(import.meta.url))
const consumer = join(here, "consumer")
const built = ["domain", "store-memory", "testing"].every((name) =>
  existsSync(join(here, "..", "..", name, "dist", "index.cjs"))
)
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc")

// The built packages, as a user gets them: `pnpm test` builds before it tests.
describe.skipIf(!built)("the built packages", () => {
  it("import from plain Node as ESM", () => {
    const out = execFileSync(process.execPath, [join(consumer, "esm.mjs")], { encoding: "utf8" })
    expect(JSON.parse(out)).toEqual({ format: "esm", wellFormed: true, account: true })
  })

  it("require from plain Node as CommonJS", () => {
    const out = execFileSync(process.execPath, [join(consumer, "cjs.cjs")], { encoding: "utf8" })
    expect(JSON.parse(out)).toEqual({ format: "cjs", wellFormed: true, account: true })
  })

  it("come with types for both (tsc on an .mts and a .cts consumer, no source condition)", () => {
    execFileSync(process.execPath, [tsc, "-p", join(consumer, "tsconfig.json")], { encoding: "utf8" })
  })
})
