import { spawnSync } from "node:child_process"
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { dirname, join } from "node:path"
import { fileURLToPath } from "node:url"
import { afterAll, describe, expect, it } from "@effect/vitest"
import { checkStructure, formatViolation, rules } from "../../../scripts/check-structure.mjs"

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "..")
const scratch = mkdtempSync(join(tmpdir(), "structure-"))
afterAll(() => rmSync(scratch, { recursive: true, force: true }))

// The fixtures' own rules (the layout of the house plan), so they test the checker, not today's rules object.
const fixtureRules = {
  domain: {
    package: "@fixture/domain",
    layoutFinal: true,
    layers: [["fast"], ["model"], ["store"], ["readModels", "integrity", "history"], ["service"]],
    siblingImports: [["history", "integrity"]]
  },
  packages: {
    "@fixture/domain": { imports: [] },
    "@fixture/testing": { imports: ["@fixture/domain"] },
    "@fixture/store-memory": { imports: ["@fixture/domain"] },
    "@fixture/cli": { imports: ["@fixture/domain", "@fixture/store-memory", "@fixture/testing/Invariants"] },
    "@fixture/example": { published: true, imports: [] }
  },
  fileLength: { maxLines: 400, directories: ["scripts"], known: {} }
} satisfies Parameters<typeof checkStructure>[1]

type Files = Readonly<Record<string, string>>

/** A workspace where every import goes the right way. */
const clean: Files = {
  "pnpm-workspace.yaml": 'packages:\n  - "packages/*"\n  - examples/*\n',
  "packages/domain/package.json": JSON.stringify({ name: "@fixture/domain" }),
  "packages/domain/src/index.ts": 'export * from "./service/index.js"\nexport * as Model from "./model/index.js"\n',
  "packages/domain/src/fast/bytes.ts": 'import { Effect } from "effect"\nexport const bytes = Effect.succeed(1)\n',
  "packages/domain/src/model/index.ts": 'export * from "./Account.js"\n',
  "packages/domain/src/model/Account.ts": 'import { bytes } from "../fast/bytes.js"\nexport const account = bytes\n',
  "packages/domain/src/store/EventStore.ts":
    'import type { account } from "../model/index.js"\nexport type E = typeof account\n',
  "packages/domain/src/readModels/View.ts": 'import type { E } from "../store/EventStore.js"\nexport type V = E\n',
  "packages/domain/src/integrity/Seal.ts": 'import type { E } from "../store/EventStore.js"\nexport type S = E\n',
  "packages/domain/src/history/Ndjson.ts": 'import type { S } from "../integrity/Seal.js"\nexport type N = S\n',
  "packages/domain/src/service/index.ts":
    'import type { V } from "../readModels/View.js"\nimport type { N } from "../history/Ndjson.js"\nexport type Svc = V | N\n',
  "packages/testing/package.json": JSON.stringify({ name: "@fixture/testing" }),
  "packages/testing/src/index.ts": 'export * from "@fixture/domain"\nexport * from "./Invariants.js"\n',
  "packages/testing/src/Invariants.ts": "export const invariants = 1\n",
  "packages/store-memory/package.json": JSON.stringify({ name: "@fixture/store-memory" }),
  "packages/store-memory/src/index.ts": 'import { Model } from "@fixture/domain"\nexport const store = Model\n',
  "packages/store-memory/test/store.test.ts": 'import "@fixture/testing"\n',
  "packages/cli/package.json": JSON.stringify({ name: "@fixture/cli" }),
  "packages/cli/src/bin.ts":
    'import "@fixture/store-memory"\nimport { invariants } from "@fixture/testing/Invariants"\nexport const x = invariants\n',
  "packages/private/package.json": JSON.stringify({ name: "@fixture/private", private: true }),
  "examples/app/package.json": JSON.stringify({ name: "@fixture/example", private: true }),
  "examples/app/src/main.ts": 'import "@fixture/cli"\nimport "@fixture/domain"\nimport "effect"\n'
}

let trees = 0
/** Writes `files` to a new directory under the scratch directory and returns it. */
const tree = (files: Files): string => {
  const dir = join(scratch, `tree-${trees++}`)
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true })
    writeFileSync(join(dir, path), text)
  }
  return dir
}

/** What the checker finds in the clean workspace changed by `files`, without the messages. */
const found = (files: Files, rulesToUse: Parameters<typeof checkStructure>[1] = fixtureRules) =>
  checkStructure(tree({ ...clean, ...files }), rulesToUse).map(({ rule, file, line, imports }) => ({
    rule,
    file,
    line,
    imports
  }))

const withLayout = (layoutFinal: boolean) => ({ ...fixtureRules, domain: { ...fixtureRules.domain, layoutFinal } })

describe("the structure check on fixture trees", () => {
  it("finds nothing in a workspace whose imports all go the right way", () => {
    expect(found({})).toEqual([])
  })

  it("reports a lower layer importing a higher one", () => {
    const late = 'import "../fast/bytes.js"\nimport type { Svc } from "../service/index.js"\nexport type L = Svc\n'
    expect(found({ "packages/domain/src/model/Late.ts": late })).toEqual([
      {
        rule: "layer",
        file: "packages/domain/src/model/Late.ts",
        line: 2,
        imports: "packages/domain/src/service/index.ts"
      }
    ])
  })

  it("reports a fast/ file importing the model, and a layer importing the root index", () => {
    const files = {
      "packages/domain/src/fast/late.ts": 'import type { A } from "../model/index.js"\nexport type B = A\n',
      "packages/domain/src/readModels/Late.ts": 'import type { Svc } from "../index.js"\nexport type V = Svc\n'
    }
    expect(checkStructure(tree({ ...clean, ...files }), fixtureRules).map(formatViolation)).toEqual([
      "packages/domain/src/fast/late.ts:1 → packages/domain/src/model/index.ts  [layer] fast/ may import only fast/, not model/",
      "packages/domain/src/readModels/Late.ts:1 → packages/domain/src/index.ts  [layer] readModels/ may import only readModels/, fast/, model/, store/, not the root index.ts"
    ])
  })

  it("reports siblings of one tier importing each other unless the pair is listed", () => {
    const files = {
      "packages/domain/src/readModels/Late.ts": 'import type { S } from "../integrity/Seal.js"\nexport type V = S\n',
      // history → integrity is listed (the clean tree's Ndjson.ts); the other way is not.
      "packages/domain/src/integrity/Late.ts": 'import type { N } from "../history/Ndjson.js"\nexport type S = N\n'
    }
    expect(found(files)).toEqual([
      {
        rule: "layer",
        file: "packages/domain/src/integrity/Late.ts",
        line: 1,
        imports: "packages/domain/src/history/Ndjson.ts"
      },
      {
        rule: "layer",
        file: "packages/domain/src/readModels/Late.ts",
        line: 1,
        imports: "packages/domain/src/integrity/Seal.ts"
      }
    ])
  })

  it("reports a type-only cycle, with its files in import order", () => {
    const files = {
      "packages/store-memory/src/a.ts": 'import type { C } from "./c.js"\nexport type A = C\n',
      "packages/store-memory/src/b.ts": 'import type { A } from "./a.js"\nexport type B = A\n',
      "packages/store-memory/src/c.ts": '\nimport type { B } from "./b.js"\nexport type C = B\n'
    }
    const violations = checkStructure(tree({ ...clean, ...files }), fixtureRules)
    expect(violations.map(formatViolation)).toEqual([
      "packages/store-memory/src/a.ts:1 → packages/store-memory/src/c.ts  [cycle] import cycle: a.ts → c.ts → b.ts → a.ts"
    ])
  })

  it("reports testing importing an adapter, and an adapter reaching into another package by path", () => {
    const index = 'export * from "@fixture/domain"\nexport * from "./Invariants.js"\nimport "@fixture/store-memory"\n'
    const reach = 'export * from "../../domain/src/model/Account.js"\n'
    expect(found({ "packages/testing/src/index.ts": index, "packages/store-memory/src/reach.ts": reach })).toEqual([
      {
        rule: "package-direction",
        file: "packages/store-memory/src/reach.ts",
        line: 1,
        imports: "packages/domain/src/model/Account.ts"
      },
      { rule: "package-direction", file: "packages/testing/src/index.ts", line: 3, imports: "@fixture/store-memory" }
    ])
  })

  it("allows a listed subpath but not the rest of that package, and only published packages to examples", () => {
    const bin = 'import { invariants } from "@fixture/testing/Invariants"\nimport "@fixture/testing"\n'
    const main = 'import "@fixture/cli"\nimport "@fixture/private"\n'
    expect(found({ "packages/cli/src/bin.ts": bin, "examples/app/src/main.ts": main })).toEqual([
      { rule: "package-direction", file: "examples/app/src/main.ts", line: 2, imports: "@fixture/private" },
      { rule: "package-direction", file: "packages/cli/src/bin.ts", line: 2, imports: "@fixture/testing" }
    ])
  })

  it("reports a package with no rule, a package importing itself by name, and an import of no file", () => {
    const files = {
      "packages/extra/package.json": JSON.stringify({ name: "@fixture/extra" }),
      "packages/extra/src/index.ts": "export const extra = 1\n",
      "packages/store-memory/src/self.ts": 'import "@fixture/store-memory"\nimport "./missing.js"\n'
    }
    expect(found(files)).toEqual([
      { rule: "package-direction", file: "packages/extra/src", line: 0, imports: "@fixture/extra" },
      {
        rule: "package-direction",
        file: "packages/store-memory/src/self.ts",
        line: 1,
        imports: "@fixture/store-memory"
      },
      { rule: "unresolved-import", file: "packages/store-memory/src/self.ts", line: 2, imports: "./missing.js" }
    ])
  })

  // Each way of naming a module, from a domain file, of a workspace package the domain must not import.
  const forms = {
    import: 'import { store } from "@fixture/store-memory"\nexport const s = store\n',
    "import type": 'import type { store } from "@fixture/store-memory"\nexport type S = typeof store\n',
    "export … from": 'export { store } from "@fixture/store-memory"\n',
    "export * from": 'export * from "@fixture/store-memory"\n',
    "dynamic import()": 'export const load = () => import("@fixture/store-memory")\n',
    require: 'declare const require: (id: string) => unknown\nexport const s = require("@fixture/store-memory")\n',
    "import() type": 'export type S = typeof import("@fixture/store-memory").store\n',
    "import = require": 'import store = require("@fixture/store-memory")\nexport const s = store\n'
  }
  it.each(Object.entries(forms))("reports the domain importing another workspace package by %s", (_, text) => {
    const line = text.startsWith("declare") ? 2 : 1
    expect(found({ "packages/domain/src/model/Account.ts": text })).toEqual([
      { rule: "domain-isolation", file: "packages/domain/src/model/Account.ts", line, imports: "@fixture/store-memory" }
    ])
  })

  it("checks the domain's layers, cycles and flat files only when the layout is final", () => {
    const files = {
      "packages/domain/src/Flat.ts": 'import type { Other } from "./internal/other.js"\nexport type Flat = Other\n',
      "packages/domain/src/internal/other.ts": 'import type { Flat } from "../Flat.js"\nexport type Other = Flat\n',
      "packages/domain/src/store/Late.ts": 'import type { Svc } from "../service/index.js"\nexport type L = Svc\n'
    }
    expect(found(files, withLayout(false))).toEqual([])
    expect(found(files, withLayout(true))).toEqual([
      {
        rule: "cycle",
        file: "packages/domain/src/Flat.ts",
        line: 1,
        imports: "packages/domain/src/internal/other.ts"
      },
      { rule: "layer", file: "packages/domain/src/Flat.ts", line: 0, imports: "" },
      { rule: "layer", file: "packages/domain/src/internal/other.ts", line: 0, imports: "" },
      {
        rule: "layer",
        file: "packages/domain/src/store/Late.ts",
        line: 1,
        imports: "packages/domain/src/service/index.ts"
      }
    ])
  })
})

/** A source file of `count` lines (each ending in a newline), the first one `first`. */
const lines = (count: number, first = "export const long = 1") =>
  [first, ...Array.from({ length: count - 1 }, (_, i) => `// line ${i + 2}`)].map((line) => `${line}\n`).join("")

describe("the length rule on fixture trees", () => {
  it("reports every source file over 400 lines, wherever it is in the workspace, naming it and its length", () => {
    const files = {
      "packages/store-memory/src/long.ts": lines(401),
      "packages/store-memory/src/ends-without-newline.ts": `${lines(400)}export const last = 1`,
      "packages/store-memory/test/store.test.ts": lines(400),
      "packages/store-memory/scripts/tool.mjs": lines(1000),
      "examples/app/public/page.js": lines(450),
      "examples/app/vitest.config.ts": lines(400),
      "scripts/check.mjs": lines(401),
      // Not a workspace package, nor a directory the rule lists.
      "docs/snippet.ts": lines(500)
    }
    expect(checkStructure(tree({ ...clean, ...files }), fixtureRules).map(formatViolation)).toEqual([
      "examples/app/public/page.js  [file-length] 450 lines, over 400: split it where it does two things",
      "packages/store-memory/scripts/tool.mjs  [file-length] 1000 lines, over 400: split it where it does two things",
      "packages/store-memory/src/ends-without-newline.ts  [file-length] 401 lines, over 400: split it where it does two things",
      "packages/store-memory/src/long.ts  [file-length] 401 lines, over 400: split it where it does two things",
      "scripts/check.mjs  [file-length] 401 lines, over 400: split it where it does two things"
    ])
  })

  it("exempts fixtures, generated files, build output, installed packages and files that are not source", () => {
    const files = {
      "packages/store-memory/test/fixtures/history.ts": lines(500),
      "packages/store-memory/test/fixtures/nested/more.js": lines(500),
      "packages/store-memory/src/generated.ts": lines(500, "// @generated by a code generator: do not edit"),
      "packages/store-memory/src/generated-block.ts": lines(500, "/* @generated */"),
      "packages/store-memory/dist/index.js": lines(500),
      "packages/store-memory/coverage/report.js": lines(500),
      "packages/store-memory/node_modules/dependency/index.js": lines(500),
      "packages/store-memory/.turbo/cache.js": lines(500),
      "packages/store-memory/src/data.json": lines(500),
      "pnpm-lock.yaml": lines(5000)
    }
    expect(found(files)).toEqual([])
    // A fixture is exempt under test/ only, and only a comment that starts with the marker makes a file generated.
    const notExempt = {
      "packages/store-memory/src/fixtures/table.ts": lines(401),
      "packages/store-memory/src/marker.ts": lines(401, 'export const marker = "@generated"')
    }
    expect(found(notExempt).map(({ rule, file }) => ({ rule, file }))).toEqual([
      { rule: "file-length", file: "packages/store-memory/src/fixtures/table.ts" },
      { rule: "file-length", file: "packages/store-memory/src/marker.ts" }
    ])
  })

  it("lets a known long file keep its length, and reports it once it grows, is split or is gone", () => {
    const known = (lines: number) => ({ lines, why: "being split elsewhere" })
    const withKnown = {
      ...fixtureRules,
      fileLength: {
        ...fixtureRules.fileLength,
        known: {
          "packages/store-memory/src/kept.ts": known(410),
          "packages/store-memory/src/grown.ts": known(410),
          "packages/store-memory/src/split.ts": known(420),
          "packages/store-memory/src/gone.ts": known(430)
        }
      }
    }
    const files = {
      "packages/store-memory/src/kept.ts": lines(410),
      "packages/store-memory/src/grown.ts": lines(411),
      "packages/store-memory/src/split.ts": lines(120)
    }
    expect(checkStructure(tree({ ...clean, ...files }), withKnown).map(formatViolation)).toEqual([
      "packages/store-memory/src/gone.ts  [file-length] listed as a known long file (430 lines) but no such source file: take it off the rules' fileLength.known",
      "packages/store-memory/src/grown.ts  [file-length] 411 lines, over 400, and longer than the 410 it is known to have: split it, do not grow it",
      "packages/store-memory/src/split.ts  [file-length] listed as a known long file (420 lines) but 120 lines now: take it off the rules' fileLength.known"
    ])
  })
})

describe("the structure check on this repository", () => {
  // Everything is checked: package direction, every package's import cycles, the domain's layers, and file lengths.
  it("finds no violation, with the domain's layout final", () => {
    expect(rules.domain.layoutFinal).toBe(true)
    expect(checkStructure(root, rules).map(formatViolation)).toEqual([])
  })

  it("runs from the command line: exit 0 with a summary, or exit 1 with one line per violation", () => {
    const script = join(root, "scripts", "check-structure.mjs")
    const ok = spawnSync(process.execPath, [script], { encoding: "utf8" })
    expect(ok.status).toBe(0)
    expect(ok.stdout).toMatch(/^structure: \d+ imports of \d+ files in \d+ packages, no violation/)
    // The repository's own package names: testing importing an adapter.
    const wrong = tree({
      "pnpm-workspace.yaml": "packages:\n  - packages/*\n",
      "packages/testing/package.json": JSON.stringify({ name: "@service-accounts/testing" }),
      "packages/testing/src/index.ts":
        'import "@service-accounts/domain"\nexport * from "@service-accounts/store-memory"\n',
      "packages/domain/package.json": JSON.stringify({ name: "@service-accounts/domain" }),
      "packages/store-memory/package.json": JSON.stringify({ name: "@service-accounts/store-memory" })
    })
    const failed = spawnSync(process.execPath, [script, "--root", wrong], { encoding: "utf8" })
    expect(failed.status).toBe(1)
    expect(failed.stdout.trim().split("\n")).toEqual([
      "packages/testing/src/index.ts:2 → @service-accounts/store-memory  [package-direction] @service-accounts/testing may not import it",
      "structure: 1 violation"
    ])
  })
})
