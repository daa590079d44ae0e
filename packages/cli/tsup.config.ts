import { defineConfig } from "tsup"

export default defineConfig([
  {
    entry: ["src/index.ts"],
    format: ["esm", "cjs"],
    dts: true,
    sourcemap: true,
    clean: true,
    target: "node20",
    tsconfig: "tsconfig.build.json"
  },
  {
    // The executable: ESM only, with its shebang, its dependencies bundled in: resolving and loading the hundreds of
    // modules of effect and @effect/* took 0.3 s of every run (bench/src/audit.ts). The EventStoreDB adapter is
    // bundled too, and so is the KurrentDB adapter, each into a chunk of its own that is loaded when a command uses a
    // server of its kind: they share the bundle's one copy of effect and of the domain (a separately installed adapter
    // would bring a second copy of each, with tags and classes of its own). Only the gRPC clients stay packages of
    // their own (the KurrentDB client loads a native add-on). `require` is there for the CommonJS modules bundled in.
    entry: ["src/bin.ts"],
    format: ["esm"],
    // A map of everything bundled would be four times the bundle, in every install.
    sourcemap: false,
    // Without white space and with shorter syntax, the 2.4 MB that every run compiles first take a third less time to
    // compile (about 30 ms of a run); names are kept, for stack traces.
    minifyWhitespace: true,
    minifySyntax: true,
    target: "node20",
    tsconfig: "tsconfig.build.json",
    splitting: true,
    noExternal: [/^(?!(@eventstore\/db-client|@kurrent\/kurrentdb-client)$)/],
    external: ["@eventstore/db-client", "@kurrent/kurrentdb-client"],
    banner: {
      js: '#!/usr/bin/env node\nimport { createRequire as __saAuditRequire } from "node:module"\nconst require = __saAuditRequire(import.meta.url)'
    }
  }
])
